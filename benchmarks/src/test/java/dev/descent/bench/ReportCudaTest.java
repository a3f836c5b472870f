package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's CUDA columns and cross-checks, from made-up samples (no GPU needed). */
class ReportCudaTest {
    @TempDir
    Path tmp;

    private static final Report.SideInfo D1 = new Report.SideInfo("descent-1t", "descent, 1 thread", 1);
    private static final Report.SideInfo DC = new Report.SideInfo("descent-cuda", "descent, CUDA", 1, true);
    private static final Report.SideInfo OB1 = new Report.SideInfo("torch-ob1", "PyTorch, OpenBLAS, 1 thread", 1);
    private static final Report.SideInfo TC = new Report.SideInfo("torch-cuda", "PyTorch, CUDA", 4, true);

    private static Compare.Case caseOf(String id) {
        return Compare.cases(true).stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    private static DescentWorkloads.Sample sample(double seconds, String... kv) {
        Map<String, String> info = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            info.put(kv[i], kv[i + 1]);
        }
        return new DescentWorkloads.Sample(seconds, info);
    }

    /** Every side ran {@code reps} rounds of W4 at the given seconds, ending at the given (x, y, f). */
    private static Map<String, List<DescentWorkloads.Sample>> w4(Map<String, Double> seconds,
            Map<String, String[]> ends, int reps) {
        Map<String, List<DescentWorkloads.Sample>> m = new LinkedHashMap<>();
        seconds.forEach((side, s) -> {
            List<DescentWorkloads.Sample> xs = new ArrayList<>();
            String[] e = ends.get(side);
            for (int r = 0; r < reps; r++) {
                xs.add(sample(s, "x", e[0], "y", e[1], "f", e[2]));
            }
            m.put(side, xs);
        });
        return m;
    }

    private Report report(List<Report.SideInfo> sides) {
        Report report = new Report(Compare.Options.parse(new String[] {"--quick", "--out", tmp.toString()}));
        report.sides = sides;
        report.cores = 2;
        return report;
    }

    private String md() throws IOException {
        return Files.readString(tmp.resolve("compare.md"), StandardCharsets.UTF_8);
    }

    private String csv() throws IOException {
        return Files.readString(tmp.resolve("compare.csv"), StandardCharsets.UTF_8);
    }

    @Test
    void cudaColumnsRatioAndCrossCheck() throws IOException {
        Report report = report(List.of(D1, DC, OB1, TC));
        Compare.Case c = caseOf("W4");
        String[] end = {"0.06736451", "0.0039534275", "0.869843"};
        String[] close = {"0.06736452", "0.0039534276", "0.869844"}; // float rounding apart
        Map<String, List<DescentWorkloads.Sample>> samples = w4(Map.of("descent-1t", 0.0004, "descent-cuda", 0.002,
                "torch-ob1", 0.25, "torch-cuda", 0.5), Map.of("descent-1t", end, "descent-cuda", close, "torch-ob1",
                end, "torch-cuda", end), c.reps());
        report.add(c, samples, samples, "1 1 1", "1 1 1");
        report.write();
        String md = md();
        assertTrue(md.contains("| case | unit | runs (warm-up) | descent-1t | descent-cuda | torch-ob1 | torch-cuda "
                + "| ×ob1 1t | ×cuda | target | met |"), md);
        assertTrue(md.contains("| W4 | s/run | 5 (3) | 400 µs | 2.00 ms | 250 ms | 500 ms | 625.00× | 250.00× | "
                + "100.00× | yes |"), md);
        assertTrue(md.contains("×cuda = torch-cuda median / descent-cuda median"), md);
        assertFalse(md.contains("bound / share descent-cuda") || md.contains("bound / share torch-cuda"),
                "no CPU roofline for GPU sides:\n" + md);
        assertTrue(md.contains("| CUDA vs CPU (same data order, round by round) | load before → after |\n"
                + "|---|---|---|---|---|\n"), md);
        String check = report.cudaCheck(new Report.Row(c, samples, samples, "", ""));
        assertTrue(check.startsWith("descent-cuda vs descent-1t: end point (x, y, f) max rel. diff 1.1e-06 (5 runs): "
                + "agree within float tolerance (rel. 1e-04); descent-cuda runs bit-identical; torch-cuda vs "
                + "torch-ob1: end point (x, y, f) max rel. diff 0.0e+00 (5 runs): agree within float tolerance"),
                check);

        String csv = csv();
        assertTrue(csv.startsWith("case,workload,unit,side,threads,runs,warmups,median_s,min_s,max_s,"
                + "speedup_vs_torch_ob1,target,flop,bytes,bound_s,roofline_share,load_before,load_after,"
                + "fma_peak_gflops,read_gbs,cpu_model,vector_bits,vector_isa,speedup_vs_torch_cuda\n"), csv);
        Map<String, String[]> rows = new LinkedHashMap<>();
        csv.lines().skip(1).forEach(l -> rows.put(l.split(",", -1)[3], l.split(",", -1)));
        assertEquals(List.of("descent-1t", "descent-cuda", "torch-ob1", "torch-cuda"), List.copyOf(rows.keySet()));
        String[] cuda = rows.get("descent-cuda");
        assertEquals(24, cuda.length);
        assertTrue(cuda[21].matches("\\d*") && !cuda[22].isEmpty(), "vector width and ISA: " + cuda[21] + ", " + cuda[22]);
        assertEquals(0.002, Double.parseDouble(cuda[7]), 1e-12);
        assertEquals("", cuda[10], "no speed-up against the CPU peer for the GPU side");
        assertEquals("", cuda[14], "no CPU roofline for the GPU side");
        assertEquals(250, Double.parseDouble(cuda[23]), 1e-9);
        String[] cpu = rows.get("descent-1t");
        assertEquals(625, Double.parseDouble(cpu[10]), 1e-9);
        assertEquals("", cpu[23]);
        assertEquals("", rows.get("torch-cuda")[23]);
    }

    @Test
    void resultsBeyondFloatToleranceAreFlagged() {
        Compare.Case c = caseOf("W1-adam");
        Map<String, List<DescentWorkloads.Sample>> samples = new LinkedHashMap<>();
        samples.put("descent-1t", List.of(sample(0.04, "losses", "3.17805,2.71714,2.27311", "wabs", "0.549462")));
        samples.put("descent-cuda", List.of(sample(0.01, "losses", "3.17805,2.71714,2.28311", "wabs", "0.549462")));
        String a = Report.agreement(new Report.Row(c, samples, samples, "", ""), DC, D1);
        assertTrue(a.contains("epoch losses max rel. diff 4.4e-03"), a);
        assertTrue(a.contains("**DIFFER** beyond float tolerance (rel. 1e-04)"), a);

        Compare.Case w3 = caseOf("W3");
        Map<String, List<DescentWorkloads.Sample>> acc = new LinkedHashMap<>();
        acc.put("descent-1t", List.of(sample(3, "losses", "0.5,0.42", "test_acc", "83.10"),
                sample(3, "losses", "0.5,0.43", "test_acc", "82.00")));
        acc.put("descent-cuda", List.of(sample(1, "losses", "0.5,0.42", "test_acc", "83.10"),
                sample(1, "losses", "0.5,0.4300001", "test_acc", "82.50")));
        String b = Report.agreement(new Report.Row(w3, acc, acc, "", ""), DC, D1);
        assertTrue(b.contains("test accuracy max diff 0.50 points"), b);
        assertTrue(b.contains("**DIFFER** beyond float tolerance (rel. 1e-03, accuracy 0.2 points)"), b);
    }

    @Test
    void withoutCudaSidesTheReportIsTheCpuReport() throws IOException {
        Report report = report(List.of(D1, OB1));
        report.skipped.add("descent-cuda: skipped: no CUDA runtime");
        Compare.Case c = caseOf("W4");
        String[] end = {"0.06736451", "0.0039534275", "0.869843"};
        Map<String, List<DescentWorkloads.Sample>> samples = w4(Map.of("descent-1t", 0.0004, "torch-ob1", 0.25),
                Map.of("descent-1t", end, "torch-ob1", end), c.reps());
        report.add(c, samples, samples, "1 1 1", "1 1 1");
        report.write();
        String md = md();
        assertTrue(md.contains("\n- descent-cuda: skipped: no CUDA runtime\n"), md);
        assertTrue(md.contains("| case | unit | runs (warm-up) | descent-1t | torch-ob1 | ×ob1 1t | target | met |"),
                md);
        assertFalse(md.contains("cuda |") || md.contains("×cuda") || md.contains("CUDA vs CPU"), md);
        assertTrue(md.contains("the targets refer to it.\n\n## Times"), md);
        assertTrue(md.contains("| case | descent vs PyTorch | descent thread counts | load before → after |\n"
                + "|---|---|---|---|\n"), md);
        assertEquals("case,workload,unit,side,threads,runs,warmups,median_s,min_s,max_s,speedup_vs_torch_ob1,target,"
                + "flop,bytes,bound_s,roofline_share,load_before,load_after,fma_peak_gflops,read_gbs,cpu_model,"
                + "vector_bits,vector_isa",
                csv().lines().findFirst().orElseThrow());
    }
}

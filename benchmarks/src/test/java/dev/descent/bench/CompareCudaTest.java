package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.descent.backend.Availability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cuda} on a machine without a usable CUDA backend (CI, the development machine): auto records the skip with
 * the backend's own reason and runs the CPU side as before; on fails at once with one line. Skipped where CUDA works.
 */
class CompareCudaTest {
    @TempDir
    Path tmp;

    private static Availability unavailableCuda() {
        Availability a = BenchBackends.availability("cuda");
        assumeFalse(a.available(), "the cuda backend is available here (" + a + "): nothing to skip");
        return a;
    }

    @Test
    void offNeverAsks() {
        assertNull(Compare.cudaSkipReason(Compare.Options.parse(new String[] {"--cuda", "off"})));
    }

    @Test
    void autoSkipsWithTheAvailabilityReasonAndRunsTheCpuSideAsBefore() throws IOException {
        Availability a = unavailableCuda();
        Compare.Options o = Compare.Options.parse(new String[] {"--quick", "--no-probe", "--only", "W4", "--threads",
            "1", "--peers", "none", "--out", tmp.toString()});
        assertEquals(a.reason(), Compare.cudaSkipReason(o));

        Compare.run(o);
        String md = Files.readString(tmp.resolve("compare.md"), StandardCharsets.UTF_8);
        assertTrue(md.contains("\n- descent-cuda: skipped: " + a.reason() + "\n"), md);
        assertTrue(md.contains("| W4 | s/run | 5 (3) |"), md);
        assertFalse(md.contains("descent-cuda |") || md.contains("×cuda") || md.contains("CUDA vs CPU"),
                "no CUDA columns without the CUDA side:\n" + md);
        String csv = Files.readString(tmp.resolve("compare.csv"), StandardCharsets.UTF_8);
        assertTrue(csv.startsWith("case,workload,unit,side,threads,runs,warmups,median_s,min_s,max_s,"
                + "speedup_vs_torch_ob1,target,flop,bytes,bound_s,roofline_share,load_before,load_after,"
                + "fma_peak_gflops,read_gbs,cpu_model,vector_bits,vector_isa\n"), csv);
        // 3 alternating warm-up runs, then descent's own until two in a row compile nothing (at least 2 more)
        java.util.regex.Matcher w = java.util.regex.Pattern.compile("\nW4,W4,s/run,descent-1t,1,5,(\\d+),")
                .matcher(csv);
        assertTrue(w.find(), csv);
        int warmups = Integer.parseInt(w.group(1));
        assertTrue(warmups >= 3 && warmups <= 3 + Compare.MAX_JIT_WARMUPS, "warm-up runs " + warmups);
    }

    /** The GPU machine has no Fashion-MNIST: W3 and W5 become skip lines, the rest runs. */
    @Test
    void missingFashionMnistSkipsW3AndW5() throws IOException {
        Path none = tmp.resolve("no-fashion");
        Compare.run(Compare.Options.parse(new String[] {"--quick", "--no-probe", "--only", "W3,W4,W5", "--threads",
            "1", "--peers", "none", "--cuda", "off", "--fashion-dir", none.toString(), "--out", tmp.toString()}));
        String md = Files.readString(tmp.resolve("compare.md"), StandardCharsets.UTF_8);
        String why = "no Fashion-MNIST in " + none + " (missing train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; --fashion-dir names another folder)";
        assertTrue(md.contains("\n- W3: skipped: " + why + "\n- W5: skipped: " + why + "\n"), md);
        assertTrue(md.contains("| W4 | s/run | 5 (3) |"), md);
        assertFalse(md.contains("| W3 |") || md.contains("| W5 |") || md.contains("descent-cuda"), md);
    }

    @Test
    void onFailsWithOneLine() {
        Availability a = unavailableCuda();
        Compare.Options o = Compare.Options.parse(new String[] {"--cuda", "on"});
        Compare.CudaUnavailableException e = assertThrows(Compare.CudaUnavailableException.class,
                () -> Compare.cudaSkipReason(o));
        assertEquals("--cuda on: descent's cuda backend is " + a, e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** The program itself: one line on stderr, exit status 3, nothing written, no stack trace. */
    @Test
    void onExitsWithOneLineAndStatus3() throws Exception {
        unavailableCuda();
        Path out = tmp.resolve("out");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.descent.bench.Compare", "--cuda", "on", "--quick",
                "--only", "W4", "--peers", "none", "--out", out.toString()));
        Process p = new ProcessBuilder(command).redirectOutput(tmp.resolve("stdout").toFile())
                .redirectError(tmp.resolve("stderr").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "Compare --cuda on did not stop");
        List<String> err = Files.readAllLines(tmp.resolve("stderr")).stream()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(Compare.EXIT_CUDA_UNAVAILABLE, p.exitValue(), String.join("\n", err));
        assertEquals(1, err.size(), String.join("\n", err));
        assertTrue(err.get(0).startsWith("Compare: --cuda on: descent's cuda backend is unavailable: "), err.get(0));
        assertEquals("", Files.readString(tmp.resolve("stdout")));
        assertFalse(Files.exists(out.resolve("compare.md")), "nothing measured, nothing written");
    }
}

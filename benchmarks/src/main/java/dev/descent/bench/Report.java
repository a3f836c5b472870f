package dev.descent.bench;

import dev.descent.backend.HostCpu;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The comparison's tables: Markdown for people, CSV for tools; rewritten (atomically) after every case. */
final class Report {
    /** A side as the tables show it; {@code cuda}: it computes on the GPU (no CPU roofline). */
    record SideInfo(String id, String label, int threads, boolean cuda) {
        SideInfo(String id, String label, int threads) {
            this(id, label, threads, false);
        }
    }

    record Row(Compare.Case c, Map<String, List<DescentWorkloads.Sample>> warmups,
            Map<String, List<DescentWorkloads.Sample>> samples, String loadBefore, String loadAfter) {
    }

    private final Compare.Options options;
    String started;
    String loadStart;
    String loadEnd;
    String cpu;
    String java;
    int cores;
    double elapsedSeconds;
    MachinePeak.Peak peak;
    final List<String> descentDescriptions = new ArrayList<>();
    final Map<String, Map<String, String>> torchInfo = new LinkedHashMap<>();
    /** "side: skipped: why" lines for the header (CUDA sides that could not run, workloads without data). */
    final List<String> skipped = new ArrayList<>();
    List<SideInfo> sides = List.of();
    private final List<Row> rows = new ArrayList<>();

    Report(Compare.Options options) {
        this.options = options;
    }

    void add(Compare.Case c, Map<String, List<DescentWorkloads.Sample>> warmups,
            Map<String, List<DescentWorkloads.Sample>> samples, String loadBefore, String loadAfter) {
        rows.add(new Row(c, warmups, samples, loadBefore, loadAfter));
    }

    // ------------------------------------------------------------------------------------------ statistics

    static double median(List<DescentWorkloads.Sample> samples) {
        if (samples == null || samples.isEmpty()) {
            return Double.NaN;
        }
        double[] s = samples.stream().mapToDouble(DescentWorkloads.Sample::seconds).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(List<DescentWorkloads.Sample> samples) {
        return samples.stream().mapToDouble(DescentWorkloads.Sample::seconds).min().orElse(Double.NaN);
    }

    private static double max(List<DescentWorkloads.Sample> samples) {
        return samples.stream().mapToDouble(DescentWorkloads.Sample::seconds).max().orElse(Double.NaN);
    }

    /** Roofline time of a case for a side: max(FLOP / FMA peak, bytes / read bandwidth) at its thread count. */
    private double bound(Compare.Case c, SideInfo side) {
        if (peak == null || side.cuda() || (c.flops() == 0 && c.bytes() == 0)) {
            return Double.NaN;
        }
        int t = side.threads() >= cores ? 0 : side.threads();
        return Math.max(c.flops() / (peak.fma(t) * 1e9), c.bytes() / (peak.read(t) * 1e9));
    }

    /** descent's CPU sides (the thread counts): the speed-ups against the CPU peers and the targets refer to them. */
    private List<SideInfo> descentSides() {
        return sides.stream().filter(s -> s.id().startsWith("descent") && !s.cuda()).toList();
    }

    private List<SideInfo> cpuSides() {
        return sides.stream().filter(s -> !s.cuda()).toList();
    }

    private SideInfo side(String id) {
        return sides.stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
    }

    // ------------------------------------------------------------------------------------------ checks

    private static final List<String> RESULT_KEYS = List.of("losses", "wsum", "wabs", "test_acc", "x", "y", "f");

    /**
     * Whether descent computed the same numbers in every measured run: repeated runs of one side (the same JVM, so a
     * difference there means the result depends on the JIT's state), and the last runs of different thread counts.
     */
    private String threadCheck(Row row) {
        List<SideInfo> ds = descentSides();
        if (ds.isEmpty()) {
            return "";
        }
        List<String> problems = new ArrayList<>();
        for (SideInfo s : row.c().varySeed() ? List.<SideInfo>of() : ds) {
            List<DescentWorkloads.Sample> xs = row.samples().get(s.id());
            Map<String, String> last = xs.get(xs.size() - 1).info();
            for (int i = 0; i < xs.size() - 1; i++) {
                List<String> d = differences(xs.get(i).info(), last);
                if (!d.isEmpty()) {
                    problems.add(s.id() + " run " + (i + 1) + " differs from its last run (" + String.join(", ", d)
                            + "): the result depends on JIT warm-up");
                    break;
                }
            }
        }
        Map<String, String> reference = last(row, ds.get(0));
        for (SideInfo s : ds.subList(1, ds.size())) {
            List<String> d = differences(reference, last(row, s));
            if (!d.isEmpty()) {
                problems.add(ds.get(0).id() + " vs " + s.id() + ": " + String.join(", ", d));
            }
        }
        if (problems.isEmpty()) {
            return ds.size() > 1 ? "bit-identical in every run and across thread counts"
                    : "bit-identical in every run";
        }
        return "**DIFFER**: " + String.join("; ", problems);
    }

    private static Map<String, String> last(Row row, SideInfo side) {
        List<DescentWorkloads.Sample> xs = row.samples().get(side.id());
        return xs.get(xs.size() - 1).info();
    }

    private static List<String> differences(Map<String, String> a, Map<String, String> b) {
        List<String> d = new ArrayList<>();
        for (String k : RESULT_KEYS) {
            if (a.containsKey(k) && !a.get(k).equals(b.get(k))) {
                d.add(k + " " + a.get(k) + " vs " + b.get(k));
            }
        }
        return d;
    }

    /** descent against the first PyTorch side, on what the workload computes. */
    private String torchCheck(Row row) {
        List<SideInfo> ds = descentSides();
        SideInfo torch = sides.stream().filter(s -> s.id().startsWith("torch"))
                .min((a, b) -> Boolean.compare(a.cuda(), b.cuda())).orElse(null);
        if (ds.isEmpty() || torch == null) {
            return "";
        }
        Map<String, String> d = row.samples().get(ds.get(0).id()).get(0).info();
        Map<String, String> t = row.samples().get(torch.id()).get(0).info();
        String w = row.c().workload();
        switch (w) {
            case "W1" -> {
                double[] a = TorchPeer.parseDoubles(d.get("losses"));
                double[] b = TorchPeer.parseDoubles(t.get("losses"));
                double rel = 0;
                for (int i = 0; i < Math.min(a.length, b.length); i++) {
                    rel = Math.max(rel, Math.abs(a[i] - b[i]) / Math.max(1e-30, Math.abs(b[i])));
                }
                return String.format(Locale.ROOT, "epoch losses descent %s, torch %s (max rel. diff %.1e); "
                        + "Σ abs(W) %.6g vs %.6g", shortList(a), shortList(b), rel, parse(d.get("wabs")),
                        parse(t.get("wabs")));
            }
            case "W2" -> {
                return String.format(Locale.ROOT, "epoch loss descent %.5g, torch %.5g (own shuffles: close, not "
                        + "equal); steps %s vs %s", last(d.get("losses")), last(t.get("losses")), d.get("steps"),
                        t.get("steps"));
            }
            case "W3", "W5" -> {
                double[] ad = values(row.samples().get(ds.get(0).id()), "test_acc");
                double[] at = values(row.samples().get(torch.id()), "test_acc");
                double diff = Math.abs(mean(ad) - mean(at));
                String verdict = w.equals("W3") ? (diff <= 0.5 ? "means within 0.5 points: OK"
                        : "means MORE than 0.5 points apart") : String.format(Locale.ROOT, "%.2f points apart", diff);
                return String.format(Locale.ROOT, "test accuracy (%%, one run per seed) descent %s, torch %s: means "
                        + "%.2f vs %.2f (%s); final epoch loss %.5g vs %.5g", list(ad), list(at), mean(ad), mean(at),
                        verdict, last(d.get("losses")), last(t.get("losses")));
            }
            case "W4" -> {
                return String.format(Locale.ROOT, "end point descent (%s, %s) f=%.6g, torch (%s, %s) f=%.6g",
                        d.get("x"), d.get("y"), parse(d.get("f")), t.get("x"), t.get("y"), parse(t.get("f")));
            }
            default -> {
                return "";
            }
        }
    }

    /** Relative tolerance of CUDA vs CPU on full-batch work (W1's losses and weights, W4's end point). */
    static final double FULL_BATCH_TOLERANCE = 1e-4;
    /** Relative tolerance of CUDA vs CPU on minibatch epoch losses (many steps: rounding differences accumulate). */
    static final double MINIBATCH_TOLERANCE = 1e-3;
    /** Tolerance of CUDA vs CPU on test accuracies, in percentage points (0.2 = 20 of 10,000 test images). */
    static final double ACCURACY_TOLERANCE = 0.2;

    /**
     * The CUDA sides against the CPU ones with the same data order: descent-cuda against descent's first thread
     * count, torch-cuda against the first CPU PyTorch side. Empty when neither CUDA side ran.
     */
    String cudaCheck(Row row) {
        List<String> parts = new ArrayList<>();
        SideInfo descentCuda = side("descent-cuda");
        List<SideInfo> ds = descentSides();
        if (descentCuda != null && !ds.isEmpty()) {
            parts.add("descent-cuda vs " + ds.get(0).id() + ": " + agreement(row, descentCuda, ds.get(0))
                    + repeats(row, descentCuda));
        }
        SideInfo torchCuda = side("torch-cuda");
        SideInfo torchCpu = sides.stream().filter(s -> s.id().startsWith("torch") && !s.cuda()).findFirst()
                .orElse(null);
        if (torchCuda != null && torchCpu != null) {
            parts.add("torch-cuda vs " + torchCpu.id() + ": " + agreement(row, torchCuda, torchCpu));
        }
        return String.join("; ", parts);
    }

    /** Whether {@code a} and {@code b} computed the same numbers, round by round, within float tolerance. */
    static String agreement(Row row, SideInfo a, SideInfo b) {
        List<DescentWorkloads.Sample> xs = row.samples().get(a.id());
        List<DescentWorkloads.Sample> ys = row.samples().get(b.id());
        int n = Math.min(xs.size(), ys.size());
        if (n == 0) {
            return "no runs";
        }
        String w = row.c().workload();
        boolean fullBatch = w.equals("W1") || w.equals("W4");
        double tolerance = fullBatch ? FULL_BATCH_TOLERANCE : MINIBATCH_TOLERANCE;
        double lossRel = 0;
        double weightRel = 0;
        double pointRel = 0;
        double accuracy = 0;
        boolean losses = false;
        boolean weights = false;
        boolean point = false;
        boolean accuracies = false;
        for (int i = 0; i < n; i++) {
            Map<String, String> x = xs.get(i).info();
            Map<String, String> y = ys.get(i).info();
            if (x.containsKey("losses") && y.containsKey("losses")) {
                losses = true;
                double[] lx = TorchPeer.parseDoubles(x.get("losses"));
                double[] ly = TorchPeer.parseDoubles(y.get("losses"));
                if (lx.length != ly.length) {
                    return "**DIFFER**: " + lx.length + " vs " + ly.length + " epoch losses";
                }
                for (int e = 0; e < lx.length; e++) {
                    lossRel = Math.max(lossRel, relative(lx[e], ly[e]));
                }
            }
            if (x.containsKey("wabs") && y.containsKey("wabs")) {
                weights = true;
                weightRel = Math.max(weightRel, relative(parse(x.get("wabs")), parse(y.get("wabs"))));
            }
            if (x.containsKey("f") && y.containsKey("f")) {
                point = true;
                for (String k : List.of("x", "y", "f")) {
                    pointRel = Math.max(pointRel, relative(parse(x.get(k)), parse(y.get(k))));
                }
            }
            if (x.containsKey("test_acc") && y.containsKey("test_acc")) {
                accuracies = true;
                accuracy = Math.max(accuracy, Math.abs(parse(x.get("test_acc")) - parse(y.get("test_acc"))));
            }
        }
        List<String> found = new ArrayList<>();
        boolean ok = true;
        if (losses) {
            found.add(String.format(Locale.ROOT, "epoch losses max rel. diff %.1e", lossRel));
            ok &= lossRel <= tolerance;
        }
        if (weights && fullBatch) {
            found.add(String.format(Locale.ROOT, "Σ abs(W) %.1e", weightRel));
            ok &= weightRel <= tolerance;
        }
        if (point) {
            found.add(String.format(Locale.ROOT, "end point (x, y, f) max rel. diff %.1e", pointRel));
            ok &= pointRel <= tolerance;
        }
        if (accuracies) {
            found.add(String.format(Locale.ROOT, "test accuracy max diff %.2f points", accuracy));
            ok &= accuracy <= ACCURACY_TOLERANCE;
        }
        String limits = String.format(Locale.ROOT, "rel. %.0e%s", tolerance,
                accuracies ? String.format(Locale.ROOT, ", accuracy %.1f points", ACCURACY_TOLERANCE) : "");
        return String.join(", ", found) + (ok ? " (" + n + (n == 1 ? " run" : " runs") + "): agree within float "
                + "tolerance (" + limits + ")" : " (" + n + (n == 1 ? " run" : " runs") + "): **DIFFER** beyond "
                + "float tolerance (" + limits + ")");
    }

    private static double relative(double a, double b) {
        if (a == b) {
            return 0;
        }
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs(a - b) / Math.max(1e-30, Math.max(Math.abs(a), Math.abs(b)));
    }

    /** ", repeated runs bit-identical" or what differs, for cases whose rounds repeat the same parameters. */
    private static String repeats(Row row, SideInfo side) {
        if (row.c().varySeed()) {
            return "";
        }
        List<DescentWorkloads.Sample> xs = row.samples().get(side.id());
        Map<String, String> last = xs.get(xs.size() - 1).info();
        for (int i = 0; i < xs.size() - 1; i++) {
            List<String> d = differences(xs.get(i).info(), last);
            if (!d.isEmpty()) {
                return "; " + side.id() + " run " + (i + 1) + " differs from its last run (" + String.join(", ", d)
                        + ")";
            }
        }
        return "; " + side.id() + " runs bit-identical";
    }

    private static double[] values(List<DescentWorkloads.Sample> xs, String key) {
        return xs.stream().mapToDouble(x -> parse(x.info().get(key))).toArray();
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.2f", v[i]));
        }
        return sb.toString();
    }

    private static double parse(String s) {
        return s == null ? Double.NaN : Double.parseDouble(s);
    }

    private static double last(String csv) {
        double[] v = TorchPeer.parseDoubles(csv);
        return v.length == 0 ? Double.NaN : v[v.length - 1];
    }

    private static String shortList(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.6g", v[i]));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------ formatting

    static String time(double seconds) {
        if (Double.isNaN(seconds)) {
            return "–";
        }
        if (seconds < 1e-3) {
            return String.format(Locale.ROOT, "%.3g µs", seconds * 1e6);
        }
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.3g ms", seconds * 1e3);
        }
        return String.format(Locale.ROOT, "%.3g s", seconds);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The descent CPU sides' vector width in bits from their descriptions ("Vector API 512-bit ..."), 0 for scalar. */
    String descentVectorBits() {
        for (String d : descentDescriptions) {
            Matcher m = Pattern.compile("Vector API (\\d+)-bit").matcher(d);
            if (m.find()) {
                return m.group(1);
            }
            if (d.startsWith("cpu: scalar")) {
                return "0";
            }
        }
        return "";
    }

    /** The JVM's -X and -XX options (heap, pre-touch, huge pages): what the descent sides ran under. */
    static String jvmOptions() {
        List<String> kept = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if ((a.startsWith("-X") && !a.startsWith("-Xlog")) || a.startsWith("-XX:")) {
                kept.add(a);
            }
        }
        return kept.isEmpty() ? "(none)" : String.join(" ", kept);
    }

    /** The kernel's transparent-huge-page mode (the bracketed word of its sysfs setting), or why it is unknown. */
    static String hugePageMode() {
        try {
            String v = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).trim();
            int open = v.indexOf('[');
            int close = v.indexOf(']', open + 1);
            return open >= 0 && close > open ? v.substring(open + 1, close) : v;
        } catch (IOException e) {
            return "unknown (no /sys/kernel/mm/transparent_hugepage/enabled)";
        }
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# descent vs PyTorch: side-by-side comparison\n\n");
        md.append("- started ").append(started).append(", ")
                .append(String.format(Locale.ROOT, "%.0f s", elapsedSeconds)).append(" so far; mode ")
                .append(options.quick() ? "**quick**" : "full").append('\n');
        md.append("- machine: ").append(cpu).append(", ").append(cores).append(" cores; vector ISA ")
                .append(HostCpu.vectorIsa()).append("; descent's vector width ").append(descentVectorBits()).append(" bits")
                .append("; load average (1/5/15 min) ")
                .append(loadStart).append(" at the start, ").append(loadEnd).append(" at the end\n");
        md.append("- ").append(java).append('\n');
        for (String d : descentDescriptions) {
            md.append("- descent backend: ").append(d).append('\n');
        }
        for (Map.Entry<String, Map<String, String>> e : torchInfo.entrySet()) {
            Map<String, String> i = e.getValue();
            if ("cuda".equals(i.get("device"))) {
                md.append("- ").append(e.getKey()).append(": torch ").append(i.get("torch")).append(" (python ")
                        .append(i.get("python")).append("), CUDA ").append(i.get("cuda")).append(", GPU ")
                        .append(i.get("gpu")).append(" (compute capability ").append(i.get("gpu_capability"))
                        .append(", ").append(i.get("gpu_memory_gib")).append(" GiB), cuDNN ").append(i.get("cudnn"))
                        .append(", torch host threads ").append(i.get("threads")).append(", loaded CUDA libraries `")
                        .append(i.get("cuda_libs")).append("`\n");
                continue;
            }
            md.append("- ").append(e.getKey()).append(": torch ").append(i.get("torch")).append(" (python ")
                    .append(i.get("python")).append("), BLAS_INFO=").append(i.get("blas_info")).append(", CPU "
                    + "capability ").append(i.get("capability")).append(", torch threads ").append(i.get("threads"))
                    .append(", loaded BLAS libraries `").append(i.get("libs")).append("`, OpenBLAS core ")
                    .append(i.getOrDefault("openblas_core", "–")).append(", OpenBLAS threads ")
                    .append(i.getOrDefault("openblas_threads", "–")).append(", env OPENBLAS_NUM_THREADS=")
                    .append(i.get("env_OPENBLAS_NUM_THREADS")).append(" LD_LIBRARY_PATH=")
                    .append(i.get("env_LD_LIBRARY_PATH")).append(" OPENBLAS_CORETYPE=")
                    .append(i.get("env_OPENBLAS_CORETYPE")).append(" OPENBLAS_L2_SIZE=")
                    .append(i.get("env_OPENBLAS_L2_SIZE")).append('\n');
        }
        for (String line : skipped) {
            md.append("- ").append(line).append('\n');
        }
        if (peak != null) {
            md.append("- **physical limits (measured now by dev.descent.bench.MachinePeak)**: ").append(peak)
                    .append('\n');
        }
        md.append("\nTimes are medians of the measured runs; each side ran its warm-up runs first (not counted; "
                + "descent's sides then repeat them until two runs in a row make the JIT compile nothing, at most "
                + Compare.MAX_JIT_WARMUPS + " more), then "
                + "the sides alternated run by run, each run after an idle pause of " + options.settleMillis()
                + " ms (--settle-ms: the previous side's spin-waiting threads go quiet first). Speed-up = PyTorch "
                + "median / descent median (> 1: descent is "
                + "faster). `torch-ob1` (OpenBLAS, 1 thread) is the fair peer and the targets refer to it.");
        SideInfo descentCuda = side("descent-cuda");
        SideInfo torchCuda = side("torch-cuda");
        if (descentCuda != null || torchCuda != null) {
            md.append(" The CUDA sides time on the GPU with a synchronize before each clock read; ×cuda = torch-cuda "
                    + "median / descent-cuda median, the GPU peer for descent-cuda. Speed-ups against the CPU peers, "
                    + "the targets and the roofline (this CPU's limits) concern descent's CPU sides only.");
        }
        md.append("\n\n");

        md.append("## Times and speed-ups\n\n");
        StringBuilder head = new StringBuilder("| case | unit | runs (warm-up) |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (SideInfo s : sides) {
            head.append(' ').append(s.id()).append(" |");
            rule.append("---:|");
        }
        SideInfo ob1 = side("torch-ob1");
        SideInfo def = side("torch-default");
        for (SideInfo s : descentSides()) {
            if (ob1 != null) {
                head.append(" ×ob1 ").append(s.id().substring("descent-".length())).append(" |");
                rule.append("---:|");
            }
        }
        for (SideInfo s : descentSides()) {
            if (def != null) {
                head.append(" ×default ").append(s.id().substring("descent-".length())).append(" |");
                rule.append("---:|");
            }
        }
        boolean cudaRatio = descentCuda != null && torchCuda != null;
        if (cudaRatio) {
            head.append(" ×cuda |");
            rule.append("---:|");
        }
        head.append(" target | met |");
        rule.append("---:|---|");
        md.append(head).append('\n').append(rule).append('\n');
        for (Row row : rows) {
            Compare.Case c = row.c();
            md.append("| ").append(c.id()).append(" | ").append(c.unit()).append(" | ").append(c.reps()).append(" (")
                    .append(c.warmups()).append(") |");
            for (SideInfo s : sides) {
                md.append(' ').append(time(median(row.samples().get(s.id())))).append(" |");
            }
            double best = Double.NaN;
            for (SideInfo s : descentSides()) {
                double m = median(row.samples().get(s.id()));
                best = Double.isNaN(best) ? m : Math.min(best, m);
                if (ob1 != null) {
                    md.append(' ').append(ratio(median(row.samples().get(ob1.id())) / m)).append(" |");
                }
            }
            for (SideInfo s : descentSides()) {
                if (def != null) {
                    md.append(' ').append(ratio(median(row.samples().get(def.id())) / median(row.samples()
                            .get(s.id())))).append(" |");
                }
            }
            if (cudaRatio) {
                md.append(' ').append(ratio(median(row.samples().get(torchCuda.id())) / median(row.samples()
                        .get(descentCuda.id())))).append(" |");
            }
            String met = "–";
            if (ob1 != null && !Double.isNaN(best)) {
                met = median(row.samples().get(ob1.id())) / best >= c.target() ? "yes" : "**no**";
            }
            md.append(' ').append(ratio(c.target())).append(" | ").append(met).append(" |\n");
        }

        md.append("\n## Roofline: the same work against this machine's limits\n\n");
        md.append("Bound = max(FLOP / FMA peak, bytes / read bandwidth) at the side's thread count; share = bound / "
                + "measured median (100 % = at the physical limit). FLOP counts the GEMMs (2·m·k·n each: forward, "
                + "weight gradient, and for the MLP the hidden-layer input gradient); bytes count one pass over the "
                + "training data per epoch (data sets are larger than the last-level cache; parameters and optimizer "
                + "state stay in cache). W4 does no measurable arithmetic: it is bound by per-step overhead.\n\n");
        StringBuilder rh = new StringBuilder("| case | GFLOP | MB | description |");
        StringBuilder rr = new StringBuilder("|---|---:|---:|---|");
        for (SideInfo s : cpuSides()) {
            rh.append(" bound / share ").append(s.id()).append(" |");
            rr.append("---:|");
        }
        md.append(rh).append('\n').append(rr).append('\n');
        for (Row row : rows) {
            Compare.Case c = row.c();
            md.append("| ").append(c.id()).append(" | ").append(String.format(Locale.ROOT, "%.3g", c.flops() / 1e9))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", c.bytes() / 1e6)).append(" | ")
                    .append(c.note()).append(" |");
            for (SideInfo s : cpuSides()) {
                double b = bound(c, s);
                md.append(' ').append(time(b)).append(" / ").append(percent(b / median(row.samples().get(s.id()))))
                        .append(" |");
            }
            md.append('\n');
        }

        boolean cudaColumn = descentCuda != null || torchCuda != null;
        md.append("\n## Cross-checks: same work, same results\n\n| case | descent vs PyTorch | descent thread counts ")
                .append(cudaColumn ? "| CUDA vs CPU (same data order, round by round) " : "")
                .append("| load before → after |\n|---|---|---|---|").append(cudaColumn ? "---|" : "").append("\n");
        for (Row row : rows) {
            md.append("| ").append(row.c().id()).append(" | ").append(torchCheck(row)).append(" | ")
                    .append(threadCheck(row)).append(" | ");
            if (cudaColumn) {
                md.append(cudaCheck(row)).append(" | ");
            }
            md.append(row.loadBefore()).append(" → ").append(row.loadAfter()).append(" |\n");
        }

        md.append("\n## All runs (seconds per unit)\n\nWarm-up runs use the parameters in the last column (W3 and W5 "
                + "warm up on one epoch); a JIT warms up during them, Python does not need to: descent's sides add runs "
                + "until two in a row compile nothing.\n\n"
                + "| case | side | measured runs | warm-up runs | warm-up parameters |\n|---|---|---|---|---|\n");
        for (Row row : rows) {
            for (SideInfo s : sides) {
                md.append("| ").append(row.c().id()).append(" | ").append(s.id()).append(" | ")
                        .append(joined(row.samples().get(s.id()))).append(" | ")
                        .append(joined(row.warmups().get(s.id()))).append(" | `")
                        .append(Compare.command(row.c().workload(), row.c().warmupParams())).append("` |\n");
            }
        }
        return md.toString();
    }

    private static String joined(List<DescentWorkloads.Sample> xs) {
        List<String> values = new ArrayList<>();
        for (DescentWorkloads.Sample x : xs) {
            values.add(String.format(Locale.ROOT, "%.4g", x.seconds()));
        }
        return String.join(", ", values);
    }

    private String csv() {
        SideInfo descentCuda = side("descent-cuda");
        SideInfo torchCuda = side("torch-cuda");
        boolean cudaRatio = descentCuda != null && torchCuda != null;
        StringBuilder csv = new StringBuilder("case,workload,unit,side,threads,runs,warmups,median_s,min_s,max_s,"
                + "speedup_vs_torch_ob1,target,flop,bytes,bound_s,roofline_share,load_before,load_after,"
                + "fma_peak_gflops,read_gbs,cpu_model,vector_bits,vector_isa"
                + (cudaRatio ? ",speedup_vs_torch_cuda" : "") + "\n");
        String machine = String.join(",", String.valueOf(cpu).replace(',', ';'), descentVectorBits(),
                HostCpu.vectorIsa().replace(',', ';'));
        SideInfo ob1 = side("torch-ob1");
        for (Row row : rows) {
            Compare.Case c = row.c();
            for (SideInfo s : sides) {
                List<DescentWorkloads.Sample> xs = row.samples().get(s.id());
                double m = median(xs);
                double speedup = ob1 == null ? Double.NaN : median(row.samples().get(ob1.id())) / m;
                double b = bound(c, s);
                int t = s.threads() >= cores ? 0 : s.threads();
                boolean cpu = !s.cuda();
                csv.append(String.join(",", Arrays.asList(c.id(), c.workload(), c.unit(), s.id(),
                        Integer.toString(s.threads()), Integer.toString(xs.size()),
                        Integer.toString(row.warmups().get(s.id()).size()),
                        num(m), num(min(xs)), num(max(xs)), s.id().startsWith("descent") && cpu ? num(speedup) : "",
                        num(c.target()), num(c.flops()), num(c.bytes()), num(b), num(b / m), row.loadBefore(),
                        row.loadAfter(), peak == null || !cpu ? "" : num(peak.fma(t)),
                        peak == null || !cpu ? "" : num(peak.read(t)), machine)));
                if (cudaRatio) {
                    csv.append(',').append(s == descentCuda ? num(median(row.samples().get(torchCuda.id())) / m)
                            : "");
                }
                csv.append('\n');
            }
        }
        return csv.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    void write() throws IOException {
        writeAtomically(options.out().resolve("compare.md"), markdown());
        writeAtomically(options.out().resolve("compare.csv"), csv());
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}

package dev.descent.bench;

import dev.descent.backend.Availability;
import dev.descent.backend.Backend;
import dev.descent.data.Dataset;
import dev.descent.data.io.IdxReader;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * descent and PyTorch side by side on the same workloads, in one run: {@code benchmarks/scripts/compare-pytorch.sh}
 * builds and starts it. See {@code benchmarks/README.md} for what each workload is and how the times are taken.
 *
 * <p>For every case the sides (descent with 1 thread and with all cores, PyTorch with OpenBLAS on one thread, PyTorch
 * as installed) first run the warm-up runs, alternating, then the measured rounds, alternating with a rotating start
 * so that no side always runs first. Each side times itself (System.nanoTime around {@code trainer.run()};
 * time.perf_counter around the lecture's loop). The tables report medians, the speed-up of descent over each PyTorch
 * configuration, the machine's measured limits (FMA peak, memory bandwidth) and each run's share of its roofline,
 * and the cross-checks that both sides computed the same thing.
 *
 * <p>With {@code --cuda auto} (the default) descent's CUDA backend joins as the side {@code descent-cuda} when it is on
 * the class path and available, and PyTorch on device="cuda" as {@code torch-cuda} beside it; each side that cannot
 * run is recorded as one "skipped" line in the report's header. {@code --cuda on} makes an unavailable CUDA backend
 * an error, {@code --cuda off} never tries.
 */
public final class Compare {
    private Compare() {
    }

    /** {@code --cuda}: whether descent's CUDA side (and PyTorch's beside it) runs. */
    enum CudaMode {
        /** Runs the CUDA sides when they are available, else records why not. */
        AUTO,
        /** Runs the CUDA sides; descent's CUDA backend being unavailable is an error. */
        ON,
        /** Never tries CUDA. */
        OFF;

        static CudaMode parse(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "on" -> ON;
                case "off" -> OFF;
                default -> throw new IllegalArgumentException("--cuda: unknown value '" + value
                        + "' (auto, on or off)");
            };
        }
    }

    /** {@code --cuda on}, but descent's CUDA backend cannot be used here: the message is the one line to print. */
    static final class CudaUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CudaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Exit status of {@link #main} when {@code --cuda on} finds no usable CUDA backend. */
    static final int EXIT_CUDA_UNAVAILABLE = 3;

    /**
     * Command-line options. {@code peersGiven}: whether {@code --peers} was on the command line (otherwise the
     * default ob1,default, to which {@code --cuda auto|on} adds the cuda peer when descent-cuda runs).
     */
    record Options(boolean quick, Path out, Set<String> only, List<Integer> threads, List<String> peers, String python,
            Path script, Path fashionDir, int probeMegabytes, boolean probe, Path jfrPrefix, CudaMode cuda,
            boolean peersGiven, int settleMillis) {
        static final List<String> PEERS = List.of("ob1", "default", "cuda");

        static Options parse(String[] args) {
            boolean quick = false;
            Path out = Path.of("results", "benchmarks");
            Set<String> only = new LinkedHashSet<>();
            List<Integer> threads = List.of(1, 0);
            List<String> peers = List.of("ob1", "default");
            String python = "/usr/bin/python3";
            Path script = Path.of("benchmarks", "scripts", "torch_workloads.py");
            Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
            int mb = 512;
            boolean probe = true;
            Path jfr = null;
            CudaMode cuda = CudaMode.AUTO;
            boolean peersGiven = false;
            int settle = 300;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> quick = true;
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--only" -> only.addAll(Arrays.asList(value(args, ++i, a).toUpperCase(Locale.ROOT)
                            .split(",")));
                    case "--threads" -> {
                        List<Integer> ts = new ArrayList<>();
                        for (String t : value(args, ++i, a).split(",")) {
                            int n = integer(t, a);
                            if (n < 0) {
                                throw new IllegalArgumentException(a + ": '" + t.trim() + "' is negative (0 = all "
                                        + "cores)");
                            }
                            ts.add(n);
                        }
                        threads = List.copyOf(ts);
                    }
                    case "--peers" -> {
                        String v = value(args, ++i, a).trim();
                        Set<String> named = new LinkedHashSet<>();
                        if (!v.equals("none")) {
                            for (String p : v.split(",")) {
                                String peer = p.trim();
                                if (!PEERS.contains(peer)) {
                                    throw new IllegalArgumentException("--peers: unknown peer '" + peer
                                            + "' (ob1, default, cuda, or none)");
                                }
                                named.add(peer);
                            }
                        }
                        peers = List.copyOf(named);
                        peersGiven = true;
                    }
                    case "--cuda" -> cuda = CudaMode.parse(value(args, ++i, a));
                    case "--python" -> python = value(args, ++i, a);
                    case "--script" -> script = Path.of(value(args, ++i, a));
                    case "--fashion-dir" -> fashion = Path.of(value(args, ++i, a));
                    case "--probe-mb" -> mb = integer(value(args, ++i, a), a);
                    case "--no-probe" -> probe = false;
                    case "--jfr" -> jfr = Path.of(value(args, ++i, a));
                    case "--settle-ms" -> {
                        settle = integer(value(args, ++i, a), a);
                        if (settle < 0) {
                            throw new IllegalArgumentException(a + ": " + settle + " is negative");
                        }
                    }
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
                }
            }
            return new Options(quick, out, only, threads, peers, python, script, fashion, mb, probe, jfr, cuda,
                    peersGiven, settle);
        }

        private static int integer(String text, String option) {
            try {
                return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + text.trim() + "' is not a whole number");
            }
        }

        /**
         * The PyTorch peers to start: the {@code --peers} list as given; without {@code --peers}, ob1 and default,
         * plus cuda unless {@code --cuda off} (it then runs only beside descent-cuda, see {@link Compare#run}).
         */
        List<String> peersToStart() {
            if (peersGiven || cuda == CudaMode.OFF || peers.contains("cuda")) {
                return peers;
            }
            List<String> all = new ArrayList<>(peers);
            all.add("cuda");
            return List.copyOf(all);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        boolean wanted(String workload, String caseId) {
            return only.isEmpty() || only.contains(workload) || only.contains(caseId.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Sleeps before a run, so that no side pays for the one before it: OpenBLAS's workers spin-wait for a while after
     * each call (torch-default runs two), as do the JVM's compiler threads and descent's pool (200 µs).
     */
    static void settle(int millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Most warm-up runs a descent side adds to a case's while its runs still make the JIT compile. */
    static final int MAX_JIT_WARMUPS = 25;

    /**
     * Total JIT compilation time of this JVM so far, in ms ({@link java.lang.management.CompilationMXBean}), or -1
     * where the JVM does not report it.
     */
    static long jitMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * More warm-up runs for a side that runs in this JVM, until two in a row (each with the idle pause before it)
     * compile nothing, at most {@link #MAX_JIT_WARMUPS}. A fixed count of warm-up runs left C2 still compiling kernels
     * (softmax, GEMM panel, the log) during W1's measured runs, on the compiler threads that share the two cores:
     * those medians came out 10–15 % slower than the same epochs timed after a longer warm-up. A kernel called once
     * per step (the optimizer update: one call per full-batch epoch) reaches C1 only after about 26 calls, and C2 later
     * still: in a JFR profile of the measured W1 runs it still ran as interpreted Vector API code (6 % of the samples)
     * after 10 one-epoch warm-ups. The extra runs are listed with the warm-up runs in the report.
     */
    static void warmUntilJitQuiet(Side s, Case c, List<DescentWorkloads.Sample> warm, int settleMillis)
            throws IOException {
        if (jitMillis() < 0) {
            return;
        }
        int quiet = 0;
        for (int extra = 0; extra < MAX_JIT_WARMUPS && quiet < 2; extra++) {
            long before = jitMillis();
            settle(settleMillis);
            warm.add(s.run(c.workload(), c.warmupParams()));
            quiet = jitMillis() == before ? quiet + 1 : 0;
        }
    }

    static final String USAGE = """
            usage: Compare [--quick] [--out DIR] [--only W1,W2,W3-...] [--threads 1,0]
                           [--peers ob1,default,cuda|none] [--cuda auto|on|off]
                           [--python /usr/bin/python3] [--script benchmarks/scripts/torch_workloads.py]
                           [--fashion-dir /usr/share/datasets/fashion-mnist] [--probe-mb 512] [--no-probe]
                           [--jfr PREFIX] [--settle-ms 300]
              --threads  descent backend thread counts to run (0 = all cores); default 1,0
              --peers    PyTorch configurations: ob1 (OpenBLAS, 1 thread), default (as installed), cuda
                         (device="cuda"), or none; default ob1,default (and cuda beside descent-cuda)
              --cuda     auto (default): add descent's CUDA backend as side descent-cuda, and torch-cuda beside it,
                         when available, else record why not; on: the same, but an unavailable CUDA backend is an
                         error (exit status 3); off: CPU only
              --jfr      record the measured rounds (not the warm-up) of every case with Java Flight Recorder,
                         CPU samples every 2 ms, into PREFIX-<case>.jfr
              --settle-ms  idle pause before every run (default 300): the previous side's lingering threads
                         (OpenBLAS's spin-waiting workers, the JVM's compiler and pool) go quiet first
              --quick    fewer rounds and epochs (a couple of minutes); default is the full run""";

    /** A workload configuration run by every side. Times are per {@link #unit}. */
    record Case(String id, String workload, Map<String, String> params, Map<String, String> warmupParams, int warmups,
            int reps, String unit, double flops, double bytes, double target, String note, boolean varySeed) {
        /** The parameters of measured round {@code r}: with {@link #varySeed} the seed is the base seed + r. */
        Map<String, String> round(int r) {
            if (!varySeed) {
                return params;
            }
            Map<String, String> p = new LinkedHashMap<>(params);
            p.put("seed", Long.toString(Long.parseLong(params.get("seed")) + r));
            return p;
        }

    }

    /** A side of the comparison. */
    interface Side {
        String id();

        String label();

        /** Threads its compute uses, for the roofline (0 = all cores). */
        int peakThreads();

        /** Whether it computes on the GPU (no CPU roofline then). */
        default boolean cuda() {
            return false;
        }

        /** Whether it runs in this JVM, whose JIT compiles it during its first runs (descent's sides). */
        default boolean jit() {
            return false;
        }

        DescentWorkloads.Sample run(String workload, Map<String, String> params) throws IOException;
    }

    static final int SIGN_ROWS = SyntheticSignData.ROWS;
    static final int FASHION_TRAIN = 60_000;

    /** The cases of a run. FLOP and bytes are the workload's minimum, per unit (see the README's roofline notes). */
    static List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int n = SIGN_ROWS;
        double signBytes = (double) n * 784 * 4;
        double softmaxFlopPerEpoch = 4.0 * n * 784 * 24; // forward X·W and gradient Xᵀ·G, 2mnk each
        // Epochs per W1 run: each run starts after the idle pause (--settle-ms), and the first epoch after it pays
        // about 1 ms on either thread count (caches and clocks gone cold; W1Sleep-style runs with a 300 ms pause vs
        // none), a cost per run, not per epoch. 10 epochs spread it as training does (the lecture runs 200); with 3 it
        // weighed a third of a millisecond per epoch, 2.5 % of descent's and 0.8 % of PyTorch's.
        int w1Epochs = quick ? 3 : 10;
        for (String opt : List.of("sgd", "momentum", "adam")) {
            String lr = opt.equals("adam") ? "1e-05" : "1e-06";
            cases.add(new Case("W1-" + opt, "W1", map("opt", opt, "epochs", Integer.toString(w1Epochs), "lr", lr),
                    map("opt", opt, "epochs", Integer.toString(w1Epochs), "lr", lr), quick ? 4 : 10, quick ? 3 : 9,
                    "s/epoch",
                    softmaxFlopPerEpoch, signBytes, 3.0,
                    "full batch, " + w1Epochs + " epochs from W = 0 per run, time per epoch", false));
        }
        for (int batch : new int[] {8, 16, 64, 1024, 4096}) {
            double target = batch <= 16 ? 10 : batch == 64 ? 5 : 4;
            cases.add(new Case("W2-b" + batch, "W2", map("batch", Integer.toString(batch), "epochs", "1", "lr",
                    "1e-05", "seed", "1"), map("batch", Integer.toString(batch), "epochs", "1", "lr", "1e-05",
                    "seed", "2"), 1, quick ? 3 : 5, "s/epoch", softmaxFlopPerEpoch, signBytes, target,
                    "Adam, " + ((n + batch - 1) / batch) + " steps per epoch", false));
        }
        int w3Epochs = quick ? 2 : 20;
        double fashionBytes = (double) FASHION_TRAIN * 784 * 4;
        cases.add(new Case("W3", "W3", map("epochs", Integer.toString(w3Epochs), "batch", "16", "lr", "1e-05", "seed",
                "1"), map("epochs", "1", "batch", "16", "lr", "1e-05", "seed", "100"), 1, quick ? 2 : 3, "s/run",
                w3Epochs * 4.0 * FASHION_TRAIN * 784 * 10, w3Epochs * fashionBytes, 10.0,
                w3Epochs + " epochs at batch 16, raw pixels 0..255, Adam lr 1e-5; seed 1, 2, ... by round", true));
        cases.add(new Case("W4", "W4", map("steps", "1000", "lr", "0.01"), map("steps", "1000", "lr", "0.01"),
                3, quick ? 5 : 10, "s/run", 0, 0, 100.0, "1000 Adam steps, Rosenbrock c = 100 from (-1.5, 2)", false));
        int w5Epochs = quick ? 1 : 5;
        double mlpFlopPerEpoch = FASHION_TRAIN * (2.0 * 2 * 784 * 256 + 3.0 * 2 * 256 * 10);
        cases.add(new Case("W5", "W5", map("epochs", Integer.toString(w5Epochs), "batch", "64", "lr", "0.001",
                "hidden", "256", "seed", "1"), map("epochs", "1", "batch", "64", "lr", "0.001", "hidden", "256",
                "seed", "100"), 1, quick ? 1 : 3, "s/run", w5Epochs * mlpFlopPerEpoch, w5Epochs * fashionBytes, 3.0,
                "MLP 784-256-10, " + w5Epochs + " epochs at batch 64, pixels / 255, Adam lr 1e-3; seed 1, 2, ... by "
                        + "round", true));
        return cases;
    }

    /** The PyTorch side's command line for a workload: {@code W2 batch=8 epochs=1 ...}. */
    static String command(String workload, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(workload);
        params.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Compare: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            run(options);
        } catch (CudaUnavailableException e) {
            System.err.println("Compare: " + e.getMessage());
            System.exit(EXIT_CUDA_UNAVAILABLE);
        } catch (TorchPeer.UnavailableException e) {
            System.err.println("Compare: " + e.getMessage()); // a CPU peer's python has no torch
            System.exit(1);
        }
    }

    /**
     * Whether descent's CUDA backend can run here, per {@code --cuda}: null when it can (or off), else the reason for
     * the skip line. With {@code --cuda on} an unavailable backend throws instead.
     */
    static String cudaSkipReason(Options o) {
        if (o.cuda() == CudaMode.OFF) {
            return null;
        }
        Availability a = BenchBackends.availability("cuda");
        if (a.available()) {
            return null;
        }
        if (o.cuda() == CudaMode.ON) {
            throw new CudaUnavailableException("--cuda on: descent's cuda backend is " + a, null);
        }
        return a.reason();
    }

    /** A {@link Side} from its description and how it runs a workload. */
    record SimpleSide(String id, String label, int peakThreads, boolean cuda, boolean jit, Runner runner)
            implements Side {
        @Override
        public DescentWorkloads.Sample run(String workload, Map<String, String> params) throws IOException {
            return runner.run(workload, params);
        }
    }

    /** Runs one workload once on a side. */
    @FunctionalInterface
    interface Runner {
        DescentWorkloads.Sample run(String workload, Map<String, String> params) throws IOException;
    }

    /** The data every side reads: the synthetic Sign-MNIST file (deleted at the end) and Fashion-MNIST when needed. */
    record Inputs(Path dataDir, Path signFile, List<Case> cases, DescentWorkloads.HostData host) {
    }

    static void run(Options o) throws IOException {
        Files.createDirectories(o.out());
        PrintStream log = System.err;
        long start = System.nanoTime();
        Report report = startReport(o);
        // before anything slow: --cuda on fails at once when the backend is unusable
        String cudaSkip = cudaSkipReason(o);
        if (cudaSkip != null) {
            skip(report, "descent-cuda", cudaSkip);
        }
        if (o.probe()) {
            log.println("[compare] probing this machine's FMA peak and memory bandwidth ...");
            report.peak = MachinePeak.measure(report.cores, o.probeMegabytes(), o.quick() ? 3 : 5);
            log.println("[compare] " + report.peak);
        }
        Inputs in = inputs(o, report);
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            List<Side> sides = new ArrayList<>(descentCpuSides(o, in.host(), report, closeables));
            Side cuda = cudaSkip == null ? descentCudaSide(o, in.host(), report, closeables) : null;
            if (cuda != null) {
                sides.add(cuda);
            }
            sides.addAll(torchSides(o, in.signFile(), cuda != null, report, closeables));
            report.sides = sides.stream().map(s -> new Report.SideInfo(s.id(), s.label(), s.peakThreads(), s.cuda()))
                    .toList();
            for (Case c : in.cases()) {
                measure(o, c, sides, report);
                if (c.workload().equals("W3")) {
                    release(closeables, "fashion-train-raw");
                    release(closeables, "fashion-test-raw");
                }
                report.loadEnd = Report.loadAverage();
                report.elapsedSeconds = (System.nanoTime() - start) / 1e9;
                report.write();
            }
        } finally {
            for (AutoCloseable c : closeables.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.println("[compare] closing " + c + ": " + e.getMessage());
                }
            }
            Files.deleteIfExists(in.signFile());
            Files.deleteIfExists(in.dataDir());
        }
        report.loadEnd = Report.loadAverage();
        report.elapsedSeconds = (System.nanoTime() - start) / 1e9;
        report.write();
        log.printf(Locale.ROOT, "[compare] done in %.0f s: %s, %s%n", report.elapsedSeconds,
                o.out().resolve("compare.md"), o.out().resolve("compare.csv"));
        System.out.println(Files.readString(o.out().resolve("compare.md"), StandardCharsets.UTF_8));
    }

    /** The report's header: start time, load, CPU, JVM, cores. */
    private static Report startReport(Options o) {
        Report report = new Report(o);
        report.started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        report.loadStart = Report.loadAverage();
        report.cpu = dev.descent.backend.HostCpu.model();
        report.java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; JVM options " + Report.jvmOptions() + "; transparent huge pages " + Report.hugePageMode();
        report.cores = Runtime.getRuntime().availableProcessors();
        return report;
    }

    private static void skip(Report report, String what, String why) {
        report.skipped.add(what + ": skipped: " + why);
        System.err.println("[compare] " + what + ": skipped: " + why);
    }

    /** Writes the synthetic Sign-MNIST data, picks the cases, and reads Fashion-MNIST if a case needs it. */
    private static Inputs inputs(Options o, Report report) throws IOException {
        System.err.println("[compare] writing the synthetic Sign-MNIST-shaped data and reading Fashion-MNIST ...");
        Path dataDir = Files.createTempDirectory("descent-compare-");
        Path signFile = dataDir.resolve("sign-synthetic-27455x784.bin");
        SyntheticSignData sign = SyntheticSignData.create(20_240_607L, signFile);
        Dataset signSet = Dataset.classification("synthetic sign-mnist", sign.features, sign.rows, sign.pixels,
                sign.labels, sign.classes);
        List<Case> cases = new ArrayList<>();
        for (Case c : cases(o.quick())) {
            if (o.wanted(c.workload(), c.id())) {
                cases.add(c);
            }
        }
        boolean needFashion = cases.stream().anyMatch(c -> c.workload().equals("W3") || c.workload().equals("W5"));
        String fashionMissing = needFashion ? missingFashion(o.fashionDir()) : null;
        if (fashionMissing != null) {
            // e.g. the GPU machine, where the data set is not installed and does not fit the bundle
            for (String w : List.of("W3", "W5")) {
                if (cases.removeIf(c -> c.workload().equals(w))) {
                    skip(report, w, fashionMissing);
                }
            }
            needFashion = false;
        }
        Dataset trainRaw = null;
        Dataset testRaw = null;
        Dataset trainScaled = null;
        Dataset testScaled = null;
        if (needFashion) {
            Path d = o.fashionDir();
            trainRaw = IdxReader.read(d.resolve("train-images-idx3-ubyte.gz"), d.resolve("train-labels-idx1-ubyte.gz"),
                    10);
            testRaw = IdxReader.read(d.resolve("t10k-images-idx3-ubyte.gz"), d.resolve("t10k-labels-idx1-ubyte.gz"),
                    10);
            trainScaled = scaled(trainRaw);
            testScaled = scaled(testRaw);
        }
        return new Inputs(dataDir, signFile, cases, new DescentWorkloads.HostData(signSet, trainRaw, testRaw,
                trainScaled, testScaled));
    }

    /** descent's CPU backend at each requested thread count. */
    private static List<Side> descentCpuSides(Options o, DescentWorkloads.HostData host, Report report,
            List<AutoCloseable> closeables) {
        List<Side> sides = new ArrayList<>();
        java.util.Set<Integer> opened = new java.util.HashSet<>();
        for (int t : o.threads()) {
            DescentWorkloads w = new DescentWorkloads(BenchBackends.open("cpu", t), host);
            int actual = w.backend().threads();
            if (!opened.add(actual)) {
                // "All cores" where the width plan gives this workload one thread: the side already measured.
                w.close();
                String why = "threads=" + t + " resolves to " + actual + (actual == 1 ? " thread" : " threads")
                        + " (the CPU backend's plan for this workload): the same side as descent-" + actual
                        + "t, not run twice";
                System.err.println("[compare] descent " + why);
                report.descentDescriptions.add(why);
                continue;
            }
            closeables.add(w);
            report.descentDescriptions.add(w.backend().description());
            sides.add(new SimpleSide("descent-" + actual + "t", "descent, " + actual
                    + (actual == 1 ? " thread" : " threads"), actual, false, true, w::run));
        }
        return sides;
    }

    /** descent's CUDA backend, or null when it does not open (and --cuda is not "on"). */
    private static Side descentCudaSide(Options o, DescentWorkloads.HostData host, Report report,
            List<AutoCloseable> closeables) {
        if (o.cuda() == CudaMode.OFF) {
            return null;
        }
        Backend cuda;
        try {
            cuda = BenchBackends.open("cuda", 0);
        } catch (RuntimeException e) {
            if (o.cuda() == CudaMode.ON) {
                throw new CudaUnavailableException("--cuda on: descent's cuda backend did not open: "
                        + e.getMessage(), e);
            }
            skip(report, "descent-cuda", e.getMessage());
            return null;
        }
        DescentWorkloads w = new DescentWorkloads(cuda, host);
        closeables.add(w);
        report.descentDescriptions.add(cuda.description());
        System.err.println("[compare] descent-cuda: " + cuda.description());
        return new SimpleSide("descent-cuda", "descent, CUDA", w.backend().threads(), true, true, w::run);
    }

    /** The PyTorch peers, each a Python process of its own. */
    private static List<Side> torchSides(Options o, Path signFile, boolean descentCuda, Report report,
            List<AutoCloseable> closeables) throws IOException {
        PrintStream log = System.err;
        Path torchLog = o.out().resolve("torch-stderr.log");
        Files.deleteIfExists(torchLog);
        List<Side> sides = new ArrayList<>();
        for (String p : o.peersToStart()) {
            TorchPeer.Config config = TorchPeer.forPeer(p);
            TorchPeer peer;
            try {
                peer = new TorchPeer(config, o.python(), o.script(), signFile, o.fashionDir(), torchLog);
            } catch (TorchPeer.UnavailableException e) {
                if (!config.cuda()) {
                    throw new TorchPeer.UnavailableException(config.id() + ": " + e.getMessage());
                }
                skip(report, config.id(), e.getMessage());
                continue;
            }
            if (config.cuda() && !o.peersGiven() && !descentCuda) {
                peer.close();
                skip(report, config.id(), "torch has CUDA here, but descent-cuda did not run (--cuda "
                        + o.cuda().name().toLowerCase(Locale.ROOT) + " adds torch-cuda beside it; --peers cuda runs "
                        + "it alone)");
                continue;
            }
            closeables.add(peer);
            Map<String, String> info = peer.run("info");
            try {
                TorchPeer.checkBlas(config, info);
            } catch (TorchPeer.UnavailableException e) { // the peer is closed with the other closeables
                throw new TorchPeer.UnavailableException(config.id() + ": " + e.getMessage());
            }
            report.torchInfo.put(config.id(), info);
            int threads = Math.max(parseIntOr(info.get("threads"), 1), parseIntOr(info.get("openblas_threads"), 1));
            if (config.cuda()) {
                log.println("[compare] " + config.id() + ": torch " + info.get("torch") + ", CUDA "
                        + info.get("cuda") + ", " + info.get("gpu") + ", " + info.get("threads")
                        + " torch host threads");
            } else {
                log.println("[compare] " + config.id() + ": torch " + info.get("torch") + ", "
                        + info.get("threads") + " torch threads, BLAS " + info.get("libs") + ", OpenBLAS core "
                        + info.get("openblas_core") + ", " + info.get("openblas_threads") + " OpenBLAS threads");
            }
            sides.add(new SimpleSide(config.id(), config.label(), threads, config.cuda(), false, (workload, params) -> {
                Map<String, String> r = peer.run(command(workload, params));
                String s = r.containsKey("per_epoch") ? r.get("per_epoch") : r.get("seconds");
                return new DescentWorkloads.Sample(Double.parseDouble(s), r);
            }));
        }
        return sides;
    }

    /** One case on every side: warm-up rounds, then measured rounds, rotating the side order each round. */
    private static void measure(Options o, Case c, List<Side> sides, Report report) throws IOException {
        PrintStream log = System.err;
        String loadBefore = Report.loadAverage();
        log.printf(Locale.ROOT, "[compare] %s (%s): %d warm-up + %d measured runs per side  [load %s]%n",
                c.id(), c.note(), c.warmups(), c.reps(), loadBefore);
        Map<String, List<DescentWorkloads.Sample>> warm = new LinkedHashMap<>();
        Map<String, List<DescentWorkloads.Sample>> samples = new LinkedHashMap<>();
        for (Side s : sides) {
            warm.put(s.id(), new ArrayList<>());
            samples.put(s.id(), new ArrayList<>());
        }
        for (int r = 0; r < c.warmups(); r++) {
            for (Side s : rotate(sides, r)) {
                settle(o.settleMillis());
                warm.get(s.id()).add(s.run(c.workload(), c.warmupParams()));
            }
        }
        for (Side s : sides) {
            if (s.jit()) {
                warmUntilJitQuiet(s, c, warm.get(s.id()), o.settleMillis());
            }
        }
        try (JfrRounds recording = o.jfrPrefix() == null ? null : new JfrRounds()) {
            for (int r = 0; r < c.reps(); r++) {
                for (Side s : rotate(sides, r)) {
                    settle(o.settleMillis());
                    samples.get(s.id()).add(s.run(c.workload(), c.round(r)));
                }
            }
            if (recording != null) {
                Path file = Path.of(o.jfrPrefix() + "-" + c.id() + ".jfr");
                recording.dump(file);
                log.println("[compare]   JFR recording of the measured rounds: " + file);
            }
        }
        report.add(c, warm, samples, loadBefore, Report.loadAverage());
        StringBuilder line = new StringBuilder("[compare]   medians:");
        for (Side s : sides) {
            line.append(String.format(Locale.ROOT, " %s %.4g %s;", s.id(), Report.median(samples.get(s.id())),
                    c.unit()));
        }
        log.println(line);
    }

    /**
     * A JFR recording with the "profile" settings and CPU samples every 2 ms. A class of its own so that Compare
     * itself loads on a runtime without the jdk.jfr module (the jlinked runtime of the GPU bundle).
     */
    static final class JfrRounds implements AutoCloseable {
        private final Recording recording;

        JfrRounds() throws IOException {
            try {
                recording = new Recording(Configuration.getConfiguration("profile"));
                recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
                recording.start();
            } catch (java.text.ParseException e) {
                throw new IOException("JFR profile settings: " + e.getMessage(), e);
            }
        }

        /** Stops the recording and writes it to {@code file}. */
        void dump(Path file) throws IOException {
            recording.stop();
            recording.dump(file);
        }

        @Override
        public void close() {
            recording.close();
        }
    }

    private static void release(List<AutoCloseable> closeables, String prefix) {
        for (AutoCloseable c : closeables) {
            if (c instanceof DescentWorkloads w) {
                w.release(prefix);
            }
        }
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static final List<String> FASHION_FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /** Why Fashion-MNIST cannot be read from {@code dir}, or null when its four files are there. */
    static String missingFashion(Path dir) {
        List<String> missing = FASHION_FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
        return missing.isEmpty() ? null : "no Fashion-MNIST in " + dir + " (missing " + String.join(", ", missing)
                + "; --fashion-dir names another folder)";
    }

    /** The sides starting at index {@code r}: round r's order. */
    static <T> List<T> rotate(List<T> list, int r) {
        List<T> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(list.get((i + r) % list.size()));
        }
        return out;
    }

    /** Pixels / 255 (float32 division, as numpy's float32 division on the PyTorch side). */
    static Dataset scaled(Dataset raw) {
        float[] src = raw.features();
        float[] dst = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            dst[i] = src[i] / 255f;
        }
        return raw.withFeatures(dst, raw.featureCount());
    }
}

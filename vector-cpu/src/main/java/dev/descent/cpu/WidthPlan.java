package dev.descent.cpu;

import dev.descent.backend.HostCpu;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The CPU backend's measured vector-width plan: which width ran this machine's training workloads fastest, as
 * {@link WidthPlanner} measured it, cached in a small properties file so that every later JVM on the same machine
 * starts with that width (like FFTW's wisdom). The width is chosen once per JVM, never per call: one float species
 * per JVM is what keeps the kernels free of boxed vectors (see {@link VectorKernels}).
 *
 * <p>Where the plan lives: {@value #PROPERTY} names a file (or {@code none}: no plan is read), else
 * {@code cpu-width-plan.properties} in descent's cache folder ({@code -Ddescent.cache.dir}, {@code DESCENT_CACHE_DIR},
 * {@code $XDG_CACHE_HOME/descent} or {@code ~/.cache/descent}). A plan is used only on the machine and build it was
 * measured on: its key (CPU model, the widest vector width, the JVM's version, a checksum of the kernels' code) must
 * match this JVM's; otherwise it is ignored and {@link KernelSelection} says so. {@code -Ddescent.vector.bits}
 * overrides any plan.
 *
 * @param key     the machine the plan was measured on ({@link #machineKey})
 * @param bits    the chosen width
 * @param seconds   per workload, per width: the median seconds the probe measured on all cores
 * @param oneThread per workload, per width: the same on one thread (empty when not measured)
 * @param measured  when, as an ISO instant
 */
record WidthPlan(String key, int bits, Map<String, Map<Integer, Double>> seconds,
        Map<String, Map<Integer, Double>> oneThread, String measured) {

    /** A plan measured on all cores only. */
    WidthPlan(String key, int bits, Map<String, Map<Integer, Double>> seconds, String measured) {
        this(key, bits, seconds, Map.of(), measured);
    }

    /** System property: the plan file to read and write, or {@code none}. */
    static final String PROPERTY = "descent.vector.plan";
    static final String FILE_NAME = "cpu-width-plan.properties";

    WidthPlan {
        seconds = copy(seconds);
        oneThread = copy(oneThread);
    }

    /**
     * The thread count for {@code workload} at {@code bits}: 1 where one thread ran it at least 5 % faster than all
     * cores (small minibatch steps, where handing work to another core costs more than it saves on some machines),
     * else 0 (all cores).
     */
    int threadsFor(String workload, int bits) {
        Double all = seconds.getOrDefault(workload, Map.of()).get(bits);
        Double one = oneThread.getOrDefault(workload, Map.of()).get(bits);
        return all != null && one != null && one < 0.95 * all ? 1 : 0;
    }

    /** The plan file of this JVM, or null when {@value #PROPERTY} is {@code none}. */
    static Path file() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            return p.trim().equalsIgnoreCase("none") ? null : Path.of(p.trim());
        }
        return cacheDir().resolve(FILE_NAME);
    }

    /** descent's cache folder, found as the data downloader finds it. */
    private static Path cacheDir() {
        return dev.descent.data.io.Downloader.defaultCacheDir();
    }

    /**
     * What identifies this machine, JVM and build for a plan: the CPU model, the widest vector width, the JVM version,
     * and {@link #kernelsId()}. A plan measured before the kernels changed is ignored like another machine's: which
     * width is fastest follows the kernels (a new tile can make the narrower width win for a workload).
     */
    static String machineKey(int preferredBits) {
        return HostCpu.model() + " | " + preferredBits + "-bit | " + System.getProperty("os.arch", "?") + " | Java "
                + Runtime.version() + " | kernels " + kernelsId();
    }

    /**
     * The classes (of this package) whose code decides how fast the planner's workloads run at each width; named, not
     * referenced, so that computing the key loads none of them (VectorKernels needs the Vector API module).
     */
    private static final List<String> TIMED_CLASSES = List.of("VectorKernels", "Gemm", "FusedSoftmaxRegression",
            "Losses", "OptimizerSteps", "RowOps", "RowPrefetcher", "WorkerPool", "CpuBackend");

    private static String kernelsId;

    /**
     * A CRC-32 of the class files of {@link #TIMED_CLASSES}, in hex: the same for every build of the same code (javac
     * writes the same bytes), different once any of them changes. Reading them costs well under a millisecond, once.
     * A class file that cannot be read counts as empty.
     */
    static synchronized String kernelsId() {
        if (kernelsId == null) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            for (String c : TIMED_CLASSES) {
                crc.update(c.getBytes(StandardCharsets.UTF_8));
                try (java.io.InputStream in = WidthPlan.class.getResourceAsStream(c + ".class")) {
                    if (in != null) {
                        crc.update(in.readAllBytes());
                    }
                } catch (IOException e) {
                    // counts as empty: the key still names the classes
                }
            }
            kernelsId = String.format(Locale.ROOT, "%08x", crc.getValue());
        }
        return kernelsId;
    }

    /** The workloads measured, in the probe's order. */
    List<String> workloads() {
        return new ArrayList<>(seconds.keySet());
    }

    /** The widths measured, narrowest first. */
    List<Integer> widths() {
        TreeMap<Integer, Boolean> all = new TreeMap<>();
        for (Map<Integer, Double> m : seconds.values()) {
            for (Integer b : m.keySet()) {
                all.put(b, true);
            }
        }
        return new ArrayList<>(all.keySet());
    }

    /**
     * The width with the smallest geometric mean over the workloads of its time relative to the workload's fastest
     * width (1.0 = fastest everywhere), widths measured for every workload only; on a tie, the wider one.
     */
    static int choose(Map<String, Map<Integer, Double>> seconds) {
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int bits : new WidthPlan("", 0, seconds, "").widths()) {
            double score = score(seconds, bits);
            if (score <= bestScore) {
                bestScore = score;
                best = bits;
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("no width was measured for every workload: " + seconds);
        }
        return best;
    }

    /** The geometric mean of {@code bits}' time over each workload's fastest time; +inf if a workload lacks it. */
    static double score(Map<String, Map<Integer, Double>> seconds, int bits) {
        double logSum = 0;
        int n = 0;
        for (Map<Integer, Double> m : seconds.values()) {
            Double t = m.get(bits);
            if (t == null || !(t > 0) || !Double.isFinite(t)) {
                return Double.POSITIVE_INFINITY;
            }
            double fastest = m.values().stream().filter(v -> v > 0 && Double.isFinite(v))
                    .mapToDouble(Double::doubleValue).min().orElse(t);
            logSum += Math.log(t / fastest);
            n++;
        }
        return n == 0 ? Double.POSITIVE_INFINITY : Math.exp(logSum / n);
    }

    /**
     * The probe workload that stands for a run described by {@code dev.descent.backend.Backends#WORKLOAD_PROPERTY}
     * ({@code model=softmax|mlp,classes=N,batch=N}), or null when the text says nothing usable: an MLP is
     * {@code mlp-b64-10}; softmax regression with batches under 512 rows is {@code softmax-b16-24} or
     * {@code softmax-b16-10}, with larger or full batches (the fused pass) {@code softmax-full-24} or
     * {@code softmax-full-10}, whichever class count is nearer. (A plan measured before {@code softmax-b16-10} existed
     * answers for it with {@code softmax-b16-24}: {@link #measuredFor}.)
     */
    static String probeFor(String workload) {
        if (workload == null || workload.isBlank()) {
            return null;
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : workload.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        try {
            String model = kv.get("model");
            if ("mlp".equals(model)) {
                return "mlp-b64-10";
            }
            if (!"softmax".equals(model)) {
                return null;
            }
            int classes = Integer.parseInt(kv.getOrDefault("classes", "24"));
            int batch = Integer.parseInt(kv.getOrDefault("batch", "0"));
            if (batch > 0 && batch < 512) {
                return Math.abs(classes - 10) < Math.abs(classes - 24) ? "softmax-b16-10" : "softmax-b16-24";
            }
            return Math.abs(classes - 10) < Math.abs(classes - 24) ? "softmax-full-10" : "softmax-full-24";
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The fastest measured width for one workload, or -1 when it was not measured: each width counted at the thread
     * count {@link #threadsFor} gives it (one thread where that ran at least 5 % faster than all cores), so that a
     * width whose one-thread run beats every other width's is chosen even when its all-cores run does not. A narrower
     * width must be at least 5 % faster than the wider one it displaces, as one thread must against all cores: on a
     * noisy 2-core host (AMD EPYC, Zen 5) softmax-b16-24 measured 34.49 ms at 256 bits on both cores against 34.87 at
     * 512 on one thread, and the lecture's batch-16 epochs then ran 55-71 ms at 256 bits on both cores against 32-39
     * at 512 on one.
     */
    int bestFor(String workload) {
        Map<Integer, Double> m = seconds.get(workload);
        if (m == null || m.isEmpty()) {
            return -1;
        }
        List<Integer> widestFirst = new ArrayList<>(m.keySet());
        widestFirst.sort(Comparator.reverseOrder());
        int best = -1;
        double t = Double.POSITIVE_INFINITY;
        for (int bits : widestFirst) {
            double s = effectiveSeconds(workload, bits);
            if (best < 0 || s < 0.95 * t) {
                t = s;
                best = bits;
            }
        }
        return best;
    }

    /** The seconds of {@code workload} at {@code bits} on the thread count {@link #threadsFor} gives. */
    double effectiveSeconds(String workload, int bits) {
        return threadsFor(workload, bits) == 1 ? oneThread.get(workload).get(bits) : seconds.get(workload).get(bits);
    }

    /**
     * The measured workload that answers for {@code workload}: itself, or for {@code softmax-b16-10} in a plan measured
     * before that probe existed, {@code softmax-b16-24}.
     */
    String measuredFor(String workload) {
        if (!seconds.containsKey(workload) && "softmax-b16-10".equals(workload)) {
            return "softmax-b16-24";
        }
        return workload;
    }

    /** Each workload's fastest width (and 1 thread where that was faster), e.g. {@code mlp-b64-10 512}. */
    String perWorkload() {
        List<String> parts = new ArrayList<>();
        for (String w : seconds.keySet()) {
            int b = bestFor(w);
            parts.add(w + " " + b + (threadsFor(w, b) == 1 ? " on 1 thread" : ""));
        }
        return String.join(", ", parts);
    }

    /** One line: the width for one workload and how it compares with the widest. */
    String summaryFor(String workload) {
        int best = bestFor(workload);
        Map<Integer, Double> m = seconds.get(workload);
        List<Integer> widths = widths();
        int widest = widths.get(widths.size() - 1);
        if (best == widest || !m.containsKey(widest)) {
            return best + "-bit, the widest, was fastest on " + workload;
        }
        return String.format(Locale.ROOT, "%d-bit ran %s %.2f× as fast as %d-bit", best, workload,
                effectiveSeconds(workload, widest) / effectiveSeconds(workload, best), widest);
    }

    /** Reads a plan; null when the file does not exist; an exception naming the file when it cannot be parsed. */
    static WidthPlan read(Path file) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a properties file (" + e.getMessage() + ")", e);
        }
        String key = p.getProperty("key");
        String bitsText = p.getProperty("bits");
        if (key == null || bitsText == null) {
            throw new IOException(file + ": missing " + (key == null ? "key" : "bits"));
        }
        int bits = VectorBits.parse(bitsText);
        if (bits <= 0) {
            throw new IOException(file + ": bits=" + bitsText + " is not one of 128, 256, 512");
        }
        Map<String, Map<Integer, Double>> seconds = new LinkedHashMap<>();
        Map<String, Map<Integer, Double>> oneThread = new LinkedHashMap<>();
        String order = p.getProperty("workloads", "");
        for (String w : order.split(",")) {
            if (w.isBlank()) {
                continue;
            }
            seconds.put(w, numbers(p, file, "seconds." + w + "."));
            Map<Integer, Double> one = numbers(p, file, "seconds1." + w + ".");
            if (!one.isEmpty()) {
                oneThread.put(w, one);
            }
        }
        return new WidthPlan(key, bits, seconds, oneThread, p.getProperty("measured", "?"));
    }

    /** The numbers under {@code prefix + bits} for each width. */
    private static Map<Integer, Double> numbers(Properties p, Path file, String prefix) throws IOException {
        Map<Integer, Double> m = new TreeMap<>();
        for (int b : new int[] {128, 256, 512}) {
            String v = p.getProperty(prefix + b);
            if (v != null) {
                try {
                    m.put(b, Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": " + prefix + b + "=" + v + " is not a number");
                }
            }
        }
        return m;
    }

    /** Writes the plan to {@code file} atomically (descent's {@link dev.descent.model.AtomicFiles}). */
    void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# descent CPU backend: the vector width measured fastest on this machine (./descent backends --plan)\n");
        sb.append("# delete this file, or run the planner again, after changing the CPU or the JDK\n");
        sb.append("# cpu: ").append(dev.descent.backend.HostCpu.describe()).append('\n');
        sb.append("key=").append(escape(key)).append('\n');
        sb.append("bits=").append(bits).append('\n');
        sb.append("measured=").append(measured).append('\n');
        sb.append("workloads=").append(String.join(",", seconds.keySet())).append('\n');
        appendNumbers(sb, "seconds.", seconds);
        appendNumbers(sb, "seconds1.", oneThread);
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        dev.descent.model.AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** One line {@code PREFIX<workload>.<bits>=<seconds>} per measurement. */
    private static void appendNumbers(StringBuilder sb, String prefix, Map<String, Map<Integer, Double>> numbers) {
        for (Map.Entry<String, Map<Integer, Double>> e : numbers.entrySet()) {
            for (Map.Entry<Integer, Double> t : e.getValue().entrySet()) {
                sb.append(prefix).append(e.getKey()).append('.').append(t.getKey()).append('=').append(t.getValue())
                        .append('\n');
            }
        }
    }

    /** One line: the choice and how much it gains on the workloads over the widest width. */
    String summary() {
        List<Integer> widths = widths();
        int widest = widths.isEmpty() ? bits : widths.get(widths.size() - 1);
        if (widest == bits) {
            return bits + "-bit, the widest, was fastest overall";
        }
        double gain = score(seconds, widest) / score(seconds, bits);
        return String.format(Locale.ROOT, "%d-bit ran the probe workloads %.2f× as fast as %d-bit (geometric mean)",
                bits, gain, widest);
    }

    /** Java properties escaping of a value (the key holds colons and spaces). */
    private static String escape(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case ':', '=', '#', '!' -> sb.append('\\').append(c);
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static Map<String, Map<Integer, Double>> copy(Map<String, Map<Integer, Double>> m) {
        Map<String, Map<Integer, Double>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, Double>> e : m.entrySet()) {
            out.put(e.getKey(), new TreeMap<>(e.getValue()));
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}

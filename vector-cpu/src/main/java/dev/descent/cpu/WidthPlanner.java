package dev.descent.cpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Measures which vector width runs this machine's training workloads fastest and saves the choice as its
 * {@link WidthPlan}. Each width the hardware offers (128 and 256 bits on AVX2, also 512 on AVX-512) runs
 * {@link WidthProbe} in a JVM of its own, since the width is fixed per JVM (one float species per JVM keeps the kernels
 * free of boxed vectors), on all cores and on one thread: one probe JVM times both, their epochs alternating, so that
 * the thread counts are compared under the same conditions. The widths take turns, {@link #ROUNDS} rounds, and each
 * workload keeps the median over the rounds per width and thread count, so that neither a burst of load from another
 * process on a shared machine nor one lucky round decides the plan. (Timed in JVMs of their own, a minute or more
 * apart, and kept as the fastest round, the thread counts once compared the phases of a noisy 2-core host: its plan
 * ran the MLP on one thread, 5 % faster there, where it ran 1.7 times as fast on both cores in every comparison.)
 * The width with the best geometric mean over the workloads wins ({@link WidthPlan#choose}); each workload also keeps
 * its own fastest width, and one thread where that beat all cores.
 */
final class WidthPlanner {
    static final int ROUNDS = 3;

    /**
     * Runs one probe JVM at a width and returns its seconds per workload: {@code [all cores]}, or with
     * {@code paired} {@code [all cores, one thread]}, measured in turn ({@link WidthProbe}).
     */
    interface ProbeRunner {
        Map<String, double[]> run(int bits, boolean paired) throws IOException;
    }

    private WidthPlanner() {
    }

    /** The widths to try on hardware whose widest is {@code preferredBits}. */
    static List<Integer> candidates(int preferredBits) {
        List<Integer> out = new ArrayList<>();
        for (int b : new int[] {128, 256, 512}) {
            if (b <= preferredBits) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * Measures every candidate width {@code rounds} times with {@code runner} (the widths take turns, round by round;
     * on more than one core each probe pairs all cores with one thread) and returns the plan (not written). Each time
     * in the plan is the median over the rounds: one round in a slow phase of the machine, or one lucky round, then
     * decides nothing.
     */
    static WidthPlan measure(int preferredBits, int rounds, ProbeRunner runner, Consumer<String> progress)
            throws IOException {
        Map<String, Map<Integer, List<Double>>> all = new LinkedHashMap<>();
        Map<String, Map<Integer, List<Double>>> one = new LinkedHashMap<>();
        List<Integer> widths = candidates(preferredBits);
        boolean paired = Runtime.getRuntime().availableProcessors() > 1;
        for (int round = 0; round < rounds; round++) {
            for (int bits : widths) {
                progress.accept(String.format(Locale.ROOT, "round %d/%d: %d-bit, %s ...", round + 1, rounds, bits,
                        paired ? "all cores and 1 thread in turn" : "1 core"));
                for (Map.Entry<String, double[]> e : runner.run(bits, paired).entrySet()) {
                    addRound(all, e.getKey(), bits, e.getValue()[0]);
                    if (paired) {
                        addRound(one, e.getKey(), bits, e.getValue()[1]);
                    }
                }
            }
        }
        Map<String, Map<Integer, Double>> seconds = medians(all);
        int bits = WidthPlan.choose(seconds);
        return new WidthPlan(WidthPlan.machineKey(preferredBits), bits, seconds, medians(one),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** Adds one round's seconds of {@code workload} at {@code bits}. */
    private static void addRound(Map<String, Map<Integer, List<Double>>> rounds, String workload, int bits,
            double seconds) {
        rounds.computeIfAbsent(workload, k -> new TreeMap<>()).computeIfAbsent(bits, k -> new ArrayList<>())
                .add(seconds);
    }

    /** The median of each list (the lower middle one of an even count: the faster). */
    static Map<String, Map<Integer, Double>> medians(Map<String, Map<Integer, List<Double>>> rounds) {
        Map<String, Map<Integer, Double>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, List<Double>>> e : rounds.entrySet()) {
            Map<Integer, Double> m = new TreeMap<>();
            for (Map.Entry<Integer, List<Double>> t : e.getValue().entrySet()) {
                List<Double> sorted = new ArrayList<>(t.getValue());
                sorted.sort(null);
                m.put(t.getKey(), sorted.get((sorted.size() - 1) / 2));
            }
            out.put(e.getKey(), m);
        }
        return out;
    }

    /**
     * Measures this machine with probe JVMs (the running JVM's java, class path and heap), writes the plan to
     * {@link WidthPlan#file()} and returns it with the table of timings as text.
     */
    static String planAndSave(Consumer<String> progress) throws IOException {
        if (KernelSelection.kernels() == ScalarKernels.INSTANCE) {
            return "nothing to plan: the CPU backend runs its scalar kernels here (" + KernelSelection.reason() + ")";
        }
        Path file = WidthPlan.file();
        if (file == null) {
            throw new IOException("-D" + WidthPlan.PROPERTY + "=none: no plan file to write");
        }
        WidthPlan plan = measure(VectorKernels.preferredBits(), ROUNDS,
                (bits, paired) -> runProbeJvm(bits, paired ? List.of("--paired") : List.of()), progress);
        plan.write(file);
        return table(plan) + "chosen: " + plan.summary() + "\nsaved to " + file
                + " (every later run on this machine uses it; -D" + VectorBits.PROPERTY + "=N overrides it)";
    }

    /**
     * The timings as a text table: one row per workload, one column per width, the fastest marked {@code *}; then the
     * one-thread rows, {@code <} where one thread beat all cores at that width.
     */
    static String table(WidthPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("cpu: ").append(dev.descent.backend.HostCpu.describe()).append('\n');
        sb.append(String.format(Locale.ROOT, "%-18s", "workload (ms)"));
        for (int b : plan.widths()) {
            sb.append(String.format(Locale.ROOT, "%12s", b + "-bit"));
        }
        sb.append('\n');
        for (Map.Entry<String, Map<Integer, Double>> e : plan.seconds().entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-18s", e.getKey()));
            double fastest = e.getValue().values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
            for (int b : plan.widths()) {
                Double t = e.getValue().get(b);
                sb.append(t == null ? String.format(Locale.ROOT, "%12s", "-")
                        : String.format(Locale.ROOT, "%11.2f%s", 1e3 * t, t == fastest ? "*" : " "));
            }
            sb.append('\n');
        }
        for (Map.Entry<String, Map<Integer, Double>> e : plan.oneThread().entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-18s", e.getKey() + " 1t"));
            for (int b : plan.widths()) {
                Double t = e.getValue().get(b);
                sb.append(t == null ? String.format(Locale.ROOT, "%12s", "-")
                        : String.format(Locale.ROOT, "%11.2f%s", 1e3 * t,
                                plan.threadsFor(e.getKey(), b) == 1 ? "<" : " "));
            }
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%-18s", "relative (geomean)"));
        for (int b : plan.widths()) {
            sb.append(String.format(Locale.ROOT, "%11.3f ", WidthPlan.score(plan.seconds(), b)));
        }
        sb.append('\n');
        return sb.toString();
    }

    /** {@link WidthProbe} in a child JVM at {@code bits}; throws with its output when it fails. */
    static Map<String, double[]> runProbeJvm(int bits, List<String> probeArgs) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx" + Math.max(512, Runtime.getRuntime().maxMemory() >> 20) + "m");
        cmd.add("-D" + VectorBits.PROPERTY + "=" + bits);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WidthProbe.class.getName());
        cmd.addAll(probeArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean paired = probeArgs.contains("--paired");
        Map<String, double[]> out = new LinkedHashMap<>();
        StringBuilder all = new StringBuilder();
        int width = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                String[] f = line.trim().split(" ");
                if (f.length == 2 && f[0].equals("width")) {
                    width = Integer.parseInt(f[1]);
                } else if (f.length == 3 && f[0].equals("probe")) {
                    out.computeIfAbsent(f[1], k -> new double[paired ? 2 : 1])[0] = Double.parseDouble(f[2]);
                } else if (f.length == 3 && f[0].equals("probe1") && paired) {
                    out.computeIfAbsent(f[1], k -> new double[2])[1] = Double.parseDouble(f[2]);
                }
            }
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("the " + bits + "-bit probe JVM did not finish in 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the " + bits + "-bit probe ran", e);
        }
        boolean complete = out.size() == WidthProbe.WORKLOADS.length
                && out.values().stream().allMatch(t -> Arrays.stream(t).allMatch(v -> v > 0));
        if (p.exitValue() != 0 || width != bits || !complete) {
            throw new IOException("the " + bits + "-bit probe JVM failed (exit " + p.exitValue() + ", width " + width
                    + "): " + all.toString().strip());
        }
        return out;
    }
}

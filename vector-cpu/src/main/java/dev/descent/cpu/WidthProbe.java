package dev.descent.cpu;

import dev.descent.backend.BackendOptions;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.model.Mlp;
import dev.descent.model.Model;
import dev.descent.model.SoftmaxRegression;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The workloads {@link WidthPlanner} times at each vector width, each in a JVM of its own started with
 * {@code -Ddescent.vector.bits}: the lecture's training steps on synthetic data of the lecture's shapes, through the
 * trainer as a user runs them (Adam; all cores unless {@code --threads}). Each workload trains epochs until the JIT has
 * settled (two seconds of warm-up epochs, longer while the JIT still compiles), then reports the median of 9 epochs.
 * Output, one line each: {@code width BITS}, then {@code probe NAME SECONDS}, and with {@code --paired} after each
 * also {@code probe1 NAME SECONDS}: the same workload on one thread, whose epochs alternated with those on all cores.
 * The planner compares thread counts from such pairs: timed in separate JVMs, a minute or more apart, they compared
 * the host's phases instead (a 2-core AMD EPYC, Zen 5, whose second core came and went for seconds at a time).
 *
 * <ul>
 *   <li>{@code softmax-full-24}: full-batch softmax regression, 784 features, 24 classes (Sign Language MNIST);</li>
 *   <li>{@code softmax-full-10}: the same with 10 classes (MNIST, Fashion-MNIST);</li>
 *   <li>{@code softmax-b16-24}: batches of 16 of the lecture's 27,455 rows, 24 classes (its minibatch run);</li>
 *   <li>{@code softmax-b16-10}: the same with 10 classes (one vector wide at 512 bits, two at 256, with a masked
 *   tail: the widths rank differently than at 24);</li>
 *   <li>{@code mlp-b64-10}: a 784-256-10 MLP with batches of 64, over as many rows as the full-batch workloads.</li>
 * </ul>
 */
public final class WidthProbe {
    /** Workload names, in the order they are run and reported. */
    static final String[] WORKLOADS = {"softmax-full-24", "softmax-full-10", "softmax-b16-24", "mlp-b64-10",
            "softmax-b16-10"};

    private WidthProbe() {
    }

    /**
     * {@code [--small] [--threads N] [--paired]}: {@code --small} runs tiny shapes (tests); {@code --paired} also
     * times each workload on one thread, its epochs alternating with those on {@code --threads} (all cores).
     */
    public static void main(String[] args) {
        boolean small = false;
        boolean paired = false;
        int threads = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--small" -> small = true;
                case "--paired" -> paired = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("WidthProbe: unknown argument " + args[i]);
            }
        }
        System.out.println("width " + (KernelSelection.kernels() == ScalarKernels.INSTANCE ? 0
                : KernelSelection.kernels().gemmLanes() * 32));
        for (Map.Entry<String, double[]> e : run(small, threads, paired).entrySet()) {
            System.out.printf(Locale.ROOT, "probe %s %.9f%n", e.getKey(), e.getValue()[0]);
            if (paired) {
                System.out.printf(Locale.ROOT, "probe1 %s %.9f%n", e.getKey(), e.getValue()[1]);
            }
        }
    }

    /**
     * Median seconds per epoch of each workload on each backend: {@code result[0]} on {@code threads} (0: all cores),
     * and with {@code paired}, {@code result[1]} on one thread, measured in turn with the first (see {@link #time}).
     */
    static Map<String, double[]> run(boolean small, int threads, boolean paired) {
        Map<String, double[]> out = new LinkedHashMap<>();
        BackendOptions options = threads > 0 ? BackendOptions.threads(threads) : BackendOptions.defaults();
        try (CpuBackend backend = new CpuBackend(options);
                CpuBackend single = paired ? new CpuBackend(BackendOptions.threads(1)) : null) {
            CpuBackend[] backends = paired ? new CpuBackend[] {backend, single} : new CpuBackend[] {backend};
            int fullRows = small ? 256 : 8192;
            // The minibatch workloads gather their rows from a data set as large as the lecture's (27,455 rows, 86 MB),
            // larger than a last-level cache, as in a real run. On 2,048 rows (6 MB, in L3) the gathers cost next to
            // nothing, and the plan of an AMD EPYC (Zen 5) chose 256 bits on both cores for softmax-b16-24, where a
            // batch-16 epoch of the lecture's data ran 1.2-1.9 times as long as at 512 bits on one thread.
            int miniRows = small ? 128 : 27_455;
            double warm = small ? 0.05 : 2.0; // seconds of warm-up epochs per workload: C2 done compiling
            int measured = small ? 3 : 9;
            out.put(WORKLOADS[0], time(backends, data(fullRows, 784, 24, 255, 1), 0, 0, warm, measured));
            out.put(WORKLOADS[1], time(backends, data(fullRows, 784, 10, 255, 2), 0, 0, warm, measured));
            out.put(WORKLOADS[2], time(backends, data(miniRows, 784, 24, 255, 3), 16, 0, warm, measured));
            // The MLP trains on as many rows as the full-batch workloads: on 2,048 rows (6 MB) the widths ran it about
            // equally fast (15-18 ms an epoch), where on 8,192 and 16,384 rows, and in W5 (60,000 rows), 512 bits ran
            // it 15-25 % faster than 256 on an AMD EPYC (Zen 4).
            out.put(WORKLOADS[3], time(backends, data(fullRows, 784, 10, 1, 4), 64, 256, warm, measured));
            out.put(WORKLOADS[4], time(backends, data(miniRows, 784, 10, 255, 5), 16, 0, warm, measured));
        }
        return out;
    }

    /** Random pixels in [0, scale] (raw 0–255, or scaled to [0, 1]) and random labels. */
    private static Dataset data(int rows, int features, int classes, int scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = scale == 255 ? random.nextInt(256) : (float) random.nextDouble();
        }
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = random.nextInt(classes);
        }
        return Dataset.classification("probe", x, rows, features, y, classes);
    }

    /**
     * Median seconds of {@code measured} epochs on each backend, after {@code warmSeconds} of warm-up epochs (at
     * least 3 each) (batch 0: full batch; hidden 0: softmax). With two backends (all cores and one thread) each trains
     * its own model on its own copy of the data, and their epochs alternate, the order swapped every round, so that
     * both see the same phases of the machine.
     */
    private static double[] time(CpuBackend[] backends, Dataset set, int batch, int hidden, double warmSeconds,
            int measured) {
        int n = backends.length;
        double[][] seconds = new double[n][measured];
        Runner[] runners = new Runner[n];
        try {
            for (int b = 0; b < n; b++) {
                runners[b] = new Runner(backends[b], set, batch, hidden);
            }
            long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
            // Past the warm-up time, epochs go on warming until the JIT has finished no compilation for 0.15 of that
            // time, for up to as long again: in 1 of 5 to 8 probe JVMs at 512 bits (AMD EPYC, Zen 4) C2 had not yet
            // compiled the softmax kernel after 2 s (its compilations take 0.1-0.16 s each), and the full-batch
            // 24-class workload measured 38-76 ms an epoch on C1-compiled code instead of 5-11.
            long quietEnd = warmEnd + (long) (warmSeconds * 1e9);
            long quietFor = (long) (0.15 * warmSeconds * 1e9);
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
            long jitMillis = watchJit ? jit.getTotalCompilationTime() : 0;
            long lastCompiled = System.nanoTime();
            int warm = 0;
            for (int i = 0; i < warm + measured; i++) {
                double[] s = new double[n];
                for (int j = 0; j < n; j++) {
                    int b = (i + j) % n; // all cores first in even rounds, one thread first in odd ones
                    s[b] = runners[b].epoch(i);
                }
                long now = System.nanoTime();
                long jitNow = watchJit ? jit.getTotalCompilationTime() : 0;
                if (jitNow != jitMillis) {
                    jitMillis = jitNow;
                    lastCompiled = now;
                }
                boolean jitBusy = watchJit && now - lastCompiled < quietFor && now < quietEnd;
                if (warm == i && (i < 3 || now < warmEnd || jitBusy)) {
                    warm++; // still warming up
                } else {
                    for (int b = 0; b < n; b++) {
                        seconds[b][i - warm] = s[b];
                    }
                }
            }
        } finally {
            for (Runner r : runners) {
                if (r != null) {
                    r.close();
                }
            }
        }
        double[] medians = new double[n];
        for (int b = 0; b < n; b++) {
            Arrays.sort(seconds[b]);
            medians[b] = seconds[b][measured / 2];
        }
        return medians;
    }

    /** One backend's copy of a workload: its data, model, optimizer and loader. */
    private static final class Runner implements AutoCloseable {
        private final CpuBackend backend;
        private final DeviceDataset data;
        private final Model model;
        private final Optimizer adam;
        private final DataLoader loader;

        Runner(CpuBackend backend, Dataset set, int batch, int hidden) {
            this.backend = backend;
            this.data = set.upload(backend);
            Model m = null;
            Optimizer o = null;
            try {
                m = hidden == 0 ? new SoftmaxRegression(backend, set.featureCount(), set.classes())
                        : new Mlp(backend, set.featureCount(), new int[] {hidden}, set.classes(), 1);
                o = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-5), m.parameters());
                this.loader = new DataLoader(data,
                        batch == 0 ? LoaderOptions.fullBatch() : LoaderOptions.batches(batch).withSeed(1));
            } catch (RuntimeException e) {
                if (o != null) {
                    o.close();
                }
                if (m != null) {
                    m.close();
                }
                data.close();
                throw e;
            }
            this.model = m;
            this.adam = o;
        }

        /** Trains one epoch (seed {@code i}) and returns its seconds. */
        double epoch(int i) {
            try (Trainer trainer = Trainer.builder(model, adam, loader).epochs(1).seed(i).build()) {
                long t0 = System.nanoTime();
                TrainingResult r = trainer.run();
                backend.synchronize();
                double s = (System.nanoTime() - t0) / 1e9;
                if (r.status() != TrainingResult.Status.COMPLETED) {
                    throw new IllegalStateException("probe training did not complete: " + r.message());
                }
                return s;
            }
        }

        @Override
        public void close() {
            loader.close();
            adam.close();
            model.close();
            data.close();
        }
    }
}

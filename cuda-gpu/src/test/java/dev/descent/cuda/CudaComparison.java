package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import java.util.Locale;

/**
 * A short CPU-vs-GPU comparison for the GPU machine (scripts/gpu-run.sh runs it; it is not a unit test): trains the
 * same softmax regression on the cpu and cuda backends, prints the largest loss and weight differences, the wall time
 * of each, and the device time of one training step launched kernel by kernel versus as one CUDA graph.
 *
 * <pre>java -cp test-classes:lib/* dev.descent.cuda.CudaComparison [epochs]</pre>
 */
public final class CudaComparison {
    private CudaComparison() {
    }

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.println("cuda: " + new CudaBackendProvider().availability());
        SoftmaxRegression.Data data = SoftmaxRegression.Data.make(42, epochs);
        int steps = epochs * data.stepsPerEpoch();
        for (boolean adam : new boolean[] {false, true}) {
            String name = adam ? "adamw" : "sgd+momentum";
            float[][] cpu;
            long t0;
            try (Backend b = Backends.provider("cpu").create(BackendOptions.threads(1))) {
                train(b, data, steps, adam); // warm-up: the JIT compiles the vector kernels
                t0 = System.nanoTime();
                cpu = train(b, data, steps, adam);
            }
            long t1;
            float[][] gpu;
            try (CudaBackend b = (CudaBackend) new CudaBackendProvider().create(BackendOptions.defaults())) {
                train(b, data, steps, adam); // warm-up: JIT, cuBLAS heuristics
                t1 = System.nanoTime();
                gpu = train(b, data, steps, adam);
            }
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%-13s %d steps: loss %.5f -> %.5f (cpu) / %.5f (cuda); max |loss diff| %.3g, "
                    + "max |W diff| %.3g; cpu %.1f ms, cuda %.1f ms%n", name, steps, cpu[0][0], cpu[0][steps - 1],
                    gpu[0][steps - 1], maxDiff(cpu[0], gpu[0]), maxDiff(cpu[1], gpu[1]), (t1 - t0) / 1e6,
                    (t2 - t1) / 1e6);
        }
        graphVersusLaunches(data);
    }

    private static float[][] train(Backend backend, SoftmaxRegression.Data data, int steps, boolean adam) {
        try (SoftmaxRegression m = new SoftmaxRegression(backend, data, steps)) {
            float[] losses = m.train(data, adam);
            return new float[][] {losses, backend.download(m.w)};
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /**
     * Device time per step, 200 steps: kernel by kernel, as one replayed graph, as one updated graph, and (Adam) as
     * {@link CudaBackend#runStep}'s patched graph.
     */
    private static void graphVersusLaunches(SoftmaxRegression.Data data) {
        int reps = 200;
        try (CudaBackend cuda = (CudaBackend) new CudaBackendProvider().create(BackendOptions.defaults());
                SoftmaxRegression m = new SoftmaxRegression(cuda, data, 1)) {
            cuda.uploadInt(data.permutations()[0], 0, m.perm);
            Runnable step = () -> {
                m.forwardBackward(0, 0);
                m.sgd(0.01, 0.9, false);
            };
            step.run();
            float launches = cuda.time(() -> {
                for (int i = 0; i < reps; i++) {
                    step.run();
                }
            });
            long w0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                step.run();
            }
            cuda.synchronize();
            long w1 = System.nanoTime();
            try (CudaGraph g = cuda.captureGraph(step)) {
                g.replay();
                float replays = cuda.time(() -> {
                    for (int i = 0; i < reps; i++) {
                        g.replay();
                    }
                });
                long w2 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    g.replay();
                }
                cuda.synchronize();
                long w3 = System.nanoTime();
                float updates = cuda.time(() -> {
                    for (int i = 0; i < reps; i++) {
                        g.update(step);
                    }
                });
                System.out.printf(Locale.ROOT, "one step (batch %d, %d features, %d classes), per step: launches %.1f us "
                        + "(wall %.1f us), graph replay %.1f us (wall %.1f us), graph update+launch %.1f us%n",
                        SoftmaxRegression.BATCH, SoftmaxRegression.D, SoftmaxRegression.K, 1000.0 * launches / reps,
                        (w1 - w0) / 1e3 / reps, 1000.0 * replays / reps, (w3 - w2) / 1e3 / reps,
                        1000.0 * updates / reps);
            }
            // the trainer's way: Backend.runStep with Adam, whose scalars change every step (patched into the graph)
            long[] t = {0};
            Runnable adam = () -> {
                m.forwardBackward(0, 0);
                m.adam(0.001, ++t[0]);
            };
            float direct = cuda.time(() -> {
                for (int i = 0; i < reps; i++) {
                    adam.run();
                }
            });
            long w4 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                adam.run();
            }
            cuda.synchronize();
            long w5 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                cuda.runStep(1, adam); // direct, capture, first replay
            }
            float patched = cuda.time(() -> {
                for (int i = 0; i < reps; i++) {
                    cuda.runStep(1, adam);
                }
            });
            long w6 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                cuda.runStep(1, adam);
            }
            cuda.synchronize();
            long w7 = System.nanoTime();
            StepGraphs sg = cuda.stepGraphs();
            System.out.printf(Locale.ROOT, "adam step, per step: launches %.1f us (wall %.1f us), runStep patched graph "
                    + "%.1f us (wall %.1f us); %d captures, %d replays, %d nodes patched, %d fallbacks%n",
                    1000.0 * direct / reps, (w5 - w4) / 1e3 / reps, 1000.0 * patched / reps, (w7 - w6) / 1e3 / reps,
                    sg.captures(), sg.replays(), sg.patchedParams(), sg.fallbacks());
        }
    }
}

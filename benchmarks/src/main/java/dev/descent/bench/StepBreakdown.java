package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.EpochOrder;
import dev.descent.data.LoaderOptions;
import dev.descent.model.Mlp;
import dev.descent.model.Model;
import dev.descent.model.SoftmaxRegression;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where one training step's time goes: times every backend call of a minibatch step in isolation (the same calls, in
 * the same shapes, that {@code FeedForwardModel} and {@code Adam} make), and the real step through the library
 * ({@code loader.next(); model.lossAndGradients(...); optimizer.step()}) for comparison: the difference is the
 * library's own overhead. Used to attribute a missed target in the comparison to a kernel, with numbers.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp benchmarks.jar dev.descent.bench.StepBreakdown
 *      [--batch 16] [--classes 24] [--hidden 0] [--threads 1] [--seconds 0.5] [--warm 5] [--fused-only]</pre>
 * {@code --hidden 256} breaks down the MLP 784-256-classes step instead of softmax regression; {@code --fused-only}
 * times the fused dense-layer + softmax call alone, in a JVM that runs nothing else (a full-batch run's context).
 */
public final class StepBreakdown {
    private StepBreakdown() {
    }

    private interface Op {
        void run();
    }

    public static void main(String[] args) {
        int batch = 16;
        int classes = 24;
        int hidden = 0;
        int threads = 1;
        double seconds = 0.5;
        double warmSeconds = 5;
        int features = 784;
        final int rows = 27_455;
        boolean fusedOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--classes" -> classes = Integer.parseInt(args[++i]);
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warm" -> warmSeconds = Double.parseDouble(args[++i]);
                case "--fused-only" -> fusedOnly = true;
                default -> {
                    System.err.println("StepBreakdown: unknown option " + args[i]
                            + " (--batch N --classes K --hidden H --threads T --seconds S --warm S --fused-only)");
                    System.exit(2);
                }
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(256) / (hidden > 0 ? 255f : 1f);
        }
        for (int i = 0; i < rows; i++) {
            y[i] = random.nextInt(classes);
        }
        Dataset data = Dataset.classification("random", x, rows, features, y, classes);
        try (Backend b = BenchBackends.open("cpu", threads);
                DeviceDataset dd = data.upload(b);
                DataLoader loader = new DataLoader(dd, LoaderOptions.batches(batch).withSeed(1))) {
            System.out.printf(Locale.ROOT, "%s; batch %d, %s, classes %d%n", b.description(), batch,
                    hidden > 0 ? "MLP 784-" + hidden + "-" + classes : "softmax regression 784-" + classes, classes);
            Map<String, Op> ops = new LinkedHashMap<>();
            Op[] fused = {null};
            List<Tensor> owned = new ArrayList<>();
            Tensor idx = b.uploadInt(EpochOrder.permutation(1, 1, rows), rows);
            Tensor xb = b.allocate(batch, features);
            Tensor yb = b.allocateInt(batch);
            Tensor loss = b.allocate(1);
            owned.addAll(List.of(idx, xb, yb, loss));
            int bs = batch;
            // the gathers walk through a shuffled order, as an epoch does: rows come from memory, not from cache
            int[] offset = {0};
            ops.put("gatherRows features " + batch + "x" + features, () -> {
                offset[0] = offset[0] + bs > rows - bs ? 0 : offset[0] + bs;
                b.gatherRows(dd.features(), idx, offset[0], xb);
            });
            ops.put("gatherRows labels " + batch, () -> b.gatherRows(dd.labels(), idx, offset[0], yb));
            if (hidden == 0) {
                Tensor w = BenchBackends.uniform(b, 1, -1e-3f, 1e-3f, features, classes);
                Tensor gw = b.allocate(features, classes);
                Tensor m = b.allocate(features, classes);
                Tensor v = b.allocate(features, classes);
                Tensor z = b.allocate(batch, classes);
                Tensor gz = b.allocate(batch, classes);
                owned.addAll(List.of(w, gw, m, v, z, gz));
                b.gatherRows(dd.features(), idx, 0, xb);
                b.gatherRows(dd.labels(), idx, 0, yb);
                ops.put("gemm X·W " + batch + "x" + features + "·" + features + "x" + classes,
                        () -> b.gemm(false, false, 1f, xb, w, 0f, z));
                ops.put("softmaxCrossEntropy " + batch + "x" + classes,
                        () -> b.softmaxCrossEntropy(z, yb, gz, bs, loss, 0));
                ops.put("gemm Xᵀ·G " + features + "x" + batch + "·" + batch + "x" + classes,
                        () -> b.gemm(true, false, 1f, xb, gz, 0f, gw));
                Tensor bias = b.allocate(classes);
                Tensor gbias = b.allocate(classes);
                owned.addAll(List.of(bias, gbias));
                fused[0] = () -> b.linearSoftmaxCrossEntropy(xb, w, bias, yb, z, gz, gw, gbias, bs, loss, 0);
                long[] step = {0};
                ops.put("adamUpdate " + features + "x" + classes, () -> b.adamUpdate(w, gw, m, v, null, 1e-5, 0.9,
                        0.999, 1e-8, 0, false, false, ++step[0]));
            } else {
                Tensor w1 = BenchBackends.uniform(b, 1, -0.03f, 0.03f, features, hidden);
                Tensor b1 = BenchBackends.uniform(b, 2, -0.03f, 0.03f, hidden);
                Tensor w2 = BenchBackends.uniform(b, 3, -0.06f, 0.06f, hidden, classes);
                Tensor b2 = BenchBackends.uniform(b, 4, -0.06f, 0.06f, classes);
                Tensor h = b.allocate(batch, hidden);
                Tensor z = b.allocate(batch, classes);
                Tensor gz = b.allocate(batch, classes);
                Tensor gh = b.allocate(batch, hidden);
                Tensor gw1 = b.allocate(features, hidden);
                Tensor gb1 = b.allocate(hidden);
                Tensor gw2 = b.allocate(hidden, classes);
                Tensor gb2 = b.allocate(classes);
                Tensor m1 = b.allocate(features, hidden);
                Tensor v1 = b.allocate(features, hidden);
                owned.addAll(List.of(w1, b1, w2, b2, h, z, gz, gh, gw1, gb1, gw2, gb2, m1, v1));
                b.gatherRows(dd.features(), idx, 0, xb);
                b.gatherRows(dd.labels(), idx, 0, yb);
                int hd = hidden;
                int k = classes;
                ops.put("gemm X·W1 " + batch + "x" + features + "·" + features + "x" + hd,
                        () -> b.gemm(false, false, 1f, xb, w1, 0f, h));
                ops.put("addRowVector + relu " + batch + "x" + hd, () -> {
                    b.addRowVector(h, b1);
                    b.relu(h, h);
                });
                ops.put("gemm H·W2 " + batch + "x" + hd + "·" + hd + "x" + k, () -> {
                    b.gemm(false, false, 1f, h, w2, 0f, z);
                    b.addRowVector(z, b2);
                });
                ops.put("softmaxCrossEntropy " + batch + "x" + k, () -> b.softmaxCrossEntropy(z, yb, gz, bs, loss, 0));
                ops.put("gemm Hᵀ·G + columnSums " + hd + "x" + batch + "·" + batch + "x" + k, () -> {
                    b.gemm(true, false, 1f, h, gz, 0f, gw2);
                    b.columnSums(1f, gz, 0f, gb2);
                });
                ops.put("gemm G·W2ᵀ + reluBackward " + batch + "x" + k + "·" + k + "x" + hd, () -> {
                    b.gemm(false, true, 1f, gz, w2, 0f, gh);
                    b.reluBackward(gh, h, gh);
                });
                ops.put("gemm Xᵀ·dH + columnSums " + features + "x" + batch + "·" + batch + "x" + hd, () -> {
                    b.gemm(true, false, 1f, xb, gh, 0f, gw1);
                    b.columnSums(1f, gh, 0f, gb1);
                });
                long[] step = {0};
                ops.put("adamUpdate " + features + "x" + hd + " (the other 3 tensors are ~1 % of it)",
                        () -> b.adamUpdate(w1, gw1, m1, v1, null, 1e-3, 0.9, 0.999, 1e-8, 0, false, false,
                                ++step[0]));
            }
            if (fusedOnly) {
                // The fused call alone, as a full-batch training run makes it: the plain GEMMs never run first, and C2
                // compiles the shared micro-kernels on this call's profile only (which changes how fast they are).
                if (fused[0] == null) {
                    System.err.println("StepBreakdown: --fused-only needs softmax regression (--hidden 0)");
                    System.exit(2);
                }
                long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
                while (System.nanoTime() < warmEnd) {
                    fused[0].run();
                }
                System.out.printf(Locale.ROOT, "%-62s %10.2f%n", "linearSoftmaxCrossEntropy (+ bias), one call, alone",
                        time(b, fused[0], seconds));
                for (Tensor t : owned) {
                    t.close();
                }
                return;
            }
            // Vector API code is many times slower until C2 has compiled it (seconds on a loaded machine): run the
            // whole step's calls round-robin first, then time each call on its own.
            long warmUntil = System.nanoTime() + (long) (warmSeconds * 1e9);
            long rounds = 0;
            while (System.nanoTime() < warmUntil || (rounds < 20_000 && System.nanoTime() < warmUntil + 10e9)) {
                for (Op op : ops.values()) {
                    op.run();
                }
                rounds++;
            }
            b.synchronize();
            Map<String, Double> micros = new LinkedHashMap<>();
            for (Map.Entry<String, Op> e : ops.entrySet()) {
                micros.put(e.getKey(), time(b, e.getValue(), seconds));
            }
            Model model = hidden == 0 ? new SoftmaxRegression(b, features, classes)
                    : new Mlp(b, features, new int[] {hidden}, classes, 1);
            Optimizer optimizer = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-5), model.parameters());
            Tensor losses = b.allocate(1);
            loader.startEpoch(1);
            int[] epoch = {1};
            // Wall time of each part of the library step, summed over the steps run (nanoTime between the parts; the
            // backend's calls may still be in flight at a boundary, so the split is exact only for a synchronous one).
            long[] parts = new long[4];
            Op libraryOp = () -> {
                long t0 = System.nanoTime();
                if (!loader.hasNext()) {
                    loader.startEpoch(++epoch[0]);
                }
                Batch batchNow = loader.next();
                if (batchNow.size() != bs) { // the final partial batch: take the next epoch's first
                    loader.startEpoch(++epoch[0]);
                    batchNow = loader.next();
                }
                long t1 = System.nanoTime();
                model.lossAndGradients(batchNow, losses, 0);
                long t2 = System.nanoTime();
                optimizer.step();
                long t3 = System.nanoTime();
                parts[0] += t1 - t0;
                parts[1] += t2 - t1;
                parts[2] += t3 - t2;
                parts[3]++;
            };
            long libraryWarmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
            for (long i = 0; i < rounds && System.nanoTime() < libraryWarmEnd; i++) {
                libraryOp.run();
            }
            java.util.Arrays.fill(parts, 0);
            double libraryStep = time(b, libraryOp, seconds);
            double steps = Math.max(1, parts[3]);
            double fusedCall = fused[0] == null ? Double.NaN : time(b, fused[0], seconds);
            double sum = micros.values().stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf(Locale.ROOT, "%-62s %10s %7s%n", "backend call (isolated, warm)", "µs/call", "share");
            micros.forEach((name, us) -> System.out.printf(Locale.ROOT, "%-62s %10.2f %6.1f%%%n", name, us,
                    100 * us / sum));
            System.out.printf(Locale.ROOT, "%-62s %10.2f%n", "sum of the calls", sum);
            if (fused[0] != null) {
                // what the model calls instead of the GEMMs and the loss (fused by the CPU backend for large batches)
                System.out.printf(Locale.ROOT, "%-62s %10.2f  (vs. the 3 calls above: %.2f)%n",
                        "linearSoftmaxCrossEntropy (+ bias), one call", fusedCall,
                        sumOf(micros, "gemm", "softmaxCrossEntropy"));
            }
            System.out.printf(Locale.ROOT, "%-62s %10.2f  (library overhead %.2f µs = %.1f%%)%n",
                    "library step: loader.next + lossAndGradients + adam.step", libraryStep, libraryStep - sum,
                    100 * (libraryStep - sum) / libraryStep);
            System.out.printf(Locale.ROOT, "%-62s %10.2f / %.2f / %.2f%n",
                    "  of which loader.next / lossAndGradients / optimizer.step", parts[0] / steps / 1e3,
                    parts[1] / steps / 1e3, parts[2] / steps / 1e3);
            losses.close();
            optimizer.close();
            model.close();
            for (Tensor t : owned) {
                t.close();
            }
        }
    }

    /** The sum of the entries whose name starts with one of the prefixes. */
    private static double sumOf(Map<String, Double> micros, String... prefixes) {
        double s = 0;
        for (Map.Entry<String, Double> e : micros.entrySet()) {
            for (String p : prefixes) {
                if (e.getKey().startsWith(p)) {
                    s += e.getValue();
                    break;
                }
            }
        }
        return s;
    }

    /** Warm, then median µs per call of 7 timed batches of calls filling about {@code seconds} in all. */
    private static double time(Backend b, Op op, double seconds) {
        long calls = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < seconds * 0.3e9 || calls < 200) {
            op.run();
            calls++;
        }
        b.synchronize();
        double perCall = (System.nanoTime() - t0) / (double) calls;
        long n = Math.max(10, (long) (seconds * 1e9 / 7 / perCall));
        double[] runs = new double[7];
        for (int r = 0; r < runs.length; r++) {
            long s = System.nanoTime();
            for (long i = 0; i < n; i++) {
                op.run();
            }
            b.synchronize();
            runs[r] = (System.nanoTime() - s) / 1e3 / n;
        }
        java.util.Arrays.sort(runs);
        return runs[runs.length / 2];
    }
}

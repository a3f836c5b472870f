package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * After warm-up no operation of the CPU backend allocates, on any thread: the bytes allocated by the calling thread
 * and by every thread of descent's own ("descent-...": the backend's workers, which run the pool's chunks) are summed
 * before and after a window of calls (the JVM's and surefire's housekeeping threads allocate on their own schedule and
 * are left out). Each operation runs on shapes that take its parallel path (pool jobs, several chunks) and its inline
 * path, with 1 and 2 threads, with the kernels {@link KernelSelection} chose and with the scalar twin. A per-call
 * allocation shows in every window; a one-off JIT transition (a deoptimisation rematerialises scalar-replaced
 * objects) in one at most, so the smallest of a few windows must be 0.
 *
 * <p>This class runs in a JVM of its own (surefire executions {@code allocation} and {@code allocation-128}), as a
 * training process runs: there the kernel call sites see only the kernels {@link KernelSelection} chose. In the main
 * test JVM the scalar twin's backends make them bimorphic, C2 inlines both twins into one compilation unit, and past
 * its node budget it may leave Vector API calls unintrinsified (boxed vectors) — an artefact of the test suite, not of
 * descent. The scalar twin's own check is {@link ScalarAllocationFreeTest}.
 */
class AllocationFreeTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Cost classes: calls in warm-up (over {@link #ROUNDS} interleaved rounds) and per measuring window. */
    private static final int CHEAP = 1;
    private static final int MEDIUM = 10;
    private static final int COSTLY = 100;
    private static final int WARM_UP_CALLS = 1500;
    private static final int ROUNDS = 10;
    private static final int WINDOW_CALLS = 30;
    private static final int WINDOWS = 4;
    /** Wall-clock limit of the extra windows of one operation that has not yet had a window free of allocation. */
    private static final long PATIENCE_NANOS = 5_000_000_000L;

    /** One operation under test; {@code cost} is one of {@link #CHEAP}, {@link #MEDIUM}, {@link #COSTLY}. */
    private record Op(String name, int cost, Runnable body) {
    }

    @Test
    void selectedKernelsOneThread() {
        check(new CpuBackend(BackendOptions.threads(1)), true);
    }

    @Test
    void selectedKernelsTwoThreads() {
        check(new CpuBackend(BackendOptions.threads(2)), true);
    }

    /**
     * The JVM runs the width its surefire execution asks for ({@code -Ddescent.vector.bits}, capped at the hardware's;
     * the preferred width when unset), so that each execution really covers the width it is named after.
     */
    @Test
    void runsTheRequestedWidth() {
        int requested = VectorBits.requested();
        int preferred = VectorKernels.preferredBits();
        int expected = requested > 0 ? Math.min(requested, preferred) : preferred;
        String reason = KernelSelection.reason();
        assertTrue(reason.startsWith("Vector API " + expected + "-bit"),
                "expected the " + expected + "-bit kernels (descent.vector.bits=" + requested + ", preferred "
                        + preferred + "), got: " + reason);
    }

    static void check(CpuBackend be, boolean lectureSizes) {
        try (be) {
            System.out.println("AllocationFreeTest: " + be.description());
            // The lecture's 24 classes (Sign Language MNIST) and Fashion-MNIST's 10: neither is a whole number of
            // vectors at every width, so both take their width's tail code.
            List<Op> ops = new ArrayList<>(ops(be, lectureSizes, 24, true));
            ops.addAll(ops(be, lectureSizes, 10, false));
            // 3 classes: rows of under one vector at every width (the softmax kernel's one-vector path; 10 classes
            // take it only at 512 bits).
            ops.addAll(classifierOps(be, new Random(8), lectureSizes, 784, 3));
            // Warm-up, every shape in turn (C2 compiles the kernels and the driver, and recompiles after the traps
            // that a new shape hits): enough calls that C2 compiles each kernel's own entry, not only its loops.
            for (int round = 0; round < ROUNDS; round++) {
                for (Op op : ops) {
                    for (int i = Math.max(2, WARM_UP_CALLS / op.cost / ROUNDS); i > 0; i--) {
                        op.body.run();
                    }
                }
            }
            long[] ids = ourThreads();
            long overhead = measure(ids, () -> { }, 1);
            StringBuilder report = new StringBuilder();
            List<String> failures = new ArrayList<>();
            for (Op op : ops) {
                int calls = Math.max(2, WINDOW_CALLS / op.cost);
                long best = measure(ids, op.body, calls) - overhead;
                report.append(String.format("  %-44s %8.1f B/call%n", op.name, (double) best / calls));
                if (best > 0) {
                    failures.add(op.name + ": " + best + " bytes in " + calls + " calls");
                }
            }
            assertTrue(failures.isEmpty(), be.description() + " allocated after warm-up: " + failures
                    + "\nbytes per call, smallest window:\n" + report);
        }
    }

    /**
     * The smallest over at least {@link #WINDOWS} windows of the bytes the threads allocated during {@code calls}
     * calls. While no window has been free of allocation, windows go on for up to {@link #PATIENCE_NANOS} of wall
     * clock: on a loaded machine C2 may still be compiling a kernel after the warm-up calls (the interpreted and C1
     * code box vectors), and a per-call allocation shows in every window however long it runs.
     */
    private static long measure(long[] ids, Runnable body, int calls) {
        long best = Long.MAX_VALUE;
        long start = System.nanoTime();
        for (int w = 0; w < WINDOWS || (best > 0 && System.nanoTime() - start < PATIENCE_NANOS); w++) {
            long before = allocated(ids);
            for (int i = 0; i < calls; i++) {
                body.run();
            }
            best = Math.min(best, allocated(ids) - before);
        }
        return best;
    }

    /** The ids of this thread and of every live thread of descent's ("descent-..."), the pools' workers among them. */
    private static long[] ourThreads() {
        Thread self = Thread.currentThread();
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == self || t.getName().startsWith("descent-"))
                .mapToLong(Thread::threadId)
                .toArray();
    }

    /** Bytes allocated so far by the given threads (those that have ended count 0); allocates nothing itself. */
    private static long allocated(long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, THREADS.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    private static List<Op> ops(Backend be, boolean lectureSizes, int classes, boolean elementwise) {
        Random random = new Random(5 + classes);
        List<Op> ops = new ArrayList<>();
        int features = 784;

        // GEMM: the lecture's minibatch (16) and a 2048-row batch, all transpose modes, both beta paths, and k over
        // several reduction chunks.
        for (int rows : lectureSizes ? new int[] {16, 2048} : new int[] {16, 128}) {
            Tensor x = be.upload(randn(random, rows * features), rows, features);
            Tensor w = be.upload(randn(random, features * classes), features, classes);
            Tensor wt = be.upload(randn(random, classes * features), classes, features);
            Tensor xt = be.upload(randn(random, features * rows), features, rows);
            Tensor z = be.allocate(rows, classes);
            Tensor g = be.upload(randn(random, rows * classes), rows, classes);
            Tensor gw = be.allocate(features, classes);
            Tensor gwt = be.allocate(classes, features);
            Tensor gx = be.allocate(rows, features);
            int weight = rows > 16 ? COSTLY : lectureSizes ? CHEAP : MEDIUM; // scalar GEMMs are slow
            String s = " " + rows + "x" + features + "x" + classes;
            ops.add(new Op("gemm NN X·W" + s, weight, () -> be.gemm(false, false, 1f, x, w, 0f, z)));
            ops.add(new Op("gemm NN X·W beta=1" + s, weight, () -> be.gemm(false, false, 0.5f, x, w, 1f, z)));
            ops.add(new Op("gemm NT X·Wt^T" + s, weight, () -> be.gemm(false, true, 1f, x, wt, 0f, z)));
            ops.add(new Op("gemm TN X^T·G" + s, weight, () -> be.gemm(true, false, 1f, x, g, 0f, gw)));
            ops.add(new Op("gemm TN X^T·G beta=1" + s, weight, () -> be.gemm(true, false, 1f, x, g, 1f, gw)));
            ops.add(new Op("gemm TT G^T·Xt^T" + s, weight, () -> be.gemm(true, true, 1f, g, xt, 0f, gwt)));
            ops.add(new Op("gemm NT G·W^T" + s, weight, () -> be.gemm(false, true, 1f, g, w, 0f, gx)));
        }
        if (!elementwise) {
            ops.addAll(classifierOps(be, random, lectureSizes, features, classes));
            return ops;
        }
        Tensor tall = be.upload(randn(random, 5000 * 40), 5000, 40);
        Tensor tallG = be.upload(randn(random, 5000 * 12), 5000, 12);
        Tensor small = be.allocate(40, 12);
        Tensor wide = be.upload(randn(random, 12 * 5000), 12, 5000);
        Tensor out12 = be.allocate(12, 12);
        ops.add(new Op("gemm TN k=5000 (3 k chunks)", MEDIUM,
                () -> be.gemm(true, false, 1f, tall, tallG, 0f, small)));
        ops.add(new Op("gemm NT k=5000 (3 k chunks)", MEDIUM, () -> be.gemm(false, true, 1f, wide, wide, 0f, out12)));

        for (int n : new int[] {1000, lectureSizes ? 100_003 : Chunks.PARALLEL_MIN + 3}) {
            String s = " n=" + n;
            int cost = n > 1000 ? MEDIUM : CHEAP;
            Tensor x = be.upload(randn(random, n), n);
            Tensor y = be.upload(randn(random, n), n);
            Tensor o = be.allocate(n);
            Tensor m = be.allocate(n);
            Tensor v = be.allocate(n);
            Tensor vmax = be.allocate(n);
            Tensor b = be.allocate(n);
            Tensor loss = be.allocate(2);
            float[] host = new float[n];
            ops.add(new Op("axpy" + s, cost, () -> be.axpy(0.5f, x, y)));
            ops.add(new Op("scale" + s, cost, () -> be.scale(1f, y)));
            ops.add(new Op("fill" + s, cost, () -> be.fill(o, 0.25f)));
            ops.add(new Op("copy" + s, cost, () -> be.copy(x, o)));
            ops.add(new Op("multiply" + s, cost, () -> be.multiply(x, y, o)));
            ops.add(new Op("clamp" + s, cost, () -> be.clamp(o, -1f, 1f)));
            ops.add(new Op("relu" + s, cost, () -> be.relu(x, o)));
            ops.add(new Op("reluBackward" + s, cost, () -> be.reluBackward(y, x, o)));
            ops.add(new Op("sum" + s, cost, () -> be.sum(x)));
            ops.add(new Op("dot" + s, cost, () -> be.dot(x, y)));
            ops.add(new Op("squaredNorm" + s, cost, () -> be.squaredNorm(x)));
            ops.add(new Op("maxAbs" + s, cost, () -> be.maxAbs(x)));
            ops.add(new Op("allFinite" + s, cost, () -> be.allFinite(x)));
            ops.add(new Op("upload/download/get" + s, cost, () -> {
                be.download(x, host, 0);
                be.upload(host, 0, o);
                be.get(o, n - 1);
                be.synchronize();
            }));
            ops.add(new Op("sigmoidBinaryCrossEntropy" + s, cost,
                    () -> be.sigmoidBinaryCrossEntropy(x, y, o, n, loss, 0)));
            ops.add(new Op("meanSquaredError" + s, cost, () -> be.meanSquaredError(x, y, o, n, loss, 0)));
            ops.add(new Op("meanAbsoluteError" + s, cost, () -> be.meanAbsoluteError(x, y, null, n, loss, 1)));
            ops.add(new Op("sgdUpdate" + s, cost,
                    () -> be.sgdUpdate(o, x, null, 1e-3, 0, 0, false, 0, false, false)));
            ops.add(new Op("sgdUpdate nesterov+wd" + s, cost,
                    () -> be.sgdUpdate(o, x, b, 1e-3, 0.9, 0, true, 1e-4, false, false)));
            ops.add(new Op("adamUpdate" + s, cost,
                    () -> be.adamUpdate(o, x, m, v, null, 1e-3, 0.9, 0.999, 1e-8, 0, false, false, 3)));
            ops.add(new Op("adamUpdate amsgrad AdamW" + s, cost,
                    () -> be.adamUpdate(o, x, m, v, vmax, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, false, 3)));
            ops.add(new Op("rmspropUpdate centered+momentum" + s, cost,
                    () -> be.rmspropUpdate(o, x, m, v, b, 1e-3, 0.99, 1e-8, 1e-4, 0.9, false)));
            ops.add(new Op("rmspropUpdate plain" + s, cost,
                    () -> be.rmspropUpdate(o, x, m, null, null, 1e-3, 0.99, 1e-8, 0, 0, false)));
            ops.add(new Op("adagradUpdate" + s, cost, () -> be.adagradUpdate(o, x, m, 1e-2, 1e-10, 1e-4, false)));
            ops.add(new Op("nadamUpdate" + s, cost,
                    () -> be.nadamUpdate(o, x, m, v, 1e-4, 1e-3, 0.9, 0.999, 1e-8, 1e-4, false, 3)));
            ops.add(new Op("radamUpdate" + s, cost,
                    () -> be.radamUpdate(o, x, m, v, 1e-3, 0.9, 0.999, 1e-8, 0, false, 3)));
            ops.add(new Op("radamUpdate rectified" + s, cost,
                    () -> be.radamUpdate(o, x, m, v, 1e-3, 0.9, 0.999, 1e-8, 1e-4, false, 30)));
            ops.add(new Op("adamaxUpdate" + s, cost,
                    () -> be.adamaxUpdate(o, x, m, vmax, 2e-3, 0.9, 0.999, 1e-8, 1e-4, false, 3)));
            ops.add(new Op("adadeltaUpdate" + s, cost,
                    () -> be.adadeltaUpdate(o, x, m, v, 1.0, 0.9, 1e-6, 1e-4, false)));
        }

        ops.addAll(classifierOps(be, random, lectureSizes, features, classes));
        ops.addAll(autodiffOps(be, random, lectureSizes));
        return ops;
    }

    /**
     * The operations autodiff records, on a [1, 1] tensor (the Rosenbrock objective's: the calling thread, no lock) and
     * on a matrix past {@link Chunks#PARALLEL_MIN} (vector loops, pool jobs, per-row broadcasts, the reductions of
     * broadcast gradients). {@code reshape} makes a view object, as allocate does, and is not among them.
     */
    private static List<Op> autodiffOps(Backend be, Random random, boolean lectureSizes) {
        List<Op> ops = new ArrayList<>();
        for (int[] s : new int[][] {{1, 1}, lectureSizes ? new int[] {400, 301} : new int[] {260, 257}}) {
            int r = s[0];
            int c = s[1];
            int n = r * c;
            int cost = n > 1 ? MEDIUM : CHEAP;
            String at = " " + r + "x" + c;
            float[] positive = randn(random, n);
            for (int i = 0; i < n; i++) {
                positive[i] = Math.abs(positive[i]) + 0.1f;
            }
            Tensor x = be.upload(positive, r, c);
            Tensor y = be.allocate(r, c);
            Tensor g = be.upload(randn(random, n), r, c);
            Tensor gi = be.allocate(r, c);
            for (UnaryOp op : UnaryOp.values()) {
                float p = op == UnaryOp.POW ? 2f : 0f;
                ops.add(new Op("unary " + op.label() + at, cost, () -> be.unary(op, p, x, y)));
                ops.add(new Op("unaryBackward " + op.label() + at, cost,
                        () -> be.unaryBackward(op, p, x, y, g, 1f, gi)));
            }
            ops.add(new Op("unary pow 1.5" + at, cost, () -> be.unary(UnaryOp.POW, 1.5f, x, y)));
            ops.add(new Op("unaryBackward pow 1.5 beta=0" + at, cost,
                    () -> be.unaryBackward(UnaryOp.POW, 1.5f, x, y, g, 0f, gi)));
            Tensor row = be.upload(randn(random, c), 1, c);
            Tensor col = be.upload(randn(random, r), r, 1);
            Tensor one = be.upload(new float[] {1.5f}, 1, 1);
            Tensor gRow = be.allocate(1, c);
            Tensor gCol = be.allocate(r, 1);
            Tensor gOne = be.allocate(1, 1);
            for (BinaryOp op : BinaryOp.values()) {
                String name = op.label() + at;
                ops.add(new Op("binary " + name, cost, () -> be.binary(op, x, g, y)));
                ops.add(new Op("binary row " + name, cost, () -> be.binary(op, x, row, y)));
                ops.add(new Op("binary column " + name, cost, () -> be.binary(op, x, col, y)));
                ops.add(new Op("binary element " + name, cost, () -> be.binary(op, one, x, y)));
                ops.add(new Op("binaryBackward a " + name, cost, () -> be.binaryBackward(op, 0, x, g, y, g, 1f, gi)));
                ops.add(new Op("binaryBackward b " + name, cost, () -> be.binaryBackward(op, 1, x, g, y, g, 0f, gi)));
                ops.add(new Op("binaryBackward row " + name, cost,
                        () -> be.binaryBackward(op, 1, x, row, y, g, 1f, gRow)));
                ops.add(new Op("binaryBackward column " + name, cost,
                        () -> be.binaryBackward(op, 1, x, col, y, g, 0f, gCol)));
                ops.add(new Op("binaryBackward element " + name, cost,
                        () -> be.binaryBackward(op, 0, one, x, y, g, 1f, gOne)));
            }
            Tensor all = be.allocate(1);
            Tensor down = be.allocate(1, c);
            Tensor along = be.allocate(r);
            for (ReduceOp op : ReduceOp.values()) {
                String name = op.label() + at;
                ops.add(new Op("reduce all " + name, cost, () -> be.reduce(op, x, all)));
                ops.add(new Op("reduce down " + name, cost, () -> be.reduce(op, x, down)));
                ops.add(new Op("reduce along " + name, cost, () -> be.reduce(op, x, along)));
                ops.add(new Op("reduceBackward all " + name, cost, () -> be.reduceBackward(op, x, all, all, 1f, gi)));
                ops.add(new Op("reduceBackward down " + name, cost,
                        () -> be.reduceBackward(op, x, down, down, 0f, gi)));
                ops.add(new Op("reduceBackward along " + name, cost,
                        () -> be.reduceBackward(op, x, along, along, 1f, gi)));
            }
            for (boolean log : new boolean[] {false, true}) {
                String name = (log ? "log" : "") + "softmaxRows" + at;
                ops.add(new Op(name, cost, () -> be.softmaxRows(x, y, log)));
                ops.add(new Op(name + " backward", cost, () -> be.softmaxRowsBackward(y, g, log, 1f, gi)));
            }
            Tensor labels = be.uploadInt(labels(random, r, c), r);
            ops.add(new Op("gatherColumns" + at, cost, () -> be.gatherColumns(x, labels, along)));
            ops.add(new Op("scatterAddColumns" + at, cost, () -> be.scatterAddColumns(along, labels, 1f, gi)));
            Tensor xt = be.allocate(c, r);
            ops.add(new Op("transpose" + at, cost, () -> be.transpose(x, 0f, xt)));
            ops.add(new Op("copyBlock" + at, cost, () -> be.copyBlock(x, 0, 0, gi, 0, 0, r, c, 1f)));
            ops.add(new Op("copyBlock one element" + at, CHEAP, () -> be.copyBlock(x, r - 1, c - 1, all, 0, 0, 1, 1,
                    0f)));
        }
        return ops;
    }

    /** Data loading, the losses, the fused classifier pass and the bias sums, for one class count. */
    private static List<Op> classifierOps(Backend be, Random random, boolean lectureSizes, int features,
            int classes) {
        List<Op> ops = new ArrayList<>();
        for (int rows : new int[] {16, lectureSizes ? 2048 : 100}) {
            String s = " " + rows + "x" + features;
            int cost = rows > 16 ? MEDIUM : CHEAP;
            int bigCost = rows > 16 ? COSTLY : CHEAP;
            Tensor data = be.upload(randn(random, 5000 * features), 5000, features);
            int[] order = new int[5000];
            for (int i = 0; i < order.length; i++) {
                order[i] = (i * 7919) % order.length;
            }
            Tensor idx = be.uploadInt(order, order.length);
            Tensor batch = be.allocate(rows, features);
            Tensor labelsAll = be.uploadInt(labels(random, 5000, classes), 5000);
            Tensor labels = be.allocateInt(rows);
            Tensor logits = be.upload(randn(random, rows * classes), rows, classes);
            Tensor grad = be.allocate(rows, classes);
            Tensor bias = be.upload(randn(random, classes), classes);
            Tensor colSums = be.allocate(features);
            Tensor argmax = be.allocateInt(rows);
            Tensor loss = be.allocate(1);
            ops.add(new Op("gatherRows" + s, bigCost, () -> {
                be.gatherRows(data, idx, 7, batch);
                be.gatherRows(labelsAll, idx, 7, labels);
            }));
            ops.add(new Op("softmaxCrossEntropy " + rows + "x" + classes, cost,
                    () -> be.softmaxCrossEntropy(logits, labels, grad, rows, loss, 0)));
            ops.add(new Op("softmaxCrossEntropy in place " + rows + "x" + classes, cost, () -> {
                be.copy(logits, grad);
                be.softmaxCrossEntropy(grad, labels, grad, rows, loss, 0);
            }));
            ops.add(new Op("softmaxCrossEntropy no grad " + rows + "x" + classes, cost,
                    () -> be.softmaxCrossEntropy(logits, labels, null, rows, loss, 0)));
            ops.add(new Op("addRowVector " + rows + "x" + classes, cost, () -> be.addRowVector(grad, bias)));
            Tensor weights = be.upload(randn(random, features * classes), features, classes);
            Tensor gradW = be.allocate(features, classes);
            Tensor gradB = be.allocate(classes);
            ops.add(new Op("linearSoftmaxCrossEntropy" + s + "·" + features + "x" + classes, bigCost,
                    () -> be.linearSoftmaxCrossEntropy(batch, weights, bias, labels, logits, grad, gradW, gradB, rows,
                            loss, 0)));
            ops.add(new Op("argmaxRows " + rows + "x" + classes, cost, () -> be.argmaxRows(logits, argmax)));
            ops.add(new Op("columnSums" + s, bigCost, () -> be.columnSums(1f, batch, 0f, colSums)));
            ops.add(new Op("columnSums beta=1" + s, bigCost, () -> be.columnSums(0.5f, batch, 1f, colSums)));
            ops.add(new Op("addRowVector" + s, bigCost, () -> be.addRowVector(batch, colSums)));
        }
        if (lectureSizes) {
            // Four reduction chunks: the fused pass on two threads too.
            int rows = 4 * Gemm.K_CHUNK;
            Tensor x = be.upload(randn(random, rows * features), rows, features);
            Tensor w = be.upload(randn(random, features * classes), features, classes);
            Tensor b = be.upload(randn(random, classes), classes);
            Tensor y = be.uploadInt(labels(random, rows, classes), rows);
            Tensor z = be.allocate(rows, classes);
            Tensor g = be.allocate(rows, classes);
            Tensor gw = be.allocate(features, classes);
            Tensor gb = be.allocate(classes);
            Tensor loss = be.allocate(1);
            ops.add(new Op("linearSoftmaxCrossEntropy " + rows + "x" + features + "·" + features + "x" + classes,
                    COSTLY, () -> be.linearSoftmaxCrossEntropy(x, w, b, y, z, g, gw, gb, rows, loss, 0)));
        }
        return ops;
    }

    private static float[] randn(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static int[] labels(Random random, int n, int classes) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(classes);
        }
        return y;
    }
}

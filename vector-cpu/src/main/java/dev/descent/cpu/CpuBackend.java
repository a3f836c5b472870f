package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.DType;
import dev.descent.backend.HostCpu;
import dev.descent.backend.OpChecks;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CPU backend: heap arrays, Vector API kernels (or their scalar twin, see {@link KernelSelection}), and a fixed
 * pool of worker threads. This class owns the tensors, checks every call's arguments ({@link OpChecks}) and hands the
 * arrays to the part that runs the operation: {@link Gemm}, {@link ElementwiseOps}, {@link Reductions},
 * {@link RowOps}, {@link Losses} (with {@link FusedSoftmaxRegression}), {@link OptimizerSteps}, and for the operations
 * autodiff records {@link UnaryOps}, {@link BinaryOps}, {@link AxisReductions} and {@link Blocks}, all over the same
 * {@link CpuKernels} and {@link WorkerPool}. {@link #reshape} views share their base tensor's array
 * ({@link CpuTensor}).
 *
 * <p><b>Determinism.</b> Work is cut into chunks whose boundaries depend only on the shapes, never on the thread count
 * ({@link Chunks}; GEMM: {@link Gemm}). Reductions produce one double partial per chunk and add the partials in chunk
 * order, so results are bit-identical for 1, 2 or any number of threads. The kernels avoid everything whose rounding
 * the JIT may change between compilation tiers (the Vector API's transcendental functions, {@code reduceLanes(ADD)}),
 * so results are also the same early in a run (interpreted) and late (compiled).
 *
 * <p><b>Allocation.</b> After warm-up no operation allocates, on any thread, whatever the thread count. Work buffers
 * (GEMM packing and partial sums, reduction partials) are owned by the parts and grown only when a larger shape first
 * appears. Small operations run on the calling thread; larger ones hand the pool a task object created with the part,
 * one per kernel ({@link ChunkJob}), whose fields the call fills; no lambda captures per-call values. The Vector API
 * kernels themselves are written so that C2 keeps every vector in registers (see {@link VectorKernels});
 * {@code AllocationFreeTest} checks all of it, on every thread, for 1 and 2 threads.
 *
 * <p>Each part holds its own lock while it uses its task objects or work buffers, so the backend may be called from
 * several threads, but it is meant to be driven by one.
 */
public final class CpuBackend implements Backend {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Gemm gemm;
    private final ElementwiseOps elementwise;
    private final Reductions reductions;
    private final RowOps rows;
    private final Losses losses;
    private final OptimizerSteps optimizers;
    private final UnaryOps unary;
    private final BinaryOps binary;
    private final AxisReductions axisReductions;
    private final Blocks blocks;
    private final Set<CpuTensor> tensors = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Background gathers ({@link #gatherRowsAsync}); null until first needed, or when no core is spare. */
    private RowPrefetcher prefetcher;

    /**
     * A backend with the kernels chosen by {@link KernelSelection} and {@code options.threads()} threads (0: all cores,
     * or 1 where the measured width plan found one thread faster for the workload the application announced).
     */
    public CpuBackend(BackendOptions options) {
        this(options, KernelSelection.kernels());
    }

    CpuBackend(BackendOptions options, CpuKernels kernels) {
        // 0: all cores, unless this machine's measured plan found one thread faster for the announced workload
        // (only the selected kernels follow the plan; results do not depend on the thread count).
        int planned = kernels == KernelSelection.kernels() ? VectorBits.planThreads() : 0;
        int threads = options.threads() != 0 ? options.threads()
                : planned > 0 ? planned : Runtime.getRuntime().availableProcessors();
        this.kernels = kernels;
        this.pool = new WorkerPool(threads, "descent-cpu");
        this.gemm = new Gemm(pool, kernels);
        this.elementwise = new ElementwiseOps(pool, kernels);
        this.reductions = new Reductions(pool, kernels);
        this.rows = new RowOps(pool, kernels);
        this.losses = new Losses(pool, kernels);
        this.optimizers = new OptimizerSteps(pool, kernels);
        this.unary = new UnaryOps(pool, kernels);
        this.axisReductions = new AxisReductions(pool, kernels);
        this.binary = new BinaryOps(pool, kernels, axisReductions);
        this.blocks = new Blocks(pool, kernels);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: " + kernels.describe() + ", " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads")
                + "; " + HostCpu.describe();
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    /** The kernels in use (for tests). */
    CpuKernels kernels() {
        return kernels;
    }

    /** The fused softmax-regression pass (tests check where it applies). */
    FusedSoftmaxRegression fusedSoftmaxRegression() {
        return losses.fused();
    }

    @Override
    public String toString() {
        return description();
    }

    // ================================================================ memory

    @Override
    public Tensor allocate(int... shape) {
        return newTensor(DType.F32, shape, "allocate");
    }

    @Override
    public Tensor allocateInt(int... shape) {
        return newTensor(DType.I32, shape, "allocateInt");
    }

    @Override
    public Tensor upload(float[] data, int... shape) {
        OpChecks.notNull(data, "upload", "data");
        checkOpen("upload");
        OpChecks.uploadLength("upload", data.length, shape);
        CpuTensor t = newTensor(DType.F32, shape, "upload");
        System.arraycopy(data, 0, t.f, 0, data.length);
        return t;
    }

    @Override
    public Tensor uploadInt(int[] data, int... shape) {
        OpChecks.notNull(data, "uploadInt", "data");
        checkOpen("uploadInt");
        OpChecks.uploadLength("uploadInt", data.length, shape);
        CpuTensor t = newTensor(DType.I32, shape, "uploadInt");
        System.arraycopy(data, 0, t.i, 0, data.length);
        return t;
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        CpuTensor d = f32(dst, "upload", "dst");
        OpChecks.notNull(src, "upload", "src");
        OpChecks.arrayRange("upload", "src", src.length, srcOffset, d.length());
        System.arraycopy(src, srcOffset, d.f, 0, d.length());
    }

    @Override
    public void uploadInt(int[] src, int srcOffset, Tensor dst) {
        CpuTensor d = i32(dst, "uploadInt", "dst");
        OpChecks.notNull(src, "uploadInt", "src");
        OpChecks.arrayRange("uploadInt", "src", src.length, srcOffset, d.length());
        System.arraycopy(src, srcOffset, d.i, 0, d.length());
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        CpuTensor s = f32(src, "download", "src");
        OpChecks.notNull(dst, "download", "dst");
        OpChecks.arrayRange("download", "dst", dst.length, dstOffset, s.length());
        System.arraycopy(s.f, 0, dst, dstOffset, s.length());
    }

    @Override
    public void downloadInt(Tensor src, int[] dst, int dstOffset) {
        CpuTensor s = i32(src, "downloadInt", "src");
        OpChecks.notNull(dst, "downloadInt", "dst");
        OpChecks.arrayRange("downloadInt", "dst", dst.length, dstOffset, s.length());
        System.arraycopy(s.i, 0, dst, dstOffset, s.length());
    }

    @Override
    public float get(Tensor src, long index) {
        CpuTensor s = f32(src, "get", "src");
        OpChecks.elementIndex("get", index, s);
        return s.f[(int) index];
    }

    @Override
    public void synchronize() {
        checkOpen("synchronize");
    }

    // ================================================================ GEMM

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        CpuTensor ta = f32(a, "gemm", "A");
        CpuTensor tb = f32(b, "gemm", "B");
        CpuTensor tc = f32(c, "gemm", "C");
        OpChecks.gemm(transA, transB, ta, tb, tc);
        int k = transA ? ta.rows() : ta.cols();
        gemm.gemm(transA, transB, alpha, ta.f, tb.f, beta, tc.f, tc.rows(), tc.cols(), k);
    }

    // ================================================================ elementwise

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        CpuTensor tx = f32(x, "axpy", "x");
        CpuTensor ty = f32(y, "axpy", "y");
        OpChecks.sameSize("axpy", "x", tx, "y", ty);
        elementwise.axpy(alpha, tx.f, ty.f, tx.length());
    }

    @Override
    public void scale(float alpha, Tensor x) {
        CpuTensor tx = f32(x, "scale", "x");
        elementwise.scale(alpha, tx.f, tx.length());
    }

    @Override
    public void fill(Tensor x, float value) {
        CpuTensor tx = live(x, "fill", "x");
        if (tx.dtype() == DType.F32) {
            Arrays.fill(tx.f, 0, tx.length(), value);
        } else {
            Arrays.fill(tx.i, (int) value);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuTensor s = live(src, "copy", "src");
        CpuTensor d = live(dst, "copy", "dst");
        OpChecks.sameDtype("copy", "src", s, "dst", d);
        OpChecks.sameSize("copy", "src", s, "dst", d);
        if (s.dtype() == DType.F32) {
            System.arraycopy(s.f, 0, d.f, 0, s.length());
        } else {
            System.arraycopy(s.i, 0, d.i, 0, s.length());
        }
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        CpuTensor ta = f32(a, "multiply", "a");
        CpuTensor tb = f32(b, "multiply", "b");
        CpuTensor to = f32(out, "multiply", "out");
        OpChecks.sameSize("multiply", "a", ta, "b", tb);
        OpChecks.sameSize("multiply", "a", ta, "out", to);
        elementwise.multiply(ta.f, tb.f, to.f, ta.length());
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        CpuTensor tx = f32(x, "clamp", "x");
        elementwise.clamp(tx.f, lo, hi, tx.length());
    }

    // ================================================================ reductions

    @Override
    public double sum(Tensor x) {
        CpuTensor tx = f32(x, "sum", "x");
        return reductions.sum(tx.f, tx.length());
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        CpuTensor tx = f32(x, "dot", "x");
        CpuTensor ty = f32(y, "dot", "y");
        OpChecks.sameSize("dot", "x", tx, "y", ty);
        return reductions.dot(tx.f, ty.f, tx.length());
    }

    @Override
    public double squaredNorm(Tensor x) {
        CpuTensor tx = f32(x, "squaredNorm", "x");
        return reductions.squaredNorm(tx.f, tx.length());
    }

    @Override
    public float maxAbs(Tensor x) {
        CpuTensor tx = f32(x, "maxAbs", "x");
        return reductions.maxAbs(tx.f, tx.length());
    }

    @Override
    public boolean allFinite(Tensor x) {
        CpuTensor tx = f32(x, "allFinite", "x");
        return reductions.allFinite(tx.f, tx.length());
    }

    // ================================================================ rows

    @Override
    public void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        gather("gatherRows", src, indices, offset, dst, false);
    }

    /**
     * On a spare core when the worker pool leaves one ({@link RowPrefetcher}, started on the first call), else at once.
     */
    @Override
    public Pending gatherRowsAsync(Tensor src, Tensor indices, int offset, Tensor dst) {
        return gather("gatherRowsAsync", src, indices, offset, dst, true);
    }

    /**
     * Checks a gather's arguments (errors name {@code op}), then gathers now or, if asked and a core is spare, in the
     * background.
     */
    private Pending gather(String op, Tensor src, Tensor indices, int offset, Tensor dst, boolean background) {
        CpuTensor s = live(src, op, "src");
        CpuTensor idx = i32(indices, op, "indices");
        CpuTensor d = live(dst, op, "dst");
        OpChecks.gatherRows(s, idx, offset, d);
        OpChecks.gatherIndices(idx.i, offset, d.rows(), s);
        boolean f32 = s.dtype() == DType.F32;
        RowPrefetcher p = background ? prefetcher() : null;
        if (p == null) {
            rows.gatherRows(f32 ? s.f : s.i, idx.i, offset, f32 ? d.f : d.i, d.rows(), s.cols());
            return Pending.DONE;
        }
        return p.submit(f32 ? s.f : s.i, idx.i, offset, f32 ? d.f : d.i, d.rows(), s.cols());
    }

    /**
     * True when the worker pool leaves a core free: {@link #gatherRowsAsync} then copies on it. The system property
     * {@value #PREFETCH_PROPERTY}{@code =false} turns it off (the run then keeps to the pool's threads).
     */
    @Override
    public boolean gathersInBackground() {
        return PREFETCH && pool.threads() < Runtime.getRuntime().availableProcessors();
    }

    /** System property: {@code false} keeps {@link #gatherRowsAsync} on the calling thread. */
    public static final String PREFETCH_PROPERTY = "descent.cpu.prefetch";
    private static final boolean PREFETCH = !"false".equalsIgnoreCase(System.getProperty(PREFETCH_PROPERTY));

    /** The prefetch thread's owner, if started (tests). */
    synchronized RowPrefetcher prefetcherIfStarted() {
        return prefetcher;
    }

    private synchronized RowPrefetcher prefetcher() {
        if (prefetcher == null && !closed && gathersInBackground()) {
            prefetcher = new RowPrefetcher("descent-cpu-prefetch");
        }
        return prefetcher;
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        CpuTensor tx = f32(x, "argmaxRows", "x");
        CpuTensor to = i32(out, "argmaxRows", "out");
        OpChecks.argmaxRows(tx, to);
        RowOps.argmaxRows(tx.f, to.i, tx.rows(), tx.cols());
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        CpuTensor tx = f32(x, "addRowVector", "x");
        CpuTensor tb = f32(bias, "addRowVector", "bias");
        OpChecks.onePerColumn("addRowVector", "bias", tb, "x", tx);
        rows.addRowVector(tx.f, tb.f, tx.rows(), tx.cols());
    }

    @Override
    public void columnSums(float alpha, Tensor x, float beta, Tensor out) {
        CpuTensor tx = f32(x, "columnSums", "x");
        CpuTensor to = f32(out, "columnSums", "out");
        OpChecks.onePerColumn("columnSums", "out", to, "x", tx);
        rows.columnSums(alpha, tx.f, tx.rows(), tx.cols(), beta, to.f);
    }

    // ================================================================ activations

    @Override
    public void relu(Tensor x, Tensor out) {
        CpuTensor tx = f32(x, "relu", "x");
        CpuTensor to = f32(out, "relu", "out");
        OpChecks.sameSize("relu", "x", tx, "out", to);
        elementwise.relu(tx.f, to.f, tx.length());
    }

    @Override
    public void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        CpuTensor g = f32(gradOut, "reluBackward", "gradOut");
        CpuTensor a = f32(activation, "reluBackward", "activation");
        CpuTensor gi = f32(gradIn, "reluBackward", "gradIn");
        OpChecks.sameSize("reluBackward", "gradOut", g, "activation", a);
        OpChecks.sameSize("reluBackward", "gradOut", g, "gradIn", gi);
        elementwise.reluBackward(g.f, a.f, gi.f, g.length());
    }

    // ================================================================ losses

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "softmaxCrossEntropy";
        CpuTensor z = f32(logits, op, "logits");
        CpuTensor y = i32(labels, op, "labels");
        CpuTensor g = f32OrNull(grad, op, "grad");
        CpuTensor lo = lossOutput(op, lossOut, lossIndex, normalizer);
        OpChecks.softmaxCrossEntropy(op, z, y, g);
        OpChecks.labels(op, y.i, z.rows(), z);
        lo.f[lossIndex] = losses.softmaxCrossEntropy(z.f, y.i, data(g), z.rows(), z.cols(), normalizer);
    }

    /**
     * Fused where {@link FusedSoftmaxRegression#applies} (the full-batch softmax regression: X is read once per call
     * instead of twice), otherwise the composed calls; both give the same bits.
     */
    @Override
    public void linearSoftmaxCrossEntropy(Tensor x, Tensor w, Tensor b, Tensor labels, Tensor logits, Tensor grad,
            Tensor gradW, Tensor gradB, int normalizer, Tensor lossOut, int lossIndex) {
        String op = "linearSoftmaxCrossEntropy";
        CpuTensor tx = f32(x, op, "x");
        CpuTensor tw = f32(w, op, "w");
        CpuTensor tb = f32OrNull(b, op, "b");
        CpuTensor ty = i32(labels, op, "labels");
        CpuTensor tz = f32(logits, op, "logits");
        CpuTensor tg = f32(grad, op, "grad");
        CpuTensor tgw = f32(gradW, op, "gradW");
        CpuTensor tgb = f32OrNull(gradB, op, "gradB");
        CpuTensor lo = f32(lossOut, op, "lossOut");
        OpChecks.linearSoftmaxCrossEntropy(tx, tw, tb, ty, tz, tg, tgw, tgb, normalizer, lo, lossIndex);
        int n = tx.rows();
        int in = tx.cols();
        int k = tw.cols();
        if (!losses.fuses(n, in, k)) {
            Backend.super.linearSoftmaxCrossEntropy(x, w, b, labels, logits, grad, gradW, gradB, normalizer, lossOut,
                    lossIndex);
            return;
        }
        OpChecks.labels(op, ty.i, n, tz);
        lo.f[lossIndex] = losses.linearSoftmaxCrossEntropy(tx.f, tw.f, data(tb), ty.i, tz.f, tg.f, tgw.f, n, in, k,
                normalizer);
        if (gradB != null) {
            columnSums(1f, grad, 0f, gradB);
        }
    }

    @Override
    public void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        String op = "sigmoidBinaryCrossEntropy";
        CpuTensor x = f32(logits, op, "logits");
        CpuTensor t = f32(targets, op, "targets");
        CpuTensor g = f32OrNull(grad, op, "grad");
        CpuTensor lo = lossOutput(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, "logits", x, t, g);
        lo.f[lossIndex] = losses.sigmoidBinaryCrossEntropy(x.f, t.f, data(g), x.length(), x.cols(), normalizer);
    }

    @Override
    public void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "meanSquaredError";
        CpuTensor p = f32(predictions, op, "predictions");
        CpuTensor t = f32(targets, op, "targets");
        CpuTensor g = f32OrNull(grad, op, "grad");
        CpuTensor lo = lossOutput(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, "predictions", p, t, g);
        lo.f[lossIndex] = losses.meanSquaredError(p.f, t.f, data(g), p.length(), p.cols(), normalizer);
    }

    @Override
    public void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "meanAbsoluteError";
        CpuTensor p = f32(predictions, op, "predictions");
        CpuTensor t = f32(targets, op, "targets");
        CpuTensor g = f32OrNull(grad, op, "grad");
        CpuTensor lo = lossOutput(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, "predictions", p, t, g);
        lo.f[lossIndex] = losses.meanAbsoluteError(p.f, t.f, data(g), p.length(), p.cols(), normalizer);
    }

    private CpuTensor lossOutput(String op, Tensor lossOut, int lossIndex, int normalizer) {
        CpuTensor lo = f32(lossOut, op, "lossOut");
        OpChecks.lossOutput(op, lo, lossIndex, normalizer);
        return lo;
    }

    // ================================================================ optimizers

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        String op = "sgdUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sgd(lr, momentum, dampening, nesterov, weightDecay);
        OpChecks.momentumBuffer(op, momentum, momentumBuffer);
        CpuTensor b = momentum != 0 ? f32(momentumBuffer, op, "momentumBuffer") : null;
        OpChecks.sameSizeIfGiven(op, "param", p, "momentumBuffer", b);
        optimizers.sgd(p.f, g.f, data(b), p.length(), lr, momentum, dampening, nesterov, weightDecay, maximize,
                copyFirst);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        String op = "adamUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor tm = f32(m, op, "m");
        CpuTensor tv = f32(v, op, "v");
        CpuTensor tmax = f32OrNull(maxV, op, "maxV");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.sameSizeIfGiven(op, "param", p, "maxV", tmax);
        OpChecks.adam(lr, beta1, beta2, eps, weightDecay, step);
        optimizers.adam(p.f, g.f, tm.f, tv.f, data(tmax), p.length(), lr, beta1, beta2, eps, weightDecay, decoupled,
                maximize, step);
    }

    @Override
    public void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer,
            double lr, double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        String op = "rmspropUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor sq = f32(squareAvg, op, "squareAvg");
        CpuTensor ga = f32OrNull(gradAvg, op, "gradAvg");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "squareAvg", sq);
        OpChecks.sameSizeIfGiven(op, "param", p, "gradAvg", ga);
        OpChecks.rmsprop(lr, alpha, eps, weightDecay, momentum);
        OpChecks.momentumBuffer(op, momentum, momentumBuffer);
        CpuTensor b = momentum > 0 ? f32(momentumBuffer, op, "momentumBuffer") : null;
        OpChecks.sameSizeIfGiven(op, "param", p, "momentumBuffer", b);
        optimizers.rmsprop(p.f, g.f, sq.f, data(ga), data(b), p.length(), lr, alpha, eps, weightDecay, momentum,
                maximize);
    }

    @Override
    public void adagradUpdate(Tensor param, Tensor grad, Tensor sum, double clr, double eps, double weightDecay,
            boolean maximize) {
        String op = "adagradUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor s = f32(sum, op, "sum");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "sum", s);
        OpChecks.adagrad(clr, eps, weightDecay);
        optimizers.adagrad(p.f, g.f, s.f, p.length(), clr, eps, weightDecay, maximize);
    }

    @Override
    public void nadamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double gradStepSize,
            double momentumStepSize, double beta1, double beta2, double eps, double weightDecay, boolean maximize,
            long step) {
        String op = "nadamUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor tm = f32(m, op, "m");
        CpuTensor tv = f32(v, op, "v");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.nadam(gradStepSize, momentumStepSize, beta1, beta2, eps, weightDecay, step);
        optimizers.nadam(p.f, g.f, tm.f, tv.f, p.length(), gradStepSize, momentumStepSize, beta1, beta2, eps,
                weightDecay, maximize, step);
    }

    @Override
    public void radamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        String op = "radamUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor tm = f32(m, op, "m");
        CpuTensor tv = f32(v, op, "v");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.radam(lr, beta1, beta2, eps, weightDecay, step);
        optimizers.radam(p.f, g.f, tm.f, tv.f, p.length(), lr, beta1, beta2, eps, weightDecay, maximize, step);
    }

    @Override
    public void adamaxUpdate(Tensor param, Tensor grad, Tensor m, Tensor u, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        String op = "adamaxUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor tm = f32(m, op, "m");
        CpuTensor tu = f32(u, op, "u");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "u", tu);
        OpChecks.adamax(lr, beta1, beta2, eps, weightDecay, step);
        optimizers.adamax(p.f, g.f, tm.f, tu.f, p.length(), lr, beta1, beta2, eps, weightDecay, maximize, step);
    }

    @Override
    public void adadeltaUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho,
            double eps, double weightDecay, boolean maximize) {
        String op = "adadeltaUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor sq = f32(squareAvg, op, "squareAvg");
        CpuTensor acc = f32(accDelta, op, "accDelta");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "squareAvg", sq);
        OpChecks.sameSize(op, "param", p, "accDelta", acc);
        OpChecks.adadelta(lr, rho, eps, weightDecay);
        optimizers.adadelta(p.f, g.f, sq.f, acc.f, p.length(), lr, rho, eps, weightDecay, maximize);
    }

    // ================================================================ views

    @Override
    public Tensor reshape(Tensor x, int... shape) {
        CpuTensor t = live(x, "reshape", "x");
        OpChecks.reshape(t, shape);
        return new CpuTensor(t, shape[0], shape.length == 2 ? shape[1] : 1, shape.length == 1);
    }

    // ================================================================ autodiff: elementwise with broadcasting

    @Override
    public void unary(UnaryOp op, float param, Tensor x, Tensor out) {
        CpuTensor tx = f32(x, "unary", "x");
        CpuTensor to = f32(out, "unary", "out");
        OpChecks.unary(op, tx, to);
        unary.forward(op, param, tx.f, to.f, tx.length());
    }

    @Override
    public void unaryBackward(UnaryOp op, float param, Tensor x, Tensor out, Tensor gradOut, float beta,
            Tensor gradIn) {
        String name = "unaryBackward";
        CpuTensor tx = f32(x, name, "x");
        CpuTensor to = f32(out, name, "out");
        CpuTensor g = f32(gradOut, name, "gradOut");
        CpuTensor gi = f32(gradIn, name, "gradIn");
        OpChecks.unaryBackward(op, tx, to, g, gi);
        unary.backward(op, param, tx.f, to.f, g.f, beta, gi.f, tx.length());
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        CpuTensor ta = f32(a, "binary", "a");
        CpuTensor tb = f32(b, "binary", "b");
        CpuTensor to = f32(out, "binary", "out");
        OpChecks.binary(op, ta, tb, to);
        binary.forward(op, ta.f, ta.rows(), ta.cols(), tb.f, tb.rows(), tb.cols(), to.f, to.rows(), to.cols());
    }

    @Override
    public void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut, float beta,
            Tensor gradArg) {
        String name = "binaryBackward";
        CpuTensor ta = f32(a, name, "a");
        CpuTensor tb = f32(b, name, "b");
        CpuTensor to = f32(out, name, "out");
        CpuTensor g = f32(gradOut, name, "gradOut");
        CpuTensor ga = f32(gradArg, name, "gradArg");
        OpChecks.binaryBackward(op, argument, ta, tb, to, g, ga);
        binary.backward(op, argument, ta.f, ta.rows(), ta.cols(), tb.f, tb.rows(), tb.cols(), to.f, g.f, beta, ga.f,
                to.rows(), to.cols());
    }

    // ================================================================ autodiff: reductions, rows, blocks

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        CpuTensor tx = f32(x, "reduce", "x");
        CpuTensor to = f32(out, "reduce", "out");
        OpChecks.reduce("reduce", op, tx, to);
        axisReductions.reduce(op, tx.f, tx.rows(), tx.cols(), OpChecks.reduceAxis(tx, to), to.f);
    }

    @Override
    public void reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn) {
        String name = "reduceBackward";
        CpuTensor tx = f32(x, name, "x");
        CpuTensor to = f32(out, name, "out");
        CpuTensor g = f32(gradOut, name, "gradOut");
        CpuTensor gi = f32(gradIn, name, "gradIn");
        OpChecks.reduceBackward(op, tx, to, g, gi);
        axisReductions.backward(op, tx.f, tx.rows(), tx.cols(), OpChecks.reduceAxis(tx, to), g.f, beta, gi.f);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out, boolean log) {
        CpuTensor tx = f32(x, "softmaxRows", "x");
        CpuTensor to = f32(out, "softmaxRows", "out");
        OpChecks.softmaxRows(tx, to);
        rows.softmaxRows(tx.f, to.f, tx.rows(), tx.cols(), log);
    }

    @Override
    public void softmaxRowsBackward(Tensor out, Tensor gradOut, boolean log, float beta, Tensor gradIn) {
        String name = "softmaxRowsBackward";
        CpuTensor to = f32(out, name, "out");
        CpuTensor g = f32(gradOut, name, "gradOut");
        CpuTensor gi = f32(gradIn, name, "gradIn");
        OpChecks.softmaxRowsBackward(to, g, gi);
        rows.softmaxRowsGrad(to.f, g.f, to.rows(), to.cols(), log, beta, gi.f);
    }

    @Override
    public void gatherColumns(Tensor x, Tensor labels, Tensor out) {
        String name = "gatherColumns";
        CpuTensor tx = f32(x, name, "x");
        CpuTensor ty = i32(labels, name, "labels");
        CpuTensor to = f32(out, name, "out");
        OpChecks.gatherColumns(tx, ty, to);
        OpChecks.labels(name, ty.i, tx.rows(), "x", tx);
        RowOps.gatherColumns(tx.f, ty.i, to.f, tx.rows(), tx.cols());
    }

    @Override
    public void scatterAddColumns(Tensor gradOut, Tensor labels, float beta, Tensor gradIn) {
        String name = "scatterAddColumns";
        CpuTensor g = f32(gradOut, name, "gradOut");
        CpuTensor ty = i32(labels, name, "labels");
        CpuTensor gi = f32(gradIn, name, "gradIn");
        OpChecks.scatterAddColumns(g, ty, gi);
        OpChecks.labels(name, ty.i, gi.rows(), "gradIn", gi);
        rows.scatterAddColumns(g.f, ty.i, beta, gi.f, gi.rows(), gi.cols());
    }

    @Override
    public void transpose(Tensor x, float beta, Tensor out) {
        CpuTensor tx = f32(x, "transpose", "x");
        CpuTensor to = f32(out, "transpose", "out");
        OpChecks.transpose(tx, to);
        blocks.transpose(tx.f, tx.rows(), tx.cols(), beta, to.f);
    }

    @Override
    public void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows, int cols,
            float beta) {
        CpuTensor s = live(src, "copyBlock", "src");
        CpuTensor d = live(dst, "copyBlock", "dst");
        OpChecks.copyBlock(s, srcRow, srcCol, d, dstRow, dstCol, rows, cols);
        if (s.dtype() == DType.F32) {
            blocks.copyBlock(s.f, s.cols(), srcRow, srcCol, d.f, d.cols(), dstRow, dstCol, rows, cols, beta);
        } else {
            Blocks.copyBlock(s.i, s.cols(), srcRow, srcCol, d.i, d.cols(), dstRow, dstCol, rows, cols, beta);
        }
    }

    // ================================================================ lifecycle

    @Override
    public void close() {
        List<CpuTensor> owned;
        RowPrefetcher background;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            owned = new ArrayList<>(tensors);
            tensors.clear();
            background = prefetcher;
            prefetcher = null;
        }
        if (background != null) {
            background.close(); // after the gather in flight, if any
        }
        for (CpuTensor t : owned) {
            t.markClosed();
        }
        pool.close();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Number of live tensors this backend owns (for tests and leak checks). */
    public int liveTensors() {
        return tensors.size();
    }

    void untrack(CpuTensor t) {
        tensors.remove(t);
    }

    // ================================================================ helpers

    private CpuTensor newTensor(DType dtype, int[] shape, String op) {
        checkOpen(op);
        long size = OpChecks.newShape(op, shape);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape)
                    + " has more elements than the CPU backend's heap arrays can hold (" + (Integer.MAX_VALUE - 8)
                    + ")");
        }
        CpuTensor t = new CpuTensor(this, dtype, shape[0], shape.length == 2 ? shape[1] : 1, shape.length == 1);
        tensors.add(t);
        if (closed) { // closed concurrently: do not leak
            t.markClosed();
            tensors.remove(t);
            throw new IllegalStateException(op + ": the cpu backend is closed");
        }
        return t;
    }

    private void checkOpen(String op) {
        OpChecks.open(closed, "cpu", op);
    }

    private CpuTensor live(Tensor x, String op, String name) {
        checkOpen(op);
        return OpChecks.owned(this, CpuTensor.class, x, op, name);
    }

    private CpuTensor f32(Tensor x, String op, String name) {
        checkOpen(op);
        return OpChecks.float32(this, CpuTensor.class, x, op, name);
    }

    private CpuTensor f32OrNull(Tensor x, String op, String name) {
        return x == null ? null : f32(x, op, name);
    }

    private CpuTensor i32(Tensor x, String op, String name) {
        checkOpen(op);
        return OpChecks.int32(this, CpuTensor.class, x, op, name);
    }

    private static float[] data(CpuTensor t) {
        return t == null ? null : t.f;
    }
}

package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CPU backend: heap arrays, Vector API kernels (or their scalar twin, see {@link KernelSelection}), and a fixed
 * pool of worker threads.
 *
 * <p><b>Determinism.</b> Work is cut into chunks whose boundaries depend only on the shapes (never on the thread
 * count): {@link #ELEMENT_CHUNK} elements for elementwise work and reductions, {@link #ELEMENT_CHUNK}/cols rows for
 * row-wise losses, fixed k chunks for GEMM (see {@link Gemm}). Reductions produce one double partial per chunk and
 * add the partials in chunk order, so results are bit-identical for 1, 2 or any number of threads. The kernels avoid
 * everything whose rounding the JIT may change between compilation tiers (transcendental intrinsics,
 * {@code reduceLanes(ADD)}), so results are also the same early in a run (interpreted) and late (compiled).
 *
 * <p><b>Allocation.</b> After warm-up no operation allocates, on any thread, whatever the thread count. Work buffers
 * (GEMM packing and partial sums, reduction partials) are owned by the backend and grown only when a larger shape
 * first appears. Operations on fewer than {@link #PARALLEL_MIN} elements run on the calling thread (optimizer updates
 * below {@link #OPT_PARALLEL_MIN}, gathers below {@link #GATHER_PARALLEL_MIN}: division-bound and memory-latency-bound
 * work pays for a hand-off sooner). Larger ones (and GEMM) hand the pool a task object created with the backend, one per kernel ({@code ElementwiseJob},
 * {@code RowJob}, {@code ReductionJob}, {@code OptimizerJob}, and {@link Gemm}'s own): the call writes its arguments
 * into the task's fields, under the backend's lock, and the pool publishes them to its workers; no lambda captures
 * per-call values. The Vector API kernels themselves are written so that C2 keeps every vector in registers (see
 * {@link VectorKernels}); {@code AllocationFreeTest} checks all of it, on every thread, for 1 and 2 threads.
 *
 * <p><b>Rounding.</b> The optimizer updates reproduce torch 1.13's CPU kernels bit for bit (checked against torch on
 * this machine): torch's Python code computes the derived scalars in double (bias corrections, step size,
 * {@code 1 − β}, {@code 1 − lr·λ}); each becomes a float when passed to a float tensor op; {@code add_(x, alpha)}
 * is a fused multiply-add {@code fma(alpha, x, self)}, {@code addcmul_(a, b, value)} is
 * {@code fma(value·a, b, self)}, {@code addcdiv_(a, b, value)} is {@code self + (value·a)/b}, and division by a
 * scalar is a true division.
 *
 * <p>Operations that use the shared work buffers or the pool's task objects hold the backend's lock, so the backend
 * may be called from several threads, but it is meant to be driven by one.
 */
public final class CpuBackend implements Backend {
    /** Elements per chunk of elementwise work and reductions. */
    static final int ELEMENT_CHUNK = 1 << 14;
    /** Below this many elements an operation runs on the calling thread. */
    static final int PARALLEL_MIN = 1 << 16;
    /**
     * Below this many parameters an optimizer update runs on the calling thread. Updates are bound by division and
     * square root (Adam: two divisions and a root per element, some 2 cycles each), so even a small tensor (the 7,840
     * weights of a 784×10 softmax regression) is worth splitting.
     */
    static final int OPT_PARALLEL_MIN = 1 << 12;
    /** Elements per chunk of a parallel optimizer update (a multiple of every vector width). */
    static final int OPT_CHUNK = 1 << 12;
    /** Below this many elements a gather runs on the calling thread. */
    static final int GATHER_PARALLEL_MIN = 1 << 13;
    /** Elements per chunk of a parallel gather. */
    static final int GATHER_CHUNK = 1 << 12;
    /** Columns per chunk of {@link #columnSums}. */
    private static final int COLUMN_CHUNK = 64;

    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Gemm gemm;
    private final FusedSoftmaxRegression fused;
    private final Set<CpuTensor> tensors = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private double[] partials = new double[64];
    private double[] columnAcc = new double[64];
    // Reusable pool tasks, one per kernel (see "pool jobs" below).
    private final ElementwiseJob axpyJob = new ElementwiseJob() {
        @Override
        public void run(int ch) {
            kernels.axpy(alpha, a, out, from(ch), to(ch, n));
        }
    };
    private final ElementwiseJob scaleJob = new ElementwiseJob() {
        @Override
        public void run(int ch) {
            kernels.scale(alpha, out, from(ch), to(ch, n));
        }
    };
    private final ElementwiseJob multiplyJob = new ElementwiseJob() {
        @Override
        public void run(int ch) {
            kernels.multiply(a, b, out, from(ch), to(ch, n));
        }
    };
    private final ElementwiseJob clampJob = new ElementwiseJob() {
        @Override
        public void run(int ch) {
            kernels.clamp(out, lo, hi, from(ch), to(ch, n));
        }
    };
    private final ElementwiseJob reluJob = new ElementwiseJob() {
        @Override
        public void run(int ch) {
            kernels.relu(a, out, from(ch), to(ch, n));
        }
    };
    private final ElementwiseJob reluBackwardJob = new ElementwiseJob() {
        @Override
        public void run(int ch) {
            kernels.reluBackward(a, b, out, from(ch), to(ch, n));
        }
    };
    private final RowJob gatherJob = new RowJob() {
        @Override
        public void run(int ch) {
            copyRows(src, dst, indices, offset, cols, firstRow(ch), endRow(ch));
        }
    };
    private final RowJob addRowVectorJob = new RowJob() {
        @Override
        public void run(int ch) {
            kernels.addRowVector(x, vector, cols, firstRow(ch), endRow(ch));
        }
    };
    /** Chunks of {@link #COLUMN_CHUNK} columns, each summed over all rows. */
    private final RowJob columnSumsJob = new RowJob() {
        @Override
        public void run(int ch) {
            kernels.columnSums(x, cols, 0, rows, ch * COLUMN_CHUNK, Math.min(cols, (ch + 1) * COLUMN_CHUNK), acc);
        }
    };
    private final ReductionJob sumJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.sum(x, from(ch), to(ch, n));
        }
    };
    private final ReductionJob dotJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.dot(x, y, from(ch), to(ch, n));
        }
    };
    private final ReductionJob squaredNormJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.squaredNorm(x, from(ch), to(ch, n));
        }
    };
    private final ReductionJob maxAbsJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.maxAbs(x, from(ch), to(ch, n));
        }
    };
    private final ReductionJob allFiniteJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.allFinite(x, from(ch), to(ch, n)) ? 1 : 0;
        }
    };
    /** Chunks of {@code rowsPerChunk} rows of {@code n} rows of {@code cols} logits. */
    private final ReductionJob softmaxJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            int r0 = ch * rowsPerChunk;
            partials[ch] = kernels.softmaxCrossEntropy(x, labels, grad, cols, r0, Math.min(n, r0 + rowsPerChunk),
                    gradScale);
        }
    };
    private final ReductionJob bceJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.sigmoidBinaryCrossEntropy(x, y, grad, from(ch), to(ch, n), gradScale);
        }
    };
    private final ReductionJob mseJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.squaredError(x, y, grad, from(ch), to(ch, n), gradScale);
        }
    };
    private final ReductionJob maeJob = new ReductionJob() {
        @Override
        public void run(int ch) {
            partials[ch] = kernels.absoluteError(x, y, grad, from(ch), to(ch, n), gradScale);
        }
    };
    private final OptimizerJob sgdJob = new OptimizerJob() {
        @Override
        public void run(int ch) {
            kernels.sgd(param, grad, state1, lo(ch), hi(ch), negLr, applyWd, wd, useMomentum, momentum,
                    oneMinusDampening, nesterov, maximize, copyFirst);
        }
    };
    private final OptimizerJob adamJob = new OptimizerJob() {
        @Override
        public void run(int ch) {
            kernels.adam(param, grad, state1, state2, state3, lo(ch), hi(ch), negLr, beta1, oneMinusBeta1,
                    beta2, oneMinusBeta2, bc2Sqrt, eps, applyWd, wd, decoupled, decayFactor, maximize);
        }
    };
    private final OptimizerJob rmspropJob = new OptimizerJob() {
        @Override
        public void run(int ch) {
            kernels.rmsprop(param, grad, state1, state2, state3, lo(ch), hi(ch), negLr, alpha, oneMinusAlpha,
                    eps, applyWd, wd, useMomentum, momentum, maximize);
        }
    };
    private final OptimizerJob adagradJob = new OptimizerJob() {
        @Override
        public void run(int ch) {
            kernels.adagrad(param, grad, state1, lo(ch), hi(ch), negLr, eps, applyWd, wd, maximize);
        }
    };

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
        this.fused = new FusedSoftmaxRegression(pool, kernels);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: " + kernels.describe() + ", " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads");
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    /** The kernels in use (for tests). */
    CpuKernels kernels() {
        return kernels;
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
    public synchronized void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta,
            Tensor c) {
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
        float[] xf = tx.f;
        float[] yf = ty.f;
        int n = tx.length();
        if (n < PARALLEL_MIN) {
            kernels.axpy(alpha, xf, yf, 0, n);
        } else {
            elementwise(axpyJob, n, alpha, 0f, 0f, xf, null, yf);
        }
    }

    @Override
    public void scale(float alpha, Tensor x) {
        CpuTensor tx = f32(x, "scale", "x");
        float[] xf = tx.f;
        int n = tx.length();
        if (n < PARALLEL_MIN) {
            kernels.scale(alpha, xf, 0, n);
        } else {
            elementwise(scaleJob, n, alpha, 0f, 0f, null, null, xf);
        }
    }

    @Override
    public void fill(Tensor x, float value) {
        CpuTensor tx = live(x, "fill", "x");
        if (tx.dtype() == DType.F32) {
            Arrays.fill(tx.f, value);
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
        float[] af = ta.f;
        float[] bf = tb.f;
        float[] of = to.f;
        int n = ta.length();
        if (n < PARALLEL_MIN) {
            kernels.multiply(af, bf, of, 0, n);
        } else {
            elementwise(multiplyJob, n, 0f, 0f, 0f, af, bf, of);
        }
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        CpuTensor tx = f32(x, "clamp", "x");
        float[] xf = tx.f;
        int n = tx.length();
        if (n < PARALLEL_MIN) {
            kernels.clamp(xf, lo, hi, 0, n);
        } else {
            elementwise(clampJob, n, 0f, lo, hi, null, null, xf);
        }
    }

    // ================================================================ reductions

    @Override
    public synchronized double sum(Tensor x) {
        CpuTensor tx = f32(x, "sum", "x");
        float[] xf = tx.f;
        int n = tx.length();
        if (n <= ELEMENT_CHUNK) {
            return kernels.sum(xf, 0, n);
        }
        return sumInOrder(reduce(sumJob, n, n, chunks(n), xf, null), chunks(n));
    }

    @Override
    public synchronized double dot(Tensor x, Tensor y) {
        CpuTensor tx = f32(x, "dot", "x");
        CpuTensor ty = f32(y, "dot", "y");
        OpChecks.sameSize("dot", "x", tx, "y", ty);
        float[] xf = tx.f;
        float[] yf = ty.f;
        int n = tx.length();
        if (n <= ELEMENT_CHUNK) {
            return kernels.dot(xf, yf, 0, n);
        }
        return sumInOrder(reduce(dotJob, n, n, chunks(n), xf, yf), chunks(n));
    }

    @Override
    public synchronized double squaredNorm(Tensor x) {
        CpuTensor tx = f32(x, "squaredNorm", "x");
        float[] xf = tx.f;
        int n = tx.length();
        if (n <= ELEMENT_CHUNK) {
            return kernels.squaredNorm(xf, 0, n);
        }
        return sumInOrder(reduce(squaredNormJob, n, n, chunks(n), xf, null), chunks(n));
    }

    @Override
    public synchronized float maxAbs(Tensor x) {
        CpuTensor tx = f32(x, "maxAbs", "x");
        float[] xf = tx.f;
        int n = tx.length();
        if (n <= ELEMENT_CHUNK) {
            return kernels.maxAbs(xf, 0, n);
        }
        double[] p = reduce(maxAbsJob, n, n, chunks(n), xf, null);
        float m = 0f;
        for (int ch = 0; ch < chunks(n); ch++) {
            m = Math.max(m, (float) p[ch]);
        }
        return m;
    }

    @Override
    public synchronized boolean allFinite(Tensor x) {
        CpuTensor tx = f32(x, "allFinite", "x");
        float[] xf = tx.f;
        int n = tx.length();
        if (n <= ELEMENT_CHUNK) {
            return kernels.allFinite(xf, 0, n);
        }
        double[] p = reduce(allFiniteJob, n, n, chunks(n), xf, null);
        for (int ch = 0; ch < chunks(n); ch++) {
            if (p[ch] == 0) {
                return false;
            }
        }
        return true;
    }

    // ================================================================ rows

    @Override
    public void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        CpuTensor s = live(src, "gatherRows", "src");
        CpuTensor idx = i32(indices, "gatherRows", "indices");
        CpuTensor d = live(dst, "gatherRows", "dst");
        OpChecks.gatherRows(s, idx, offset, d);
        int rows = d.rows();
        int[] ix = idx.i;
        OpChecks.gatherIndices(ix, offset, rows, s);
        int cols = s.cols();
        Object from = s.dtype() == DType.F32 ? s.f : s.i;
        Object to = d.dtype() == DType.F32 ? d.f : d.i;
        long total = (long) rows * cols;
        if (total < GATHER_PARALLEL_MIN || cols == 0 || pool.threads() == 1) {
            copyRows(from, to, ix, offset, cols, 0, rows);
        } else {
            synchronized (this) {
                // A gather waits on memory (rows at random addresses), not on arithmetic: several threads each
                // copying a few rows keep more cache misses in flight. Smaller chunks than other row jobs; a copy's
                // result does not depend on how it is cut.
                RowJob job = gatherJob.set(rows, cols, GATHER_CHUNK);
                job.src = from;
                job.dst = to;
                job.indices = ix;
                job.offset = offset;
                dispatch(job.chunks(), job);
            }
        }
    }

    private static void copyRows(Object src, Object dst, int[] ix, int offset, int cols, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            System.arraycopy(src, ix[offset + r] * cols, dst, r * cols, cols);
        }
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        CpuTensor tx = f32(x, "argmaxRows", "x");
        CpuTensor to = i32(out, "argmaxRows", "out");
        OpChecks.argmaxRows(tx, to);
        int cols = tx.cols();
        float[] xf = tx.f;
        int[] of = to.i;
        for (int r = 0; r < tx.rows(); r++) {
            of[r] = argmax(xf, r * cols, cols);
        }
    }

    /** First maximum wins; the first NaN counts as the maximum. */
    static int argmax(float[] x, int off, int len) {
        int best = 0;
        float bv = x[off];
        if (bv != bv) {
            return 0;
        }
        for (int j = 1; j < len; j++) {
            float v = x[off + j];
            if (v != v) {
                return j;
            }
            if (v > bv) {
                bv = v;
                best = j;
            }
        }
        return best;
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        CpuTensor tx = f32(x, "addRowVector", "x");
        CpuTensor tb = f32(bias, "addRowVector", "bias");
        OpChecks.onePerColumn("addRowVector", "bias", tb, "x", tx);
        int cols = tx.cols();
        float[] xf = tx.f;
        float[] bf = tb.f;
        int rows = tx.rows();
        if (tx.length() < PARALLEL_MIN || cols == 0) {
            kernels.addRowVector(xf, bf, cols, 0, rows);
        } else {
            synchronized (this) {
                RowJob job = addRowVectorJob.set(rows, cols);
                job.x = xf;
                job.vector = bf;
                dispatch(job.chunks(), job);
            }
        }
    }

    @Override
    public synchronized void columnSums(float alpha, Tensor x, float beta, Tensor out) {
        CpuTensor tx = f32(x, "columnSums", "x");
        CpuTensor to = f32(out, "columnSums", "out");
        OpChecks.onePerColumn("columnSums", "out", to, "x", tx);
        int cols = tx.cols();
        if (columnAcc.length < cols) {
            columnAcc = new double[cols];
        }
        double[] acc = columnAcc;
        Arrays.fill(acc, 0, cols, 0.0);
        float[] xf = tx.f;
        int rows = tx.rows();
        int chunks = (cols + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        if (tx.length() < PARALLEL_MIN || chunks == 1) {
            kernels.columnSums(xf, cols, 0, rows, 0, cols, acc);
        } else {
            RowJob job = columnSumsJob.set(rows, cols);
            job.x = xf;
            job.acc = acc;
            dispatch(chunks, job);
        }
        float[] of = to.f;
        for (int c = 0; c < cols; c++) {
            of[c] = (float) (beta == 0f ? alpha * acc[c] : alpha * acc[c] + beta * (double) of[c]);
        }
    }

    // ================================================================ activations

    @Override
    public void relu(Tensor x, Tensor out) {
        CpuTensor tx = f32(x, "relu", "x");
        CpuTensor to = f32(out, "relu", "out");
        OpChecks.sameSize("relu", "x", tx, "out", to);
        float[] xf = tx.f;
        float[] of = to.f;
        int n = tx.length();
        if (n < PARALLEL_MIN) {
            kernels.relu(xf, of, 0, n);
        } else {
            elementwise(reluJob, n, 0f, 0f, 0f, xf, null, of);
        }
    }

    @Override
    public void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        CpuTensor g = f32(gradOut, "reluBackward", "gradOut");
        CpuTensor a = f32(activation, "reluBackward", "activation");
        CpuTensor gi = f32(gradIn, "reluBackward", "gradIn");
        OpChecks.sameSize("reluBackward", "gradOut", g, "activation", a);
        OpChecks.sameSize("reluBackward", "gradOut", g, "gradIn", gi);
        float[] gf = g.f;
        float[] af = a.f;
        float[] gif = gi.f;
        int n = g.length();
        if (n < PARALLEL_MIN) {
            kernels.reluBackward(gf, af, gif, 0, n);
        } else {
            elementwise(reluBackwardJob, n, 0f, 0f, 0f, gf, af, gif);
        }
    }

    // ================================================================ losses

    @Override
    public synchronized void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        String op = "softmaxCrossEntropy";
        CpuTensor z = f32(logits, op, "logits");
        CpuTensor y = i32(labels, op, "labels");
        CpuTensor g = grad == null ? null : f32(grad, op, "grad");
        CpuTensor lo = lossTarget(op, lossOut, lossIndex, normalizer);
        OpChecks.softmaxCrossEntropy(op, z, y, g);
        int n = z.rows();
        int k = z.cols();
        int[] yl = y.i;
        OpChecks.labels(op, yl, n, z);
        float[] zf = z.f;
        float[] gf = g == null ? null : g.f;
        float gradScale = (float) (1.0 / normalizer);
        int rowsPerChunk = softmaxRowsPerChunk(k);
        int chunks = (n + rowsPerChunk - 1) / rowsPerChunk;
        double total;
        if (chunks <= 1) {
            total = kernels.softmaxCrossEntropy(zf, yl, gf, k, 0, n, gradScale);
        } else {
            ReductionJob job = softmaxJob;
            job.labels = yl;
            job.grad = gf;
            job.cols = k;
            job.rowsPerChunk = rowsPerChunk;
            job.gradScale = gradScale;
            total = sumInOrder(reduce(job, z.length(), n, chunks, zf, null), chunks);
        }
        lo.f[lossIndex] = (float) (total / normalizer);
    }

    /** The fused softmax-regression pass (tests check where it applies). */
    FusedSoftmaxRegression fusedSoftmaxRegression() {
        return fused;
    }

    /**
     * Fused where {@link FusedSoftmaxRegression#applies} (the full-batch softmax regression: X is read once per call
     * instead of twice), otherwise the composed calls; both give the same bits.
     */
    @Override
    public synchronized void linearSoftmaxCrossEntropy(Tensor x, Tensor w, Tensor b, Tensor labels, Tensor logits,
            Tensor grad, Tensor gradW, Tensor gradB, int normalizer, Tensor lossOut, int lossIndex) {
        String op = "linearSoftmaxCrossEntropy";
        CpuTensor tx = f32(x, op, "x");
        CpuTensor tw = f32(w, op, "w");
        CpuTensor tb = b == null ? null : f32(b, op, "b");
        CpuTensor ty = i32(labels, op, "labels");
        CpuTensor tz = f32(logits, op, "logits");
        CpuTensor tg = f32(grad, op, "grad");
        CpuTensor tgw = f32(gradW, op, "gradW");
        CpuTensor tgb = gradB == null ? null : f32(gradB, op, "gradB");
        CpuTensor lo = f32(lossOut, op, "lossOut");
        OpChecks.linearSoftmaxCrossEntropy(tx, tw, tb, ty, tz, tg, tgw, tgb, normalizer, lo, lossIndex);
        int n = tx.rows();
        int in = tx.cols();
        int k = tw.cols();
        if (!fused.applies(n, in, k)) {
            Backend.super.linearSoftmaxCrossEntropy(x, w, b, labels, logits, grad, gradW, gradB, normalizer,
                    lossOut, lossIndex);
            return;
        }
        int[] yl = ty.i;
        OpChecks.labels(op, yl, n, tz);
        int lossChunkRows = softmaxRowsPerChunk(k);
        int lossChunks = (n + lossChunkRows - 1) / lossChunkRows;
        double[] p = partials(lossChunks);
        fused.run(tx.f, tw.f, tb == null ? null : tb.f, yl, tz.f, tg.f, tgw.f, p, n, in, k, lossChunkRows,
                (float) (1.0 / normalizer));
        lo.f[lossIndex] = (float) (sumInOrder(p, lossChunks) / normalizer);
        if (tgb != null) {
            columnSums(1f, grad, 0f, gradB);
        }
    }

    @Override
    public synchronized void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        elementwiseLoss(LossKind.BCE, "sigmoidBinaryCrossEntropy", logits, targets, grad, normalizer, lossOut,
                lossIndex);
    }

    @Override
    public synchronized void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        elementwiseLoss(LossKind.MSE, "meanSquaredError", predictions, targets, grad, normalizer, lossOut, lossIndex);
    }

    @Override
    public synchronized void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        elementwiseLoss(LossKind.MAE, "meanAbsoluteError", predictions, targets, grad, normalizer, lossOut,
                lossIndex);
    }

    private enum LossKind { BCE, MSE, MAE }

    private void elementwiseLoss(LossKind kind, String op, Tensor input, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        CpuTensor x = f32(input, op, kind == LossKind.BCE ? "logits" : "predictions");
        CpuTensor t = f32(targets, op, "targets");
        CpuTensor g = grad == null ? null : f32(grad, op, "grad");
        CpuTensor lo = lossTarget(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, kind == LossKind.BCE ? "logits" : "predictions", x, t, g);
        double count = (double) normalizer * x.cols();
        float gradScale = (float) ((kind == LossKind.MSE ? 2.0 : 1.0) / count);
        float[] xf = x.f;
        float[] tf = t.f;
        float[] gf = g == null ? null : g.f;
        int n = x.length();
        int chunks = chunks(n);
        double total;
        if (chunks <= 1) {
            total = elementLoss(kind, xf, tf, gf, 0, n, gradScale);
        } else {
            ReductionJob job = switch (kind) {
                case BCE -> bceJob;
                case MSE -> mseJob;
                case MAE -> maeJob;
            };
            job.grad = gf;
            job.gradScale = gradScale;
            total = sumInOrder(reduce(job, n, n, chunks, xf, tf), chunks);
        }
        lo.f[lossIndex] = (float) (total / count);
    }

    private double elementLoss(LossKind kind, float[] x, float[] t, float[] g, int from, int to, float gradScale) {
        return switch (kind) {
            case BCE -> kernels.sigmoidBinaryCrossEntropy(x, t, g, from, to, gradScale);
            case MSE -> kernels.squaredError(x, t, g, from, to, gradScale);
            case MAE -> kernels.absoluteError(x, t, g, from, to, gradScale);
        };
    }

    private CpuTensor lossTarget(String op, Tensor lossOut, int lossIndex, int normalizer) {
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
        boolean useMomentum = momentum != 0;
        CpuTensor b = useMomentum ? f32(momentumBuffer, op, "momentumBuffer") : null;
        OpChecks.sameSizeIfGiven(op, "param", p, "momentumBuffer", b);
        float[] pf = p.f;
        float[] gf = g.f;
        float[] bf = b == null ? null : b.f;
        float negLr = (float) -lr;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        float mom = (float) momentum;
        float oneMinusDampening = (float) (1 - dampening);
        int n = p.length();
        if (n < OPT_PARALLEL_MIN || pool.threads() == 1) {
            kernels.sgd(pf, gf, bf, 0, n, negLr, applyWd, wd, useMomentum, mom, oneMinusDampening, nesterov,
                    maximize, copyFirst);
        } else {
            synchronized (this) {
                OptimizerJob job = sgdJob.set(n, pf, gf, bf, null, null, negLr, applyWd, wd,
                        maximize);
                job.useMomentum = useMomentum;
                job.momentum = mom;
                job.oneMinusDampening = oneMinusDampening;
                job.nesterov = nesterov;
                job.copyFirst = copyFirst;
                dispatch(job.chunks(), job);
            }
        }
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        String op = "adamUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor tm = f32(m, op, "m");
        CpuTensor tv = f32(v, op, "v");
        CpuTensor tmax = maxV == null ? null : f32(maxV, op, "maxV");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.sameSizeIfGiven(op, "param", p, "maxV", tmax);
        OpChecks.adam(lr, beta1, beta2, eps, weightDecay, step);
        // torch 1.13 _single_tensor_adam(w): the derived scalars in double, exactly as its Python code does. Math.pow,
        // not StrictMath.pow: HotSpot runs the same pow stub in every tier (as the CUDA backend does), and fdlibm's
        // port allocates its tables on every call unless C2 happens to scalar-replace them.
        double biasCorrection1 = 1 - Math.pow(beta1, (double) step);
        double biasCorrection2 = 1 - Math.pow(beta2, (double) step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        float negStepSize = (float) -stepSize;
        float b1 = (float) beta1;
        float omb1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float omb2 = (float) (1 - beta2);
        float bc2 = (float) biasCorrection2Sqrt;
        float e = (float) eps;
        boolean applyWd = !decoupled && weightDecay != 0;
        float wd = (float) weightDecay;
        float decay = (float) (1 - lr * weightDecay);
        float[] pf = p.f;
        float[] gf = g.f;
        float[] mf = tm.f;
        float[] vf = tv.f;
        float[] xf = tmax == null ? null : tmax.f;
        int n = p.length();
        if (n < OPT_PARALLEL_MIN || pool.threads() == 1) {
            kernels.adam(pf, gf, mf, vf, xf, 0, n, negStepSize, b1, omb1, b2, omb2, bc2, e, applyWd, wd, decoupled,
                    decay, maximize);
        } else {
            synchronized (this) {
                OptimizerJob job = adamJob.set(n, pf, gf, mf, vf, xf, negStepSize, applyWd, wd,
                        maximize);
                job.beta1 = b1;
                job.oneMinusBeta1 = omb1;
                job.beta2 = b2;
                job.oneMinusBeta2 = omb2;
                job.bc2Sqrt = bc2;
                job.eps = e;
                job.decoupled = decoupled;
                job.decayFactor = decay;
                dispatch(job.chunks(), job);
            }
        }
    }

    @Override
    public void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer,
            double lr, double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        String op = "rmspropUpdate";
        CpuTensor p = f32(param, op, "param");
        CpuTensor g = f32(grad, op, "grad");
        CpuTensor sq = f32(squareAvg, op, "squareAvg");
        CpuTensor ga = gradAvg == null ? null : f32(gradAvg, op, "gradAvg");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "squareAvg", sq);
        OpChecks.sameSizeIfGiven(op, "param", p, "gradAvg", ga);
        OpChecks.rmsprop(lr, alpha, eps, weightDecay, momentum);
        OpChecks.momentumBuffer(op, momentum, momentumBuffer);
        boolean useMomentum = momentum > 0;
        CpuTensor b = useMomentum ? f32(momentumBuffer, op, "momentumBuffer") : null;
        OpChecks.sameSizeIfGiven(op, "param", p, "momentumBuffer", b);
        float[] pf = p.f;
        float[] gf = g.f;
        float[] sqf = sq.f;
        float[] gaf = ga == null ? null : ga.f;
        float[] bf = b == null ? null : b.f;
        float negLr = (float) -lr;
        float a = (float) alpha;
        float oma = (float) (1 - alpha);
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        float mom = (float) momentum;
        int n = p.length();
        if (n < OPT_PARALLEL_MIN || pool.threads() == 1) {
            kernels.rmsprop(pf, gf, sqf, gaf, bf, 0, n, negLr, a, oma, e, applyWd, wd, useMomentum, mom, maximize);
        } else {
            synchronized (this) {
                OptimizerJob job = rmspropJob.set(n, pf, gf, sqf, gaf, bf, negLr, applyWd, wd,
                        maximize);
                job.alpha = a;
                job.oneMinusAlpha = oma;
                job.eps = e;
                job.useMomentum = useMomentum;
                job.momentum = mom;
                dispatch(job.chunks(), job);
            }
        }
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
        float[] pf = p.f;
        float[] gf = g.f;
        float[] sf = s.f;
        float negClr = (float) -clr;
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        int n = p.length();
        if (n < OPT_PARALLEL_MIN || pool.threads() == 1) {
            kernels.adagrad(pf, gf, sf, 0, n, negClr, e, applyWd, wd, maximize);
        } else {
            synchronized (this) {
                OptimizerJob job = adagradJob.set(n, pf, gf, sf, null, null, negClr, applyWd, wd,
                        maximize);
                job.eps = e;
                dispatch(job.chunks(), job);
            }
        }
    }

    // ================================================================ pool jobs

    /** Runs an elementwise operation over {@code n > 0} elements on the pool. */
    private synchronized void elementwise(ElementwiseJob job, int n, float alpha, float lo, float hi, float[] a,
            float[] b, float[] out) {
        job.n = n;
        job.alpha = alpha;
        job.lo = lo;
        job.hi = hi;
        job.a = a;
        job.b = b;
        job.out = out;
        dispatch(chunks(n), job);
    }

    /**
     * Runs a reduction (or a loss, whose own fields the caller has set) over {@code elements} elements into one
     * partial per chunk, on the pool when it is large enough, else in chunk order on this thread; returns the
     * partials. Caller holds the lock.
     */
    private double[] reduce(ReductionJob job, int elements, int n, int chunks, float[] x, float[] y) {
        job.n = n;
        job.x = x;
        job.y = y;
        double[] p = job.partials = partials(chunks);
        if (elements < PARALLEL_MIN) {
            try {
                for (int ch = 0; ch < chunks; ch++) {
                    job.run(ch);
                }
            } finally {
                job.clear();
            }
        } else {
            dispatch(chunks, job);
        }
        return p;
    }

    /** Hands a job to the pool, then clears its array fields. Caller holds the lock. */
    private void dispatch(int chunks, Job job) {
        try {
            pool.forEach(chunks, job);
        } finally {
            job.clear();
        }
    }

    /*
     * Pool jobs. A job is a reusable task object, created with the backend: the calling thread writes the call's
     * arguments into its fields (holding the backend's lock) and hands it to the pool, which publishes the fields to
     * its workers under its monitor, so plain fields suffice. clear() drops the array references afterwards, so that
     * no tensor's storage stays reachable. Each job's run() calls exactly one kernel: a run() that could reach
     * several (a switch) would be compiled as one unit with all of them inlined, past what C2 inlines fully, and the
     * Vector API kernels would box their vectors (see VectorKernels).
     */

    private abstract static class Job implements WorkerPool.ChunkTask {
        abstract void clear();
    }

    /** Elementwise operations over {@link #ELEMENT_CHUNK}-element chunks of {@code n} elements. */
    private abstract static class ElementwiseJob extends Job {
        int n;
        float alpha;
        float lo;
        float hi;
        float[] a;
        float[] b;
        float[] out;

        @Override
        void clear() {
            a = null;
            b = null;
            out = null;
        }
    }

    /** Row-wise operations on a {@code [rows, cols]} matrix, in chunks of {@code rowsPerChunk} rows. */
    private abstract static class RowJob extends Job {
        int rows;
        int cols;
        int rowsPerChunk;
        Object src;
        Object dst;
        int[] indices;
        int offset;
        float[] x;
        float[] vector;
        double[] acc;

        RowJob set(int rows, int cols) {
            return set(rows, cols, ELEMENT_CHUNK);
        }

        /** Rows of about {@code chunkElements} elements per chunk. */
        RowJob set(int rows, int cols, int chunkElements) {
            this.rows = rows;
            this.cols = cols;
            this.rowsPerChunk = Math.max(1, chunkElements / cols);
            return this;
        }

        int chunks() {
            return (rows + rowsPerChunk - 1) / rowsPerChunk;
        }

        int firstRow(int chunk) {
            return chunk * rowsPerChunk;
        }

        int endRow(int chunk) {
            return Math.min(rows, (chunk + 1) * rowsPerChunk);
        }

        @Override
        void clear() {
            src = null;
            dst = null;
            indices = null;
            x = null;
            vector = null;
            acc = null;
        }
    }

    /** Reductions and losses over element chunks of {@code n} elements: chunk {@code c} writes {@code partials[c]}. */
    private abstract static class ReductionJob extends Job {
        int n;
        float[] x;
        float[] y;
        double[] partials;
        // losses
        float[] grad;
        float gradScale;
        int[] labels;
        int cols;
        int rowsPerChunk;

        @Override
        void clear() {
            x = null;
            y = null;
            partials = null;
            grad = null;
            labels = null;
        }
    }

    /** The fused optimizer updates over element chunks; the hyperparameters are those of {@link CpuKernels}. */
    private abstract static class OptimizerJob extends Job {
        int n;
        float[] param;
        float[] grad;
        /** SGD: momentum buffer; Adam: m; RMSprop: square average; Adagrad: sum of squares. */
        float[] state1;
        /** Adam: v; RMSprop: gradient average (null unless centered). */
        float[] state2;
        /** Adam: max v (null unless amsgrad); RMSprop: momentum buffer (null without momentum). */
        float[] state3;
        float negLr;
        boolean applyWd;
        float wd;
        boolean maximize;
        boolean useMomentum;
        float momentum;
        float oneMinusDampening;
        boolean nesterov;
        boolean copyFirst;
        float beta1;
        float oneMinusBeta1;
        float beta2;
        float oneMinusBeta2;
        float bc2Sqrt;
        float eps;
        boolean decoupled;
        float decayFactor;
        float alpha;
        float oneMinusAlpha;

        OptimizerJob set(int n, float[] param, float[] grad, float[] state1, float[] state2, float[] state3,
                float negLr, boolean applyWd, float wd, boolean maximize) {
            this.n = n;
            this.param = param;
            this.grad = grad;
            this.state1 = state1;
            this.state2 = state2;
            this.state3 = state3;
            this.negLr = negLr;
            this.applyWd = applyWd;
            this.wd = wd;
            this.maximize = maximize;
            return this;
        }

        /** Chunks of {@link #OPT_CHUNK} elements (an update's result does not depend on how it is cut). */
        int chunks() {
            return (n + OPT_CHUNK - 1) / OPT_CHUNK;
        }

        int lo(int ch) {
            return ch * OPT_CHUNK;
        }

        int hi(int ch) {
            return Math.min(n, (ch + 1) * OPT_CHUNK);
        }

        @Override
        void clear() {
            param = null;
            grad = null;
            state1 = null;
            state2 = null;
            state3 = null;
        }
    }

    // ================================================================ lifecycle

    @Override
    public void close() {
        List<CpuTensor> owned;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            owned = new ArrayList<>(tensors);
            tensors.clear();
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

    private CpuTensor i32(Tensor x, String op, String name) {
        checkOpen(op);
        return OpChecks.int32(this, CpuTensor.class, x, op, name);
    }

    private static int chunks(int n) {
        return (n + ELEMENT_CHUNK - 1) / ELEMENT_CHUNK;
    }

    private static int from(int chunk) {
        return chunk * ELEMENT_CHUNK;
    }

    private static int to(int chunk, int n) {
        return Math.min(n, (chunk + 1) * ELEMENT_CHUNK);
    }

    private double[] partials(int chunks) {
        if (partials.length < chunks) {
            partials = new double[Math.max(chunks, 2 * partials.length)];
        }
        return partials;
    }

    /**
     * Rows per chunk of the softmax cross-entropy (its loss is the in-order sum of per-chunk sums): about
     * {@link #ELEMENT_CHUNK} logits, rounded down to a power of two and at most {@link Gemm#ROW_CHUNK}, so that the chunks
     * nest in the GEMM's reduction chunks and the fused {@link #linearSoftmaxCrossEntropy} can form the same sums.
     */
    static int softmaxRowsPerChunk(int k) {
        return Math.min(Gemm.ROW_CHUNK, Integer.highestOneBit(Math.max(1, ELEMENT_CHUNK / Math.max(1, k))));
    }

    private static double sumInOrder(double[] p, int chunks) {
        double s = 0;
        for (int ch = 0; ch < chunks; ch++) {
            s += p[ch];
        }
        return s;
    }
}

package dev.descent.cpu;

import dev.descent.backend.Elementwise;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

import dev.descent.backend.BinaryOp;
import dev.descent.backend.ReduceOp;

/**
 * The CPU backend's broadcasting binary operations ({@link BinaryOp}) and their gradients, on row-major matrices.
 * An operand has the output's shape, one row, one column or one element; the kernels read it with an offset and a
 * stride of 0 or 1 ({@link CpuKernels#add}). When every operand is whole or one element the work is one flat range
 * (a [1, 1] operation calls its kernel straight away: no lock, no hand-off); otherwise it goes row by row. Large work
 * runs on the pool, in element chunks or in chunks of whole rows, none of which changes a result.
 *
 * <p>The gradient of a broadcast operand is the sum of the elementwise gradients over the rows, the columns or all
 * of them: the elementwise gradients (float) go to a work buffer and are summed as {@link AxisReductions} sums (in
 * double, in an order fixed by the shape), and the sum, rounded to float, is accumulated into the gradient. ADD's and
 * SUB's gradients are the incoming gradient itself, summed without the buffer.
 *
 * <p>As in {@link UnaryOps}, each operation is one small object whose methods each call one kernel.
 */
final class BinaryOps {
    private static final int FORWARD = 0;
    private static final int GRAD_A = 1;
    private static final int GRAD_B = 2;

    private final WorkerPool pool;
    private final AxisReductions reductions;
    private final Fn[] fns;
    private final Job job = new Job();
    /** Elementwise gradients of a broadcast operand, before they are summed. */
    private float[] terms = new float[64];
    /** The sums of a broadcast operand's gradient. */
    private float[] sums = new float[64];

    BinaryOps(WorkerPool pool, CpuKernels k, AxisReductions reductions) {
        this.pool = pool;
        this.reductions = reductions;
        Fn[] f = new Fn[BinaryOp.values().length];
        f[BinaryOp.ADD.ordinal()] = new Add(k);
        f[BinaryOp.SUB.ordinal()] = new Sub(k);
        f[BinaryOp.MUL.ordinal()] = new Mul(k);
        f[BinaryOp.DIV.ordinal()] = new Div(k);
        f[BinaryOp.POW.ordinal()] = new Pow(k);
        this.fns = f;
    }

    /** Whether an operand of {@code size} elements is read flat against an output of {@code n}: whole or one. */
    private static boolean flat(int size, int n) {
        return size == n || size == 1;
    }

    /** {@code out ← a op b}: a is [ar, ac], b [br, bc], out [rows, cols], each operand broadcast to out. */
    void forward(BinaryOp op, float[] a, int ar, int ac, float[] b, int br, int bc, float[] out, int rows, int cols) {
        Fn fn = fns[op.ordinal()];
        int n = rows * cols;
        int an = ar * ac;
        int bn = br * bc;
        if (n < PARALLEL_MIN && flat(an, n) && flat(bn, n)) {
            fn.forward(a, 0, an == n ? 1 : 0, b, 0, bn == n ? 1 : 0, out, 0, n);
        } else if (n > 0) {
            run(FORWARD, fn, a, ar, ac, b, br, bc, null, null, 0f, out, rows, cols);
        }
    }

    /**
     * The gradient of {@code a op b} with respect to a ({@code argument} 0) or b (1), accumulated into {@code d} of
     * that operand's shape; y and g have out's shape [rows, cols].
     */
    void backward(BinaryOp op, int argument, float[] a, int ar, int ac, float[] b, int br, int bc, float[] y,
            float[] g, float beta, float[] d, int rows, int cols) {
        Fn fn = fns[op.ordinal()];
        int mode = argument == 0 ? GRAD_A : GRAD_B;
        int n = rows * cols;
        int an = ar * ac;
        int bn = br * bc;
        int argRows = argument == 0 ? ar : br;
        int argCols = argument == 0 ? ac : bc;
        if (argRows * argCols == n) {
            if (n < PARALLEL_MIN && flat(an, n) && flat(bn, n)) {
                int as = an == n ? 1 : 0;
                int bs = bn == n ? 1 : 0;
                if (mode == GRAD_A) {
                    fn.gradA(g, 0, a, 0, as, b, 0, bs, y, 0, beta, d, 0, n);
                } else {
                    fn.gradB(g, 0, a, 0, as, b, 0, bs, y, 0, beta, d, 0, n);
                }
            } else if (n > 0) {
                run(mode, fn, a, ar, ac, b, br, bc, y, g, beta, d, rows, cols);
            }
            return;
        }
        reduced(op, mode, fn, a, ar, ac, b, br, bc, y, g, beta, d, rows, cols, argRows, argCols);
    }

    /**
     * The gradient of a broadcast operand: the elementwise gradients (ADD's and SUB's are g itself), summed along the
     * broadcast dimensions by {@link AxisReductions} (its SUM, in float), accumulated into d.
     */
    private synchronized void reduced(BinaryOp op, int mode, Fn fn, float[] a, int ar, int ac, float[] b, int br,
            int bc, float[] y, float[] g, float beta, float[] d, int rows, int cols, int argRows, int argCols) {
        int n = rows * cols;
        float[] t = g;
        float sign = 1f;
        if (op == BinaryOp.SUB && mode == GRAD_B) {
            sign = -1f;
        } else if (op != BinaryOp.ADD && op != BinaryOp.SUB && n > 0) {
            if (terms.length < n) {
                terms = new float[Math.max(n, 2 * terms.length)];
            }
            t = terms;
            run(mode, fn, a, ar, ac, b, br, bc, y, g, 0f, t, rows, cols);
        }
        int m = argRows * argCols;
        if (sums.length < m) {
            sums = new float[Math.max(m, 2 * sums.length)];
        }
        float[] s = sums;
        int axis = m == 1 ? -1 : argRows == 1 ? 0 : 1;
        reductions.reduce(ReduceOp.SUM, t, rows, cols, axis, s);
        for (int i = 0; i < m; i++) {
            d[i] = Elementwise.accumulate(beta, d[i], sign * s[i]);
        }
    }

    /** Runs {@code mode} over the output's [rows, cols], on this thread or on the pool. */
    private synchronized void run(int mode, Fn fn, float[] a, int ar, int ac, float[] b, int br, int bc, float[] y,
            float[] g, float beta, float[] d, int rows, int cols) {
        Job j = job;
        int n = rows * cols;
        j.mode = mode;
        j.fn = fn;
        j.a = a;
        j.b = b;
        j.y = y;
        j.g = g;
        j.d = d;
        j.beta = beta;
        j.n = n;
        j.cols = cols;
        j.rows = rows;
        int an = ar * ac;
        int bn = br * bc;
        j.flat = flat(an, n) && flat(bn, n);
        if (j.flat) {
            j.aStride = an == n ? 1 : 0;
            j.bStride = bn == n ? 1 : 0;
            j.rowsPerChunk = 0;
        } else {
            j.aRowStep = ar == 1 ? 0 : ac;
            j.aStride = ac == 1 ? 0 : 1;
            j.bRowStep = br == 1 ? 0 : bc;
            j.bStride = bc == 1 ? 0 : 1;
            j.rowsPerChunk = Chunks.rows(cols, ELEMENT_CHUNK);
        }
        int chunks = j.flat ? Chunks.elements(n) : Chunks.count(rows, j.rowsPerChunk);
        if (n < PARALLEL_MIN || chunks == 1) {
            try {
                for (int ch = 0; ch < chunks; ch++) {
                    j.run(ch);
                }
            } finally {
                j.clear();
            }
        } else {
            j.runOn(pool, chunks);
        }
    }

    /** One call's work: the flat range or the rows of one chunk, each range one call of the operation's kernel. */
    private static final class Job extends ChunkJob {
        int mode;
        Fn fn;
        float[] a;
        float[] b;
        float[] y;
        float[] g;
        float[] d;
        float beta;
        int n;
        int rows;
        int cols;
        boolean flat;
        int aRowStep;
        int aStride;
        int bRowStep;
        int bStride;
        int rowsPerChunk;

        @Override
        public void run(int ch) {
            if (flat) {
                int from = ch * ELEMENT_CHUNK;
                int len = Math.min(n, from + ELEMENT_CHUNK) - from;
                range(from * aStride, aStride, from * bStride, bStride, from, len);
            } else {
                int r1 = Math.min(rows, (ch + 1) * rowsPerChunk);
                for (int r = ch * rowsPerChunk; r < r1; r++) {
                    range(r * aRowStep, aStride, r * bRowStep, bStride, r * cols, cols);
                }
            }
        }

        private void range(int aOff, int as, int bOff, int bs, int off, int len) {
            switch (mode) {
                case FORWARD -> fn.forward(a, aOff, as, b, bOff, bs, d, off, len);
                case GRAD_A -> fn.gradA(g, off, a, aOff, as, b, bOff, bs, y, off, beta, d, off, len);
                default -> fn.gradB(g, off, a, aOff, as, b, bOff, bs, y, off, beta, d, off, len);
            }
        }

        @Override
        void clear() {
            fn = null;
            a = null;
            b = null;
            y = null;
            g = null;
            d = null;
        }
    }

    /** One operation: its forward and its two gradients over one range, each one kernel call. */
    private abstract static class Fn {
        final CpuKernels k;

        Fn(CpuKernels k) {
            this.k = k;
        }

        abstract void forward(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int off, int n);

        abstract void gradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y,
                int yOff, float beta, float[] d, int dOff, int n);

        abstract void gradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y,
                int yOff, float beta, float[] d, int dOff, int n);
    }

    private static final class Add extends Fn {
        Add(CpuKernels k) {
            super(k);
        }

        @Override
        void forward(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int off, int n) {
            k.add(a, aOff, as, b, bOff, bs, out, off, n);
        }

        @Override
        void gradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.spread(g, gOff, 1, 1f, beta, d, dOff, n);
        }

        @Override
        void gradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.spread(g, gOff, 1, 1f, beta, d, dOff, n);
        }
    }

    private static final class Sub extends Fn {
        Sub(CpuKernels k) {
            super(k);
        }

        @Override
        void forward(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int off, int n) {
            k.sub(a, aOff, as, b, bOff, bs, out, off, n);
        }

        @Override
        void gradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.spread(g, gOff, 1, 1f, beta, d, dOff, n);
        }

        @Override
        void gradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.spread(g, gOff, 1, -1f, beta, d, dOff, n);
        }
    }

    private static final class Mul extends Fn {
        Mul(CpuKernels k) {
            super(k);
        }

        @Override
        void forward(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int off, int n) {
            k.mul(a, aOff, as, b, bOff, bs, out, off, n);
        }

        @Override
        void gradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.mulGrad(g, gOff, b, bOff, bs, beta, d, dOff, n);
        }

        @Override
        void gradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.mulGrad(g, gOff, a, aOff, as, beta, d, dOff, n);
        }
    }

    private static final class Div extends Fn {
        Div(CpuKernels k) {
            super(k);
        }

        @Override
        void forward(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int off, int n) {
            k.div(a, aOff, as, b, bOff, bs, out, off, n);
        }

        @Override
        void gradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.divGradA(g, gOff, b, bOff, bs, beta, d, dOff, n);
        }

        @Override
        void gradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.divGradB(g, gOff, a, aOff, as, b, bOff, bs, beta, d, dOff, n);
        }
    }

    private static final class Pow extends Fn {
        Pow(CpuKernels k) {
            super(k);
        }

        @Override
        void forward(float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int off, int n) {
            k.pow(a, aOff, as, b, bOff, bs, out, off, n);
        }

        @Override
        void gradA(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.powGradA(g, gOff, a, aOff, as, b, bOff, bs, beta, d, dOff, n);
        }

        @Override
        void gradB(float[] g, int gOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y, int yOff,
                float beta, float[] d, int dOff, int n) {
            k.powGradB(g, gOff, a, aOff, as, b, bOff, bs, y, yOff, beta, d, dOff, n);
        }
    }
}

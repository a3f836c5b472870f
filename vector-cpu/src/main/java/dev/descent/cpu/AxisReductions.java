package dev.descent.cpu;

import dev.descent.backend.Elementwise;

import static dev.descent.cpu.Chunks.COLUMN_CHUNK;
import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

import dev.descent.backend.ReduceOp;

import java.util.Arrays;

/**
 * The CPU backend's {@link ReduceOp} reductions of a {@code [rows, cols]} matrix over every element (axis −1), down
 * each column (axis 0) or along each row (axis 1), and their gradients.
 *
 * <p>Sums are taken in double in an order fixed by the shape: over every element one partial per
 * {@link Chunks#ELEMENT_CHUNK} chunk ({@link CpuKernels#sum}) added in chunk order; down a column row by row
 * ({@link CpuKernels#columnSums}); along a row by one {@link CpuKernels#sum}. The float result is the rounded sum, and
 * a mean that float divided by the element count (torch's {@code sum / n}). A maximum is NaN if any element is; its
 * gradient goes to the first maximum (the first NaN) of each reduced line, the others get 0.
 *
 * <p>From {@link Chunks#PARALLEL_MIN} elements the work runs on the pool, in the same chunks (element chunks, chunks of
 * {@link Chunks#COLUMN_CHUNK} columns, or of whole rows), so the results do not depend on the thread count; below, the
 * same chunks run in order on the calling thread (a [1, 1] reduction is one kernel call).
 */
final class AxisReductions {
    /** The one-element source of a zero gradient ({@link CpuKernels#spread} with stride 0). */
    private static final float[] ZERO = {0f};

    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final SumChunks sumChunks;
    private final MaxChunks maxChunks;
    private final ColumnSums columnSums;
    private final ColumnMax columnMax;
    private final RowReductions rowReductions;
    private final Spread spread;
    private double[] partials = new double[64];
    private double[] columnAcc = new double[64];
    private int[] columnArgmax = new int[64];
    private float[] columnOld = new float[64];

    AxisReductions(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.sumChunks = new SumChunks(kernels);
        this.maxChunks = new MaxChunks(kernels);
        this.columnSums = new ColumnSums(kernels);
        this.columnMax = new ColumnMax(kernels);
        this.rowReductions = new RowReductions(kernels);
        this.spread = new Spread(kernels);
    }

    /** {@code out ← op} of {@code x [rows, cols]} along {@code axis} ({@link dev.descent.backend.OpChecks#reduceAxis}). */
    void reduce(ReduceOp op, float[] x, int rows, int cols, int axis, float[] out) {
        int n = rows * cols;
        if (n <= SMALL) { // no lock: one kernel call per line, as the chunks below would make
            if (axis == -1) {
                out[0] = op == ReduceOp.MAX ? kernels.max(x, 0, n) : meanOrSum(op, kernels.sum(x, 0, n), n);
                return;
            }
            if (axis == 1) {
                for (int r = 0; r < rows; r++) {
                    int off = r * cols;
                    out[r] = op == ReduceOp.MAX ? kernels.max(x, off, off + cols)
                            : meanOrSum(op, kernels.sum(x, off, off + cols), cols);
                }
                return;
            }
        }
        reduceLarge(op, x, rows, cols, axis, out);
    }

    /** Up to this many elements a reduction over every element or along rows runs without the part's lock. */
    private static final int SMALL = 64;

    private synchronized void reduceLarge(ReduceOp op, float[] x, int rows, int cols, int axis, float[] out) {
        int n = rows * cols;
        if (axis == -1) {
            int chunks = Chunks.elements(n);
            if (chunks <= 1) {
                out[0] = op == ReduceOp.MAX ? kernels.max(x, 0, n) : meanOrSum(op, kernels.sum(x, 0, n), n);
                return;
            }
            partials = ReductionJob.ensure(partials, chunks);
            ReductionJob job = op == ReduceOp.MAX ? maxChunks : sumChunks;
            job.set(n, x, null);
            double[] p = job.runInto(pool, partials, n, chunks);
            if (op == ReduceOp.MAX) {
                float m = Float.NEGATIVE_INFINITY;
                for (int ch = 0; ch < chunks; ch++) {
                    m = Math.max(m, (float) p[ch]);
                }
                out[0] = m;
            } else {
                out[0] = meanOrSum(op, ReductionJob.sumInOrder(p, chunks), n);
            }
        } else if (axis == 0) {
            int chunks = Chunks.count(cols, COLUMN_CHUNK);
            boolean parallel = n >= PARALLEL_MIN && chunks > 1;
            if (op == ReduceOp.MAX) {
                if (rows == 0) {
                    return;
                }
                System.arraycopy(x, 0, out, 0, cols);
                ColumnMax job = columnMax;
                job.set(x, rows, cols, out);
                job.runChunks(pool, chunks, parallel);
            } else {
                if (columnAcc.length < cols) {
                    columnAcc = new double[Math.max(cols, 2 * columnAcc.length)];
                }
                double[] acc = columnAcc;
                Arrays.fill(acc, 0, cols, 0.0);
                ColumnSums job = columnSums;
                job.set(x, rows, cols, acc);
                job.runChunks(pool, chunks, parallel);
                for (int c = 0; c < cols; c++) {
                    out[c] = meanOrSum(op, acc[c], rows);
                }
            }
        } else {
            RowReductions job = rowReductions;
            job.set(x, rows, cols, out, op);
            int chunks = Chunks.count(rows, job.rowsPerChunk);
            job.runChunks(pool, chunks, n >= PARALLEL_MIN && chunks > 1);
        }
    }

    static float meanOrSum(ReduceOp op, double sum, int count) {
        float s = (float) sum;
        return op == ReduceOp.MEAN ? s / (float) count : s;
    }

    /** {@code gi ← acc(beta, gi, the gradient of op)}: g has one element per reduced line, gi x's shape. */
    void backward(ReduceOp op, float[] x, int rows, int cols, int axis, float[] g, float beta, float[] gi) {
        int n = rows * cols;
        if (op != ReduceOp.MAX) {
            boolean mean = op == ReduceOp.MEAN;
            if (axis == -1 && n < PARALLEL_MIN) {
                kernels.spread(g, 0, 0, mean ? (float) n : 1f, beta, gi, 0, n);
            } else {
                spreadLarge(g, rows, cols, axis, mean, beta, gi);
            }
            return;
        }
        if (axis == -1) {
            if (n > 0) {
                int at = RowOps.argmax(x, 0, n);
                float old = gi[at];
                kernels.spread(ZERO, 0, 0, 1f, beta, gi, 0, n);
                gi[at] = Elementwise.accumulate(beta, old, g[0]);
            }
        } else if (axis == 1) {
            for (int r = 0; r < rows; r++) {
                int off = r * cols;
                int at = off + RowOps.argmax(x, off, cols);
                float old = gi[at];
                kernels.spread(ZERO, 0, 0, 1f, beta, gi, off, cols);
                gi[at] = Elementwise.accumulate(beta, old, g[r]);
            }
        } else if (rows > 0) {
            columnMaxBackward(x, rows, cols, g, beta, gi);
        }
    }

    private synchronized void spreadLarge(float[] g, int rows, int cols, int axis, boolean mean, float beta,
            float[] gi) {
        int n = rows * cols;
        if (n == 0) {
            return;
        }
        Spread job = spread;
        job.g = g;
        job.gi = gi;
        job.beta = beta;
        job.n = n;
        job.cols = cols;
        job.axis = axis;
        job.divisor = !mean ? 1f : axis == -1 ? (float) n : axis == 0 ? (float) rows : (float) cols;
        job.rowsPerChunk = axis == -1 ? 0 : Chunks.rows(cols, ELEMENT_CHUNK);
        int chunks = axis == -1 ? Chunks.elements(n) : Chunks.count(rows, job.rowsPerChunk);
        job.runChunks(pool, chunks, n >= PARALLEL_MIN && chunks > 1);
    }

    private synchronized void columnMaxBackward(float[] x, int rows, int cols, float[] g, float beta, float[] gi) {
        if (columnArgmax.length < cols) {
            columnArgmax = new int[Math.max(cols, 2 * columnArgmax.length)];
            columnOld = new float[columnArgmax.length];
        }
        int[] at = columnArgmax;
        float[] old = columnOld;
        columnArgmax(x, rows, cols, at);
        for (int c = 0; c < cols; c++) {
            old[c] = gi[at[c] * cols + c];
        }
        kernels.spread(ZERO, 0, 0, 1f, beta, gi, 0, rows * cols);
        for (int c = 0; c < cols; c++) {
            gi[at[c] * cols + c] = Elementwise.accumulate(beta, old[c], g[c]);
        }
    }

    /** {@code at[c] ←} the row of column c's first maximum (its first NaN, if any), row by row in memory order. */
    static void columnArgmax(float[] x, int rows, int cols, int[] at) {
        Arrays.fill(at, 0, cols, 0);
        for (int r = 1; r < rows; r++) {
            int off = r * cols;
            for (int c = 0; c < cols; c++) {
                float best = x[at[c] * cols + c];
                float v = x[off + c];
                if (best == best && (v > best || v != v)) {
                    at[c] = r;
                }
            }
        }
    }

    /** A job whose chunks run on the pool or, below the threshold, in order on the calling thread. */
    private abstract static class Job extends ChunkJob {
        final void runChunks(WorkerPool pool, int chunks, boolean parallel) {
            if (parallel) {
                runOn(pool, chunks);
                return;
            }
            try {
                for (int ch = 0; ch < chunks; ch++) {
                    run(ch);
                }
            } finally {
                clear();
            }
        }
    }

    private static final class SumChunks extends ReductionJob {
        SumChunks(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.sum(x, from(ch), to(ch));
        }
    }

    private static final class MaxChunks extends ReductionJob {
        MaxChunks(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.max(x, from(ch), to(ch));
        }
    }

    /** Chunks of {@link Chunks#COLUMN_CHUNK} columns, each summed over all rows into {@code acc}. */
    private static final class ColumnSums extends Job {
        private final CpuKernels kernels;
        float[] x;
        int rows;
        int cols;
        double[] acc;

        ColumnSums(CpuKernels kernels) {
            this.kernels = kernels;
        }

        void set(float[] x, int rows, int cols, double[] acc) {
            this.x = x;
            this.rows = rows;
            this.cols = cols;
            this.acc = acc;
        }

        @Override
        public void run(int ch) {
            kernels.columnSums(x, cols, 0, rows, ch * COLUMN_CHUNK, Math.min(cols, (ch + 1) * COLUMN_CHUNK), acc);
        }

        @Override
        void clear() {
            x = null;
            acc = null;
        }
    }

    /** Chunks of {@link Chunks#COLUMN_CHUNK} columns, each the maximum of rows 1 .. rows into out (row 0 there). */
    private static final class ColumnMax extends Job {
        private final CpuKernels kernels;
        float[] x;
        int rows;
        int cols;
        float[] out;

        ColumnMax(CpuKernels kernels) {
            this.kernels = kernels;
        }

        void set(float[] x, int rows, int cols, float[] out) {
            this.x = x;
            this.rows = rows;
            this.cols = cols;
            this.out = out;
        }

        @Override
        public void run(int ch) {
            kernels.columnMax(x, cols, 1, rows, ch * COLUMN_CHUNK, Math.min(cols, (ch + 1) * COLUMN_CHUNK), out);
        }

        @Override
        void clear() {
            x = null;
            out = null;
        }
    }

    /** Chunks of whole rows, each row's sum, mean or maximum into out (one kernel per run: sum or max by op). */
    private static final class RowReductions extends Job {
        private final CpuKernels kernels;
        float[] x;
        int rows;
        int cols;
        int rowsPerChunk;
        float[] out;
        ReduceOp op;

        RowReductions(CpuKernels kernels) {
            this.kernels = kernels;
        }

        void set(float[] x, int rows, int cols, float[] out, ReduceOp op) {
            this.x = x;
            this.rows = rows;
            this.cols = cols;
            this.out = out;
            this.op = op;
            this.rowsPerChunk = Chunks.rows(Math.max(1, cols), ELEMENT_CHUNK);
        }

        @Override
        public void run(int ch) {
            int r1 = Math.min(rows, (ch + 1) * rowsPerChunk);
            if (op == ReduceOp.MAX) {
                for (int r = ch * rowsPerChunk; r < r1; r++) {
                    out[r] = kernels.max(x, r * cols, r * cols + cols);
                }
            } else {
                for (int r = ch * rowsPerChunk; r < r1; r++) {
                    out[r] = meanOrSum(op, kernels.sum(x, r * cols, r * cols + cols), cols);
                }
            }
        }

        @Override
        void clear() {
            x = null;
            out = null;
        }
    }

    /** SUM's and MEAN's gradient: g spread over element chunks (axis −1) or chunks of whole rows. */
    private static final class Spread extends Job {
        private final CpuKernels kernels;
        float[] g;
        float[] gi;
        float beta;
        float divisor;
        int n;
        int cols;
        int axis;
        int rowsPerChunk;

        Spread(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            if (axis == -1) {
                int from = ch * ELEMENT_CHUNK;
                kernels.spread(g, 0, 0, divisor, beta, gi, from, Math.min(n, from + ELEMENT_CHUNK) - from);
                return;
            }
            int r1 = Math.min(n / cols, (ch + 1) * rowsPerChunk);
            for (int r = ch * rowsPerChunk; r < r1; r++) {
                // down the columns: g is one row, read whole; along the rows: one element per row, broadcast
                kernels.spread(g, axis == 0 ? 0 : r, axis == 0 ? 1 : 0, divisor, beta, gi, r * cols, cols);
            }
        }

        @Override
        void clear() {
            g = null;
            gi = null;
        }
    }
}

package dev.descent.cpu;

import dev.descent.backend.Elementwise;

import static dev.descent.cpu.Chunks.COLUMN_CHUNK;
import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.GATHER_CHUNK;
import static dev.descent.cpu.Chunks.GATHER_PARALLEL_MIN;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

import java.util.Arrays;

/**
 * The CPU backend's row-wise operations on row-major {@code [rows, cols]} arrays: gathers, argmax, adding a row
 * vector, column sums, softmax along rows and its gradient, picking one column per row and its scatter. Large ones run
 * on the pool in chunks of whole rows (of whole columns for the column sums); none of their results depends on the
 * cut.
 */
final class RowOps {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    /** The one-element source of a zero gradient ({@link CpuKernels#spread} with stride 0). */
    private static final float[] ZERO = {0f};

    private final Gather gather = new Gather();
    private final AddRowVector addRowVector;
    private final ColumnSums columnSums;
    private final SoftmaxRows softmaxRows;
    private final SoftmaxRowsGrad softmaxRowsGrad;
    private final ScatterAddColumns scatterAddColumns;
    /** The column sums in double, before they are scaled into the output. */
    private double[] columnAcc = new double[64];

    RowOps(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.addRowVector = new AddRowVector(kernels);
        this.columnSums = new ColumnSums(kernels);
        this.softmaxRows = new SoftmaxRows(kernels);
        this.softmaxRowsGrad = new SoftmaxRowsGrad(kernels);
        this.scatterAddColumns = new ScatterAddColumns(kernels);
    }

    /** Softmax (or log-softmax) along each row: {@link CpuKernels#softmaxRows}. */
    void softmaxRows(float[] x, float[] out, int rows, int cols, boolean log) {
        if ((long) rows * cols < PARALLEL_MIN || cols == 0) {
            kernels.softmaxRows(x, out, cols, 0, rows, log);
        } else {
            synchronized (this) {
                SoftmaxRows job = softmaxRows;
                job.set(rows, cols, ELEMENT_CHUNK);
                job.x = x;
                job.out = out;
                job.log = log;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /** The gradient of {@link #softmaxRows} from its output: {@link CpuKernels#softmaxRowsGrad}. */
    void softmaxRowsGrad(float[] y, float[] g, int rows, int cols, boolean log, float beta, float[] gi) {
        if ((long) rows * cols < PARALLEL_MIN || cols == 0) {
            kernels.softmaxRowsGrad(y, g, cols, 0, rows, log, beta, gi);
        } else {
            synchronized (this) {
                SoftmaxRowsGrad job = softmaxRowsGrad;
                job.set(rows, cols, ELEMENT_CHUNK);
                job.y = y;
                job.g = g;
                job.gi = gi;
                job.log = log;
                job.beta = beta;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /** {@code out[r] ← x[r, labels[r]]} for {@code r < rows} (labels already checked). */
    static void gatherColumns(float[] x, int[] labels, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            out[r] = x[r * cols + labels[r]];
        }
    }

    /**
     * {@code gi ← acc(beta, gi, onehot(labels) ⊙ g)} row by row: the row scaled by beta (zeroed when beta is 0), the
     * label's element {@code acc(beta, old, g[r])} (labels already checked).
     */
    void scatterAddColumns(float[] g, int[] labels, float beta, float[] gi, int rows, int cols) {
        if ((long) rows * cols < PARALLEL_MIN || cols == 0) {
            scatterRows(kernels, g, labels, beta, gi, cols, 0, rows);
        } else {
            synchronized (this) {
                ScatterAddColumns job = scatterAddColumns;
                job.set(rows, cols, ELEMENT_CHUNK);
                job.g = g;
                job.labels = labels;
                job.gi = gi;
                job.beta = beta;
                job.runOn(pool, job.chunks());
            }
        }
    }

    private static void scatterRows(CpuKernels kernels, float[] g, int[] labels, float beta, float[] gi, int cols,
            int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int off = r * cols;
            int at = off + labels[r];
            float old = gi[at];
            kernels.spread(ZERO, 0, 0, 1f, beta, gi, off, cols);
            gi[at] = Elementwise.accumulate(beta, old, g[r]);
        }
    }

    /**
     * {@code dst[r, :] ← src[indices[offset + r], :]} for {@code r < rows}; src and dst are both {@code float[]} or
     * both {@code int[]}, the indices already checked.
     */
    void gatherRows(Object src, int[] indices, int offset, Object dst, int rows, int cols) {
        if ((long) rows * cols < GATHER_PARALLEL_MIN || cols == 0 || pool.threads() == 1) {
            copyRows(src, dst, indices, offset, cols, 0, rows);
        } else {
            synchronized (this) {
                Gather job = gather;
                job.set(rows, cols, GATHER_CHUNK);
                job.src = src;
                job.dst = dst;
                job.indices = indices;
                job.offset = offset;
                job.runOn(pool, job.chunks());
            }
        }
    }

    static void copyRows(Object src, Object dst, int[] ix, int offset, int cols, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            System.arraycopy(src, ix[offset + r] * cols, dst, r * cols, cols);
        }
    }

    /** {@code out[r] ← argmax_j x[r, j]} for {@code r < rows} ({@code cols > 0} when there are rows). */
    static void argmaxRows(float[] x, int[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            out[r] = argmax(x, r * cols, cols);
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

    /** {@code x[r, :] ← x[r, :] + bias} for every row. */
    void addRowVector(float[] x, float[] bias, int rows, int cols) {
        if ((long) rows * cols < PARALLEL_MIN || cols == 0) {
            kernels.addRowVector(x, bias, cols, 0, rows);
        } else {
            synchronized (this) {
                AddRowVector job = addRowVector;
                job.set(rows, cols, ELEMENT_CHUNK);
                job.x = x;
                job.bias = bias;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /**
     * {@code out ← beta·out + alpha·Σ_r x[r, :]}: the sums in double over the rows in order, then
     * {@code (float) (alpha·s + beta·out)} in double ({@code alpha·s} alone when beta is 0).
     */
    synchronized void columnSums(float alpha, float[] x, int rows, int cols, float beta, float[] out) {
        if (columnAcc.length < cols) {
            columnAcc = new double[cols];
        }
        double[] acc = columnAcc;
        Arrays.fill(acc, 0, cols, 0.0);
        int chunks = Chunks.count(cols, COLUMN_CHUNK);
        if ((long) rows * cols < PARALLEL_MIN || chunks == 1) {
            kernels.columnSums(x, cols, 0, rows, 0, cols, acc);
        } else {
            ColumnSums job = columnSums;
            job.rows = rows;
            job.cols = cols;
            job.x = x;
            job.acc = acc;
            job.runOn(pool, chunks);
        }
        for (int c = 0; c < cols; c++) {
            out[c] = (float) (beta == 0f ? alpha * acc[c] : alpha * acc[c] + beta * (double) out[c]);
        }
    }

    /** Work on a {@code [rows, cols]} matrix in chunks of {@code rowsPerChunk} whole rows. */
    private abstract static class RowJob extends ChunkJob {
        int rows;
        int cols;
        int rowsPerChunk;

        /** Rows of about {@code chunkElements} elements per chunk. */
        final void set(int rows, int cols, int chunkElements) {
            this.rows = rows;
            this.cols = cols;
            this.rowsPerChunk = Chunks.rows(cols, chunkElements);
        }

        final int chunks() {
            return Chunks.count(rows, rowsPerChunk);
        }

        final int firstRow(int chunk) {
            return chunk * rowsPerChunk;
        }

        final int endRow(int chunk) {
            return Math.min(rows, (chunk + 1) * rowsPerChunk);
        }
    }

    private static final class Gather extends RowJob {
        Object src;
        Object dst;
        int[] indices;
        int offset;

        @Override
        public void run(int ch) {
            copyRows(src, dst, indices, offset, cols, firstRow(ch), endRow(ch));
        }

        @Override
        void clear() {
            src = null;
            dst = null;
            indices = null;
        }
    }

    private static final class AddRowVector extends RowJob {
        private final CpuKernels kernels;
        float[] x;
        float[] bias;

        AddRowVector(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            kernels.addRowVector(x, bias, cols, firstRow(ch), endRow(ch));
        }

        @Override
        void clear() {
            x = null;
            bias = null;
        }
    }

    /** Chunks of {@link Chunks#COLUMN_CHUNK} columns, each summed over all rows into {@code acc}. */
    private static final class ColumnSums extends ChunkJob {
        private final CpuKernels kernels;
        int rows;
        int cols;
        float[] x;
        double[] acc;

        ColumnSums(CpuKernels kernels) {
            this.kernels = kernels;
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

    private static final class SoftmaxRows extends RowJob {
        private final CpuKernels kernels;
        float[] x;
        float[] out;
        boolean log;

        SoftmaxRows(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            kernels.softmaxRows(x, out, cols, firstRow(ch), endRow(ch), log);
        }

        @Override
        void clear() {
            x = null;
            out = null;
        }
    }

    private static final class SoftmaxRowsGrad extends RowJob {
        private final CpuKernels kernels;
        float[] y;
        float[] g;
        float[] gi;
        boolean log;
        float beta;

        SoftmaxRowsGrad(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            kernels.softmaxRowsGrad(y, g, cols, firstRow(ch), endRow(ch), log, beta, gi);
        }

        @Override
        void clear() {
            y = null;
            g = null;
            gi = null;
        }
    }

    private static final class ScatterAddColumns extends RowJob {
        private final CpuKernels kernels;
        float[] g;
        int[] labels;
        float[] gi;
        float beta;

        ScatterAddColumns(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            scatterRows(kernels, g, labels, beta, gi, cols, firstRow(ch), endRow(ch));
        }

        @Override
        void clear() {
            g = null;
            labels = null;
            gi = null;
        }
    }
}

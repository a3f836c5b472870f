package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

/**
 * The CPU backend's block moves: transposes and copies of a block of rows and columns, each accumulated into its
 * destination with a factor beta ({@link ScalarKernels#accumulate}). A large transpose runs on the pool in chunks of
 * source rows (each chunk writes its own columns of the destination); the result does not depend on the cut.
 */
final class Blocks {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Transpose transpose;

    Blocks(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.transpose = new Transpose(kernels);
    }

    /** {@code out [cols, rows] ← acc(beta, out, xᵀ)} for {@code x [rows, cols]}. */
    void transpose(float[] x, int rows, int cols, float beta, float[] out) {
        if ((long) rows * cols < PARALLEL_MIN || cols == 0) {
            kernels.transpose(x, rows, cols, 0, rows, beta, out);
        } else {
            synchronized (this) {
                Transpose job = transpose;
                job.rows = rows;
                job.cols = cols;
                int tile = ScalarKernels.TRANSPOSE_TILE;
                job.rowsPerChunk = Math.max(tile, ELEMENT_CHUNK / cols / tile * tile);
                job.x = x;
                job.out = out;
                job.beta = beta;
                job.runOn(pool, Chunks.count(rows, job.rowsPerChunk));
            }
        }
    }

    /**
     * {@code dst[dstRow + i, dstCol + j] ← acc(beta, dst[..], src[srcRow + i, srcCol + j])} for a {@code rows × cols}
     * block of float matrices with {@code srcCols} and {@code dstCols} columns.
     */
    void copyBlock(float[] src, int srcCols, int srcRow, int srcCol, float[] dst, int dstCols, int dstRow,
            int dstCol, int rows, int cols, float beta) {
        for (int i = 0; i < rows; i++) {
            int so = (srcRow + i) * srcCols + srcCol;
            int dOff = (dstRow + i) * dstCols + dstCol;
            if (beta == 0f) {
                System.arraycopy(src, so, dst, dOff, cols);
            } else {
                kernels.spread(src, so, 1, 1f, beta, dst, dOff, cols);
            }
        }
    }

    /** As {@link #copyBlock} for int32 matrices: beta·dst truncated to int (as {@code fill} truncates), plus src. */
    static void copyBlock(int[] src, int srcCols, int srcRow, int srcCol, int[] dst, int dstCols, int dstRow,
            int dstCol, int rows, int cols, float beta) {
        for (int i = 0; i < rows; i++) {
            int so = (srcRow + i) * srcCols + srcCol;
            int dOff = (dstRow + i) * dstCols + dstCol;
            if (beta == 0f) {
                System.arraycopy(src, so, dst, dOff, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    dst[dOff + j] = (int) (beta * (double) dst[dOff + j]) + src[so + j];
                }
            }
        }
    }

    private static final class Transpose extends ChunkJob {
        private final CpuKernels kernels;
        int rows;
        int cols;
        int rowsPerChunk;
        float[] x;
        float[] out;
        float beta;

        Transpose(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            int r0 = ch * rowsPerChunk;
            kernels.transpose(x, rows, cols, r0, Math.min(rows, r0 + rowsPerChunk), beta, out);
        }

        @Override
        void clear() {
            x = null;
            out = null;
        }
    }
}

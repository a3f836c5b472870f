package dev.descent.cpu;

import dev.descent.backend.Elementwise;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

/**
 * The CPU backend's block moves: transposes and copies of a block of rows and columns, each accumulated into its
 * destination with a factor beta ({@link Elementwise#accumulate}). Large ones run on the pool in chunks of source
 * rows (a transpose's chunk writes its own columns of the destination); no result depends on the cut.
 */
final class Blocks {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Transpose transpose;
    private final CopyBlock copyBlock;

    Blocks(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.transpose = new Transpose(kernels);
        this.copyBlock = new CopyBlock(kernels);
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
        if ((long) rows * cols < PARALLEL_MIN || cols == 0) {
            copyRows(kernels, src, srcCols, srcRow, srcCol, dst, dstCols, dstRow, dstCol, cols, beta, 0, rows);
        } else {
            synchronized (this) {
                CopyBlock job = copyBlock;
                job.src = src;
                job.srcCols = srcCols;
                job.srcRow = srcRow;
                job.srcCol = srcCol;
                job.dst = dst;
                job.dstCols = dstCols;
                job.dstRow = dstRow;
                job.dstCol = dstCol;
                job.rows = rows;
                job.cols = cols;
                job.beta = beta;
                job.rowsPerChunk = Chunks.rows(cols, ELEMENT_CHUNK);
                job.runOn(pool, Chunks.count(rows, job.rowsPerChunk));
            }
        }
    }

    /** Rows {@code [i0, i1)} of the block. */
    private static void copyRows(CpuKernels kernels, float[] src, int srcCols, int srcRow, int srcCol, float[] dst,
            int dstCols, int dstRow, int dstCol, int cols, float beta, int i0, int i1) {
        for (int i = i0; i < i1; i++) {
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

    private static final class CopyBlock extends ChunkJob {
        private final CpuKernels kernels;
        float[] src;
        int srcCols;
        int srcRow;
        int srcCol;
        float[] dst;
        int dstCols;
        int dstRow;
        int dstCol;
        int rows;
        int cols;
        int rowsPerChunk;
        float beta;

        CopyBlock(CpuKernels kernels) {
            this.kernels = kernels;
        }

        @Override
        public void run(int ch) {
            int i0 = ch * rowsPerChunk;
            copyRows(kernels, src, srcCols, srcRow, srcCol, dst, dstCols, dstRow, dstCol, cols, beta, i0,
                    Math.min(rows, i0 + rowsPerChunk));
        }

        @Override
        void clear() {
            src = null;
            dst = null;
        }
    }
}

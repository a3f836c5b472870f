package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;

import dev.descent.backend.ReduceOp;

import java.util.Arrays;

/**
 * The CPU backend's {@link ReduceOp} reductions of a {@code [rows, cols]} matrix over every element (axis −1), down
 * each column (axis 0) or along each row (axis 1), and their gradients.
 *
 * <p>Sums are taken in double in an order fixed by the shape: over every element one partial per
 * {@link Chunks#ELEMENT_CHUNK} chunk ({@link CpuKernels#sum}) added in chunk order; down a column row by row
 * ({@link CpuKernels#columnSums}); along a row by {@link CpuKernels#sum}. The float result is the rounded sum, and a
 * mean that float divided by the element count (torch's {@code sum / n}). A maximum is NaN if any element is; its
 * gradient goes to the first maximum (the first NaN) of each reduced line, the others get 0.
 */
final class AxisReductions {
    /** The one-element source of a zero gradient ({@link CpuKernels#spread} with stride 0). */
    private static final float[] ZERO = {0f};

    private final CpuKernels kernels;
    private final WorkerPool pool;
    private double[] columnAcc = new double[64];
    private int[] columnArgmax = new int[64];
    private float[] columnOld = new float[64];

    AxisReductions(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
    }

    /** {@code out ← op} of {@code x [rows, cols]} along {@code axis} (see {@link dev.descent.backend.OpChecks#reduceAxis}). */
    void reduce(ReduceOp op, float[] x, int rows, int cols, int axis, float[] out) {
        int n = rows * cols;
        if (axis == -1) {
            out[0] = op == ReduceOp.MAX ? maxAll(x, n) : meanOrSum(op, sumAll(x, n), n);
        } else if (axis == 1) {
            for (int r = 0; r < rows; r++) {
                int off = r * cols;
                out[r] = op == ReduceOp.MAX ? kernels.max(x, off, off + cols)
                        : meanOrSum(op, kernels.sum(x, off, off + cols), cols);
            }
        } else if (op == ReduceOp.MAX) {
            if (rows > 0) {
                System.arraycopy(x, 0, out, 0, cols);
                kernels.columnMax(x, cols, 1, rows, 0, cols, out);
            }
        } else {
            columnSums(x, rows, cols, out, op == ReduceOp.MEAN);
        }
    }

    private synchronized void columnSums(float[] x, int rows, int cols, float[] out, boolean mean) {
        if (columnAcc.length < cols) {
            columnAcc = new double[Math.max(cols, 2 * columnAcc.length)];
        }
        double[] acc = columnAcc;
        Arrays.fill(acc, 0, cols, 0.0);
        kernels.columnSums(x, cols, 0, rows, 0, cols, acc);
        for (int c = 0; c < cols; c++) {
            out[c] = meanOrSum(mean ? ReduceOp.MEAN : ReduceOp.SUM, acc[c], rows);
        }
    }

    private static float meanOrSum(ReduceOp op, double sum, int count) {
        float s = (float) sum;
        return op == ReduceOp.MEAN ? s / (float) count : s;
    }

    private double sumAll(float[] x, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.sum(x, 0, n);
        }
        double total = 0;
        for (int from = 0; from < n; from += ELEMENT_CHUNK) {
            total += kernels.sum(x, from, Math.min(n, from + ELEMENT_CHUNK));
        }
        return total;
    }

    private float maxAll(float[] x, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.max(x, 0, n);
        }
        float m = Float.NEGATIVE_INFINITY;
        for (int from = 0; from < n; from += ELEMENT_CHUNK) {
            m = Math.max(m, kernels.max(x, from, Math.min(n, from + ELEMENT_CHUNK)));
        }
        return m;
    }

    /** {@code gi ← acc(beta, gi, the gradient of op)}: g has one element per reduced line, gi x's shape. */
    void backward(ReduceOp op, float[] x, int rows, int cols, int axis, float[] g, float beta, float[] gi) {
        int n = rows * cols;
        if (op != ReduceOp.MAX) {
            boolean mean = op == ReduceOp.MEAN;
            if (axis == -1) {
                kernels.spread(g, 0, 0, mean ? (float) n : 1f, beta, gi, 0, n);
            } else if (axis == 0) {
                float divisor = mean ? (float) rows : 1f;
                for (int r = 0; r < rows; r++) {
                    kernels.spread(g, 0, 1, divisor, beta, gi, r * cols, cols);
                }
            } else {
                float divisor = mean ? (float) cols : 1f;
                for (int r = 0; r < rows; r++) {
                    kernels.spread(g, r, 0, divisor, beta, gi, r * cols, cols);
                }
            }
            return;
        }
        if (axis == -1) {
            if (n > 0) {
                int at = RowOps.argmax(x, 0, n);
                float old = gi[at];
                kernels.spread(ZERO, 0, 0, 1f, beta, gi, 0, n);
                gi[at] = ScalarKernels.accumulate(beta, old, g[0]);
            }
        } else if (axis == 1) {
            for (int r = 0; r < rows; r++) {
                int off = r * cols;
                int at = off + RowOps.argmax(x, off, cols);
                float old = gi[at];
                kernels.spread(ZERO, 0, 0, 1f, beta, gi, off, cols);
                gi[at] = ScalarKernels.accumulate(beta, old, g[r]);
            }
        } else if (rows > 0) {
            columnMaxBackward(x, rows, cols, g, beta, gi);
        }
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
            gi[at[c] * cols + c] = ScalarKernels.accumulate(beta, old[c], g[c]);
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
}

package dev.descent.autodiff;

import dev.descent.backend.Backend;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.Elementwise;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;

/**
 * A recorded operation: its inputs, its output, and the backend calls of its forward pass and of each input's
 * gradient. Nodes hold no per-call state; the views they need are made once (or again only when an input is bound to
 * another tensor), so a replay allocates nothing.
 */
abstract class Node {
    final Var[] in;
    Var out;

    Node(Var... in) {
        this.in = in;
    }

    /** A short description for messages: {@code exp}, {@code matmul}. */
    abstract String label();

    /** Computes {@code out.value} from the inputs' values. */
    abstract void forward(Backend b);

    /** {@code in[i].grad ← beta·in[i].grad + (the gradient through this node from out.grad)}. */
    abstract void backward(Backend b, int i, float beta);

    /** Whether {@link #backward} with beta 0 writes every element of {@code in[i].grad} (else the tape zeroes it). */
    boolean overwrites(int i) {
        return true;
    }

    /** Called once the tape has given every value that needs one its gradient tensor. */
    void gradientsReady() {
    }

    // ---------------------------------------------------------------- on the host (HostProgram)

    /** Whether {@link #hostForward} and {@link #hostBackward} exist for this operation. */
    boolean hasHostForm() {
        return false;
    }

    /** The forward pass on host arrays: {@code y} from the inputs' values {@code x}. */
    void hostForward(float[][] x, float[] y) {
        throw new UnsupportedOperationException(label() + " has no host form");
    }

    /** The backward pass on host arrays: {@code gi ← accumulate(beta, gi, gradient through input i)}. */
    void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
        throw new UnsupportedOperationException(label() + " has no host form");
    }

    /** The element of a value at (r, c) of the broadcast output. */
    static float at(Var v, float[] data, int r, int c) {
        return data[(v.rows == 1 ? 0 : r) * v.cols + (v.cols == 1 ? 0 : c)];
    }

    /** A cached view of a tensor in another 2-D shape, made again only when the viewed tensor changes. */
    static final class View {
        private final Tape tape;
        private final int rows;
        private final int cols;
        private Tensor source;
        private Tensor view;

        View(Tape tape, int rows, int cols) {
            this.tape = tape;
            this.rows = rows;
            this.cols = cols;
        }

        Tensor of(Tensor t) {
            if (t.rows() == rows && t.cols() == cols) {
                return t;
            }
            if (t != source) {
                if (view != null) {
                    tape.release(view);
                }
                view = tape.own(t.backend().reshape(t, rows, cols));
                source = t;
            }
            return view;
        }
    }

    // ================================================================ the operations

    static final class Unary extends Node {
        final UnaryOp op;
        final float param;

        Unary(UnaryOp op, float param, Var x) {
            super(x);
            this.op = op;
            this.param = param;
        }

        @Override
        String label() {
            return op.label();
        }

        @Override
        void forward(Backend b) {
            b.unary(op, param, in[0].value, out.value);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.unaryBackward(op, param, in[0].value, out.value, out.grad, beta, in[0].grad);
        }

        @Override
        boolean hasHostForm() {
            return true;
        }

        @Override
        void hostForward(float[][] x, float[] y) {
            float[] a = x[0];
            for (int k = 0; k < y.length; k++) {
                y[k] = Elementwise.unary(op, param, a[k]);
            }
        }

        @Override
        void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
            float[] a = x[0];
            for (int k = 0; k < gi.length; k++) {
                gi[k] = Elementwise.accumulate(beta, gi[k], Elementwise.unaryGradient(op, param, a[k], y[k], g[k]));
            }
        }
    }

    static final class Binary extends Node {
        final BinaryOp op;

        Binary(BinaryOp op, Var a, Var c) {
            super(a, c);
            this.op = op;
        }

        @Override
        String label() {
            return op.label();
        }

        @Override
        void forward(Backend b) {
            b.binary(op, in[0].value, in[1].value, out.value);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.binaryBackward(op, i, in[0].value, in[1].value, out.value, out.grad, beta, in[i].grad);
        }

        @Override
        boolean hasHostForm() {
            return true;
        }

        @Override
        void hostForward(float[][] x, float[] y) {
            Var va = in[0];
            Var vb = in[1];
            float[] a = x[0];
            float[] c = x[1];
            if (a.length == y.length && c.length == y.length) {
                for (int k = 0; k < y.length; k++) {
                    y[k] = Elementwise.binary(op, a[k], c[k]);
                }
                return;
            }
            int cols = out.cols;
            for (int r = 0; r < out.rows; r++) {
                for (int col = 0; col < cols; col++) {
                    y[r * cols + col] = Elementwise.binary(op, at(va, a, r, col), at(vb, c, r, col));
                }
            }
        }

        @Override
        void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
            Var va = in[0];
            Var vb = in[1];
            Var arg = in[i];
            float[] a = x[0];
            float[] c = x[1];
            int cols = out.cols;
            if (a.length == y.length && c.length == y.length) {
                for (int k = 0; k < y.length; k++) {
                    gi[k] = Elementwise.accumulate(beta, gi[k], Elementwise.binaryGradient(op, i, a[k], c[k], y[k],
                            g[k]));
                }
                return;
            }
            if (arg.rows == out.rows && arg.cols == out.cols) {
                for (int r = 0; r < out.rows; r++) {
                    for (int col = 0; col < cols; col++) {
                        int o = r * cols + col;
                        gi[o] = Elementwise.accumulate(beta, gi[o], Elementwise.binaryGradient(op, i,
                                at(va, a, r, col), at(vb, c, r, col), y[o], g[o]));
                    }
                }
                return;
            }
            // a broadcast operand: the terms summed over the broadcast dimensions, in double, as the backends do
            for (int ar = 0; ar < arg.rows; ar++) {
                for (int ac = 0; ac < arg.cols; ac++) {
                    double sum = 0;
                    int r0 = arg.rows == 1 ? 0 : ar;
                    int r1 = arg.rows == 1 ? out.rows : ar + 1;
                    int c0 = arg.cols == 1 ? 0 : ac;
                    int c1 = arg.cols == 1 ? cols : ac + 1;
                    for (int r = r0; r < r1; r++) {
                        for (int col = c0; col < c1; col++) {
                            int o = r * cols + col;
                            sum += Elementwise.binaryGradient(op, i, at(va, a, r, col), at(vb, c, r, col), y[o], g[o]);
                        }
                    }
                    int d = ar * arg.cols + ac;
                    gi[d] = Elementwise.accumulate(beta, gi[d], (float) sum);
                }
            }
        }
    }

    /** A reduction; {@code kernelOut} views the output in the shape the backend's reduce expects for the axis. */
    static final class Reduce extends Node {
        final ReduceOp op;
        final int kernelRows;
        final int kernelCols;
        final View outView;
        final View gradView;

        Reduce(Tape tape, ReduceOp op, Var x, int kernelRows, int kernelCols) {
            super(x);
            this.op = op;
            this.kernelRows = kernelRows;
            this.kernelCols = kernelCols;
            this.outView = new View(tape, kernelRows, kernelCols);
            this.gradView = new View(tape, kernelRows, kernelCols);
        }

        @Override
        String label() {
            return op.label();
        }

        @Override
        void forward(Backend b) {
            b.reduce(op, in[0].value, outView.of(out.value));
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.reduceBackward(op, in[0].value, outView.of(out.value), gradView.of(out.grad), beta, in[0].grad);
        }

        @Override
        boolean hasHostForm() {
            return true;
        }

        /** -1: every element; 0: down each column ([1, cols] out); 1: along each row ([rows, 1] out). */
        private int axis() {
            return kernelRows == 1 && kernelCols == 1 ? -1 : kernelRows == 1 ? 0 : 1;
        }

        private static int at(int axis, int line, int k, int cols) {
            return axis == -1 ? k : axis == 0 ? k * cols + line : line * cols + k;
        }

        @Override
        void hostForward(float[][] x, float[] y) {
            float[] a = x[0];
            int cols = in[0].cols;
            int axis = axis();
            int lines = axis == -1 ? 1 : axis == 0 ? cols : in[0].rows;
            int length = axis == -1 ? a.length : axis == 0 ? in[0].rows : cols;
            for (int l = 0; l < lines; l++) {
                if (op == ReduceOp.MAX) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int k = 0; k < length; k++) {
                        m = Math.max(m, a[at(axis, l, k, cols)]);
                    }
                    y[l] = m;
                } else {
                    double sum = 0;
                    for (int k = 0; k < length; k++) {
                        sum += a[at(axis, l, k, cols)];
                    }
                    float f = (float) sum;
                    y[l] = op == ReduceOp.MEAN ? f / (float) length : f;
                }
            }
        }

        @Override
        void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
            float[] a = x[0];
            int cols = in[0].cols;
            int axis = axis();
            int lines = axis == -1 ? 1 : axis == 0 ? cols : in[0].rows;
            int length = axis == -1 ? a.length : axis == 0 ? in[0].rows : cols;
            for (int l = 0; l < lines; l++) {
                if (op == ReduceOp.MAX) {
                    // the first maximum (the first NaN) of the line gets the gradient
                    int best = 0;
                    float m = a[at(axis, l, 0, cols)];
                    for (int k = 1; k < length && m == m; k++) {
                        float e = a[at(axis, l, k, cols)];
                        if (e > m || e != e) {
                            m = e;
                            best = k;
                        }
                    }
                    for (int k = 0; k < length; k++) {
                        int d = at(axis, l, k, cols);
                        gi[d] = Elementwise.accumulate(beta, gi[d], k == best ? g[l] : 0f);
                    }
                } else {
                    float t = op == ReduceOp.MEAN ? g[l] / (float) length : g[l];
                    for (int k = 0; k < length; k++) {
                        int d = at(axis, l, k, cols);
                        gi[d] = Elementwise.accumulate(beta, gi[d], t);
                    }
                }
            }
        }
    }

    /** {@code A·B} on the 2-D forms: a row for a rank-1 left operand, a column for a rank-1 right operand. */
    static final class Matmul extends Node {
        final View bView;
        final View bGradView;
        final View outView;
        final View outGradView;

        Matmul(Tape tape, Var a, Var c, int m, int k, int n) {
            super(a, c);
            this.bView = new View(tape, k, n);
            this.bGradView = new View(tape, k, n);
            this.outView = new View(tape, m, n);
            this.outGradView = new View(tape, m, n);
        }

        @Override
        String label() {
            return "matmul";
        }

        @Override
        void forward(Backend b) {
            b.gemm(false, false, 1f, in[0].value, bView.of(in[1].value), 0f, outView.of(out.value));
        }

        @Override
        void backward(Backend b, int i, float beta) {
            Tensor g = outGradView.of(out.grad);
            if (i == 0) {
                b.gemm(false, true, 1f, g, bView.of(in[1].value), beta, in[0].grad);
            } else {
                b.gemm(true, false, 1f, in[0].value, g, beta, bGradView.of(in[1].grad));
            }
        }
    }

    static final class Transpose extends Node {
        Transpose(Var x) {
            super(x);
        }

        @Override
        String label() {
            return "t";
        }

        @Override
        void forward(Backend b) {
            b.transpose(in[0].value, 0f, out.value);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.transpose(out.grad, beta, in[0].grad);
        }

        @Override
        boolean hasHostForm() {
            return true;
        }

        @Override
        void hostForward(float[][] x, float[] y) {
            int rows = in[0].rows;
            int cols = in[0].cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    y[c * rows + r] = x[0][r * cols + c];
                }
            }
        }

        @Override
        void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
            int rows = in[0].rows;
            int cols = in[0].cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int d = r * cols + c;
                    gi[d] = Elementwise.accumulate(beta, gi[d], g[c * rows + r]);
                }
            }
        }
    }

    static final class Softmax extends Node {
        final boolean log;

        Softmax(Var x, boolean log) {
            super(x);
            this.log = log;
        }

        @Override
        String label() {
            return log ? "logSoftmax" : "softmax";
        }

        @Override
        void forward(Backend b) {
            b.softmaxRows(in[0].value, out.value, log);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.softmaxRowsBackward(out.value, out.grad, log, beta, in[0].grad);
        }
    }

    static final class Pick extends Node {
        Pick(Var x, Var labels) {
            super(x, labels);
        }

        @Override
        String label() {
            return "pick";
        }

        @Override
        void forward(Backend b) {
            b.gatherColumns(in[0].value, in[1].value, out.value);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.scatterAddColumns(out.grad, in[1].value, beta, in[0].grad);
        }
    }

    /** An element or a slice: the block at (row, col) of rows × cols elements. */
    static final class Block extends Node {
        final int row;
        final int col;
        final int rows;
        final int cols;
        final String label;

        Block(Var x, int row, int col, int rows, int cols, String label) {
            super(x);
            this.row = row;
            this.col = col;
            this.rows = rows;
            this.cols = cols;
            this.label = label;
        }

        @Override
        String label() {
            return label;
        }

        @Override
        void forward(Backend b) {
            b.copyBlock(in[0].value, row, col, out.value, 0, 0, rows, cols, 0f);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            b.copyBlock(out.grad, 0, 0, in[0].grad, row, col, rows, cols, beta);
        }

        @Override
        boolean overwrites(int i) {
            return rows == in[0].rows && cols == in[0].cols;
        }

        @Override
        boolean hasHostForm() {
            return true;
        }

        @Override
        void hostForward(float[][] x, float[] y) {
            int stride = in[0].cols;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(x[0], (row + r) * stride + col, y, r * cols, cols);
            }
        }

        @Override
        void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
            int stride = in[0].cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int d = (row + r) * stride + col + c;
                    gi[d] = Elementwise.accumulate(beta, gi[d], g[r * cols + c]);
                }
            }
        }
    }

    /** The same elements in another shape: a copy forward, a copy (or an addition) backward. */
    static final class Reshape extends Node {
        Reshape(Var x) {
            super(x);
        }

        @Override
        String label() {
            return "reshape";
        }

        @Override
        void forward(Backend b) {
            b.copy(in[0].value, out.value);
        }

        @Override
        void backward(Backend b, int i, float beta) {
            if (beta == 0f) {
                b.copy(out.grad, in[0].grad);
            } else {
                if (beta != 1f) {
                    b.scale(beta, in[0].grad);
                }
                b.axpy(1f, out.grad, in[0].grad);
            }
        }

        @Override
        boolean hasHostForm() {
            return true;
        }

        @Override
        void hostForward(float[][] x, float[] y) {
            System.arraycopy(x[0], 0, y, 0, y.length);
        }

        @Override
        void hostBackward(int i, float beta, float[][] x, float[] y, float[] g, float[] gi) {
            for (int k = 0; k < gi.length; k++) {
                gi[k] = beta == 0f ? g[k] : beta * gi[k] + g[k];
            }
        }
    }
}

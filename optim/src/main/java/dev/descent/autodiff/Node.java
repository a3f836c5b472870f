package dev.descent.autodiff;

import dev.descent.backend.Backend;
import dev.descent.backend.BinaryOp;
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
    }

    /** A reduction; {@code kernelOut} views the output in the shape the backend's reduce expects for the axis. */
    static final class Reduce extends Node {
        final ReduceOp op;
        final View outView;
        final View gradView;

        Reduce(Tape tape, ReduceOp op, Var x, int kernelRows, int kernelCols) {
            super(x);
            this.op = op;
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
    }
}

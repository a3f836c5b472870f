package dev.descent.autodiff;

import dev.descent.backend.BinaryOp;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import java.util.Arrays;

/**
 * A value in a {@link Tape}'s computation: a parameter, an input, a constant, or the result of an operation on other
 * values. Operations are methods ({@code x.matmul(w).add(b).logSoftmax()}) that compute their result at once, on the
 * tape's backend, and record themselves, so that the tape can {@link Tape#forward() replay} the whole computation and
 * {@link Tape#backward(Var) differentiate} it.
 *
 * <p><b>Shapes</b> follow torch with at most two dimensions: rank 0 (a scalar), rank 1 ({@code [n]}) and rank 2
 * ({@code [rows, cols]}). Binary operations broadcast as torch does: a rank-1 value broadcasts as one row, a scalar
 * everywhere, and a dimension of 1 (for example a {@code [rows, 1]} column from {@code sum(1, true)}) along that
 * dimension. Reductions take an axis (0 down the columns, 1 along the rows) and optionally keep it as a dimension of 1.
 *
 * <p><b>Arithmetic</b> is float32 with torch 1.13's forward and backward formulas (see
 * {@link dev.descent.backend.UnaryOp} and {@link dev.descent.backend.BinaryOp}); a number in an operation
 * ({@code x.mul(10)}) is a float32 constant, as torch converts a Python scalar.
 */
public final class Var {
    final Tape tape;
    final Kind kind;
    final int rank;
    final int rows;
    final int cols;
    /** The value in its canonical 2-D form: rank 0 as [1, 1], rank 1 [n] as [1, n], rank 2 as it is. */
    Tensor value;
    /** The recorded operation that computes this value; null for a leaf. */
    final Node node;
    /** Whether a gradient flows to this value (it is a parameter or depends on one). */
    final boolean requiresGrad;
    /** The gradient, in the canonical form; null until a backward plan needs it. */
    Tensor grad;
    /** A parameter's name; the input's name; null otherwise. */
    final String name;
    /** Whether this is an int32 value (labels). */
    final boolean int32;

    enum Kind { PARAMETER, INPUT, CONSTANT, RESULT }

    Var(Tape tape, Kind kind, int rank, int rows, int cols, Node node, boolean requiresGrad, String name,
            boolean int32) {
        this.tape = tape;
        this.kind = kind;
        this.rank = rank;
        this.rows = rows;
        this.cols = cols;
        this.node = node;
        this.requiresGrad = requiresGrad;
        this.name = name;
        this.int32 = int32;
    }

    // ================================================================ shape

    /** The tape this value belongs to. */
    public Tape tape() {
        return tape;
    }

    /** 0, 1 or 2. */
    public int rank() {
        return rank;
    }

    /** The shape: {@code []}, {@code [n]} or {@code [rows, cols]}. */
    public int[] shape() {
        return switch (rank) {
            case 0 -> new int[0];
            case 1 -> new int[] {cols};
            default -> new int[] {rows, cols};
        };
    }

    /** The number of elements. */
    public long size() {
        return (long) rows * cols;
    }

    /** The value's tensor, in its canonical 2-D form ([1, 1] for a scalar, [1, n] for rank 1); do not close it. */
    public Tensor value() {
        return value;
    }

    /**
     * The gradient computed by the last {@link Tape#backward}, in the canonical form, or null when none was computed
     * for this value. A parameter's gradient is its {@link dev.descent.optim.Parameter#grad()} tensor (viewed).
     */
    public Tensor grad() {
        return grad;
    }

    /** Whether a gradient flows to this value. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The value as a float (one element only); synchronises. */
    public float item() {
        return tape.item(this);
    }

    /** The values, row-major; synchronises. */
    public float[] values() {
        return tape.values(this);
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case PARAMETER -> "parameter " + name;
            case INPUT -> "input " + name;
            case CONSTANT -> "constant";
            case RESULT -> node.label();
        };
        return what + " " + Arrays.toString(shape()) + (int32 ? " int32" : "");
    }

    // ================================================================ elementwise

    /** {@code this + other}, broadcasting. */
    public Var add(Var other) {
        return tape.binary(BinaryOp.ADD, this, other);
    }

    /** {@code this + c}. */
    public Var add(double c) {
        return add(tape.constant(c));
    }

    /** {@code this − other}, broadcasting. */
    public Var sub(Var other) {
        return tape.binary(BinaryOp.SUB, this, other);
    }

    /** {@code this − c}. */
    public Var sub(double c) {
        return sub(tape.constant(c));
    }

    /** {@code c − this} (torch's {@code c - x}). */
    public Var rsub(double c) {
        return tape.constant(c).sub(this);
    }

    /** {@code this ⊙ other}, broadcasting. */
    public Var mul(Var other) {
        return tape.binary(BinaryOp.MUL, this, other);
    }

    /** {@code this · c}. */
    public Var mul(double c) {
        return mul(tape.constant(c));
    }

    /** {@code this / other}, broadcasting. */
    public Var div(Var other) {
        return tape.binary(BinaryOp.DIV, this, other);
    }

    /** {@code this / c}. */
    public Var div(double c) {
        return div(tape.constant(c));
    }

    /** {@code this ^ p} for a number p; p = 2 is exactly {@code x·x}, as torch computes it. */
    public Var pow(double p) {
        return tape.unary(UnaryOp.POW, (float) p, this);
    }

    /** {@code this ^ other}, broadcasting, elementwise. */
    public Var pow(Var other) {
        return tape.binary(BinaryOp.POW, this, other);
    }

    /** {@code −this}. */
    public Var neg() {
        return tape.unary(UnaryOp.NEG, 0f, this);
    }

    /** {@code e^this}. */
    public Var exp() {
        return tape.unary(UnaryOp.EXP, 0f, this);
    }

    /** Natural logarithm. */
    public Var log() {
        return tape.unary(UnaryOp.LOG, 0f, this);
    }

    /** {@code ln(1 + this)}. */
    public Var log1p() {
        return tape.unary(UnaryOp.LOG1P, 0f, this);
    }

    /** Square root. */
    public Var sqrt() {
        return tape.unary(UnaryOp.SQRT, 0f, this);
    }

    /** Absolute value (its gradient is 0 at 0). */
    public Var abs() {
        return tape.unary(UnaryOp.ABS, 0f, this);
    }

    /** Sine. */
    public Var sin() {
        return tape.unary(UnaryOp.SIN, 0f, this);
    }

    /** Cosine. */
    public Var cos() {
        return tape.unary(UnaryOp.COS, 0f, this);
    }

    /** Hyperbolic tangent. */
    public Var tanh() {
        return tape.unary(UnaryOp.TANH, 0f, this);
    }

    /** The logistic function {@code 1 / (1 + e^−x)}. */
    public Var sigmoid() {
        return tape.unary(UnaryOp.SIGMOID, 0f, this);
    }

    /** {@code max(x, 0)}. */
    public Var relu() {
        return tape.unary(UnaryOp.RELU, 0f, this);
    }

    /** {@code ln(1 + e^x)} (torch's softplus with beta 1 and threshold 20). */
    public Var softplus() {
        return tape.unary(UnaryOp.SOFTPLUS, 0f, this);
    }

    // ================================================================ reductions

    /** The sum of every element, a scalar. */
    public Var sum() {
        return tape.reduce(ReduceOp.SUM, this, -1, false);
    }

    /** The sums along {@code axis} (0: down each column, 1: along each row), without that dimension. */
    public Var sum(int axis) {
        return sum(axis, false);
    }

    /** The sums along {@code axis}, keeping it as a dimension of 1 when {@code keepDim}. */
    public Var sum(int axis, boolean keepDim) {
        return tape.reduce(ReduceOp.SUM, this, axis, keepDim);
    }

    /** The mean of every element, a scalar. */
    public Var mean() {
        return tape.reduce(ReduceOp.MEAN, this, -1, false);
    }

    /** The means along {@code axis}. */
    public Var mean(int axis) {
        return mean(axis, false);
    }

    /** The means along {@code axis}, keeping it as a dimension of 1 when {@code keepDim}. */
    public Var mean(int axis, boolean keepDim) {
        return tape.reduce(ReduceOp.MEAN, this, axis, keepDim);
    }

    /** The largest element, a scalar; its gradient goes to the first largest element. */
    public Var max() {
        return tape.reduce(ReduceOp.MAX, this, -1, false);
    }

    /** The maxima along {@code axis}; the gradient of each goes to the first element holding it. */
    public Var max(int axis) {
        return max(axis, false);
    }

    /** The maxima along {@code axis}, keeping it as a dimension of 1 when {@code keepDim}. */
    public Var max(int axis, boolean keepDim) {
        return tape.reduce(ReduceOp.MAX, this, axis, keepDim);
    }

    // ================================================================ matrices and rows

    /**
     * The matrix product, as torch's {@code matmul} for rank 1 and 2: [m, k]·[k, n] is [m, n]; a rank-1 left operand
     * is a row ([k]·[k, n] is [n]), a rank-1 right operand a column ([m, k]·[k] is [m]), two rank-1 operands give
     * their dot product.
     */
    public Var matmul(Var other) {
        return tape.matmul(this, other);
    }

    /** The transpose of a matrix; a rank-0 or rank-1 value is returned as it is (torch's {@code t()}). */
    public Var t() {
        return tape.transpose(this);
    }

    /** Softmax along the last dimension (along each row of a matrix). */
    public Var softmax() {
        return tape.softmax(this, false);
    }

    /** Log-softmax along the last dimension, computed stably. */
    public Var logSoftmax() {
        return tape.softmax(this, true);
    }

    /**
     * One element per row, chosen by int32 labels: {@code out[i] = this[i, labels[i]]} (torch's
     * {@code x.gather(1, y[:, None]).squeeze(1)}); the cross-entropy's pick. A rank-1 result.
     */
    public Var pick(Var labels) {
        return tape.pick(this, labels);
    }

    /** Element {@code i} of a rank-1 value, as a scalar. */
    public Var get(int i) {
        return tape.element(this, i);
    }

    /** Element {@code (row, col)} of a matrix, as a scalar. */
    public Var get(int row, int col) {
        return tape.element(this, row, col);
    }

    /**
     * Elements {@code from} (inclusive) to {@code to} (exclusive) along {@code axis}: for a rank-1 value axis 0 is its
     * only axis; for a matrix axis 0 selects rows, axis 1 columns. Negative bounds count from the end, as in Python.
     */
    public Var slice(int axis, int from, int to) {
        return tape.slice(this, axis, from, to);
    }

    /** The same elements in another shape ({@code []}, {@code [n]} or {@code [rows, cols]}); one dimension may be -1. */
    public Var reshape(int... shape) {
        return tape.reshape(this, shape);
    }
}

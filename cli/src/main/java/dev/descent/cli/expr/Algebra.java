package dev.descent.cli.expr;

/**
 * What a {@link Formula} is built into: {@link Formula#build} walks the tree once, bottom up, and calls one method per
 * node. The calls say where each number stands, so that an implementation can reproduce what PyTorch computes for
 * the same formula written in Python over a float32 tensor {@code w}: a number on the right of an operator is a
 * scalar operand ({@code w[0] - 2.5}, {@code w[0] ** 2}), a number on the left a constant tensor
 * ({@code 1 - w[0]}).
 *
 * <p>Parts of a formula without a variable never reach the algebra: they are computed once, in double precision, as
 * Python computes {@code 0.1 * 3} before torch sees it, and arrive as one number.
 *
 * @param <T> the built value
 */
public interface Algebra<T> {
    /** Variable {@code w<index + 1>}: element {@code index} of the parameter vector. */
    T variable(int index);

    /** A number standing as the left operand of a binary operator whose right operand holds a variable. */
    T constant(double value);

    /** A unary operation: negation or one of the functions. */
    T unary(Function function, T operand);

    /** A binary operation of two operands that both hold a variable, or a {@link #constant} on the left. */
    T binary(Operator operator, T left, T right);

    /**
     * A binary operation with a number on the right: {@code x + 2}, {@code x / 3}, and for {@link Operator#POW} a
     * literal exponent, possibly negative ({@code x ^ 2}, {@code x ^ -0.5}).
     */
    T binary(Operator operator, T left, double right);
}

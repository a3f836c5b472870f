package dev.descent.backend;

/**
 * The elementwise functions of {@link Backend#unary} and {@link Backend#unaryBackward}, each with torch 1.13's float32
 * forward and backward formulas. {@code x} is the input, {@code y} the output, {@code g} the incoming gradient and
 * {@code p} the operation's scalar parameter (used by {@link #POW} only; 0 for the others).
 *
 * <table>
 * <caption>forward and the gradient added to the input's</caption>
 * <tr><th>op</th><th>y</th><th>gradient</th></tr>
 * <tr><td>NEG</td><td>−x</td><td>−g</td></tr>
 * <tr><td>EXP</td><td>eˣ</td><td>g·y</td></tr>
 * <tr><td>LOG</td><td>ln x</td><td>g / x</td></tr>
 * <tr><td>LOG1P</td><td>ln(1 + x)</td><td>g / (x + 1)</td></tr>
 * <tr><td>SQRT</td><td>√x</td><td>g / (2·y)</td></tr>
 * <tr><td>ABS</td><td>|x|</td><td>g·sign(x) (sign 0 at ±0 and NaN, as torch's)</td></tr>
 * <tr><td>SIN</td><td>sin x</td><td>g·cos x</td></tr>
 * <tr><td>COS</td><td>cos x</td><td>g·(−sin x)</td></tr>
 * <tr><td>TANH</td><td>tanh x</td><td>g·(1 − y·y)</td></tr>
 * <tr><td>SIGMOID</td><td>1 / (1 + e⁻ˣ)</td><td>g·(1 − y)·y</td></tr>
 * <tr><td>RELU</td><td>max(x, 0) (NaN stays NaN)</td><td>y &gt; 0 ? g : 0</td></tr>
 * <tr><td>SOFTPLUS</td><td>x &gt; 20 ? x : ln(1 + eˣ)</td><td>x &gt; 20 ? g : g·z / (z + 1), z = eˣ</td></tr>
 * <tr><td>POW</td><td>xᵖ</td><td>p = 0 ? 0 : g·(p·x^(p−1))</td></tr>
 * </table>
 *
 * <p>{@code POW} computes as torch does for the exponents it special-cases: p = 2 is x·x, p = 3 is x·x·x,
 * p = 0.5 is √x, p = −0.5 is 1/√x, p = −1 is 1/x, p = −2 is 1/(x·x), p = 1 is x, p = 0 is 1; any other p is
 * {@code (float) Math.pow(x, p)}. The same rule gives x^(p−1) in the gradient.
 *
 * <p>Exact operations (NEG, ABS, SQRT, RELU, POW with the special exponents) give bit-identical results on every backend
 * and width; the transcendental ones agree within a few ulps between backends and with the scalar reference.
 */
public enum UnaryOp {
    NEG, EXP, LOG, LOG1P, SQRT, ABS, SIN, COS, TANH, SIGMOID, RELU, SOFTPLUS, POW;

    /** The lower-case name, as in messages and expressions: {@code exp}, {@code pow}. */
    public String label() {
        return label;
    }

    private final String label = name().toLowerCase(java.util.Locale.ROOT);
}

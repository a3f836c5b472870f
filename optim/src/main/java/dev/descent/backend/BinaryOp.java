package dev.descent.backend;

/**
 * The elementwise binary operations of {@link Backend#binary} and {@link Backend#binaryBackward}, with torch 1.13's
 * float32 formulas. {@code a}, {@code b} are the inputs, {@code y} the output, {@code g} the incoming gradient.
 *
 * <table>
 * <caption>forward and the gradients</caption>
 * <tr><th>op</th><th>y</th><th>gradient of a</th><th>gradient of b</th></tr>
 * <tr><td>ADD</td><td>a + b</td><td>g</td><td>g</td></tr>
 * <tr><td>SUB</td><td>a − b</td><td>g</td><td>−g</td></tr>
 * <tr><td>MUL</td><td>a · b</td><td>g·b</td><td>g·a</td></tr>
 * <tr><td>DIV</td><td>a / b</td><td>g / b</td><td>−g·((a / b) / b)</td></tr>
 * <tr><td>POW</td><td>aᵇ ({@code (float) Math.pow})</td><td>b = 0 ? 0 : g·(b·a^(b−1))</td>
 *     <td>(a = 0 and b ≥ 0) ? 0 : g·(y·ln a)</td></tr>
 * </table>
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW;

    /** The lower-case name, as in messages: {@code add}, {@code pow}. */
    public String label() {
        return label;
    }

    private final String label = name().toLowerCase(java.util.Locale.ROOT);
}

package dev.descent.backend;

/**
 * The reductions of {@link Backend#reduce} and {@link Backend#reduceBackward}: over all elements or along one axis of
 * a matrix, chosen by the output's shape.
 *
 * <ul>
 * <li>{@code SUM}: the sum, accumulated in an order fixed by the shape (never by the thread count). Its gradient
 *     broadcasts g back to every element.</li>
 * <li>{@code MEAN}: the sum divided by the element count (torch's {@code sum / n}; NaN over no elements). Its
 *     gradient is g / n at every element.</li>
 * <li>{@code MAX}: the maximum (NaN if any element is NaN). Its gradient goes to one element of each reduced line, the
 *     first that holds the maximum (the first NaN, if any), as torch's {@code max(dim)} routes it through its
 *     indices; the others get 0. Over no elements it is an error.</li>
 * </ul>
 */
public enum ReduceOp {
    SUM, MEAN, MAX;

    /** The lower-case name, as in messages: {@code sum}. */
    public String label() {
        return label;
    }

    private final String label = name().toLowerCase(java.util.Locale.ROOT);
}

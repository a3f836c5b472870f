package dev.descent.autodiff;

/** A recorded objective evaluated on the host ({@link ScalarProgram}, {@link HostProgram}). */
interface HostEvaluator {
    /** The value at {@code point}. */
    double value(float[] point);

    /** The value at {@code point}, and its gradient into {@code gradient}. */
    double valueAndGradient(float[] point, float[] gradient);
}

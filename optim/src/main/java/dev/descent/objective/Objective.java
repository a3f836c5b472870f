package dev.descent.objective;

import java.util.Objects;

/**
 * A differentiable function of a parameter vector whose value and gradient the user supplies on the host.
 *
 * <p>Both methods take the point as a float32 vector of length {@link #dimension()} and must not keep a reference to
 * the arrays they are given (the minimizer reuses them on every step). Implementations should compute in float32
 * arithmetic where they want to reproduce a float32 PyTorch trajectory, and must not allocate if they are to be used
 * in an allocation-free loop. Non-finite values are legal results: a diverging run reports them, never hides them.
 *
 * <pre>{@code
 * Objective bowl = Objective.of(2,
 *         w -> w[0] * w[0] + 4f * w[1] * w[1],
 *         (w, g) -> { g[0] = 2f * w[0]; g[1] = 8f * w[1]; });
 * }</pre>
 */
public interface Objective {

    /** The length of the parameter vector. */
    int dimension();

    /** The function's value at {@code w}. */
    double value(float[] w);

    /** Writes the gradient at {@code w} into {@code g} (both of length {@link #dimension()}). */
    void gradient(float[] w, float[] g);

    /** The value and, in {@code g}, the gradient at {@code w}; override when both share work. */
    default double valueAndGradient(float[] w, float[] g) {
        gradient(w, g);
        return value(w);
    }

    /** A short description, e.g. {@code rosenbrock n=2 c=10}. */
    default String describe() {
        return getClass().getSimpleName() + " n=" + dimension();
    }

    /** The value part of {@link #of}. */
    @FunctionalInterface
    interface ValueFunction {
        double value(float[] w);
    }

    /** The gradient part of {@link #of}. */
    @FunctionalInterface
    interface GradientFunction {
        void gradient(float[] w, float[] g);
    }

    /** An objective from two functions. */
    static Objective of(int dimension, ValueFunction value, GradientFunction gradient) {
        if (dimension < 1) {
            throw new IllegalArgumentException("objective dimension must be >= 1, got " + dimension);
        }
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(gradient, "gradient");
        return new Objective() {
            @Override
            public int dimension() {
                return dimension;
            }

            @Override
            public double value(float[] w) {
                return value.value(w);
            }

            @Override
            public void gradient(float[] w, float[] g) {
                gradient.gradient(w, g);
            }

            @Override
            public String describe() {
                return "objective n=" + dimension;
            }
        };
    }
}

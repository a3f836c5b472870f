package dev.descent.model;

import dev.descent.backend.Backend;
import dev.descent.loss.Loss;

/**
 * Linear regression: predictions {@code X·W + b} with W [inputs, outputs], trained with mean squared error (default)
 * or mean absolute error against float targets [rows, outputs]. Starts at zero unless the spec says otherwise.
 *
 * <pre>{@code
 * Model m = new LinearRegression(backend, 3, 1, Loss.MSE);
 * }</pre>
 */
public final class LinearRegression extends FeedForwardModel {

    /** Builds from a {@code linear} spec. */
    public LinearRegression(Backend backend, ModelSpec spec) {
        super(backend, spec, "linear");
    }

    /** A model with bias, zero initial weights and the given loss (mse or mae). */
    public LinearRegression(Backend backend, int inputs, int outputs, Loss loss) {
        this(backend, ModelSpec.builder("linear").inputs(inputs).outputs(outputs).loss(loss).build());
    }
}

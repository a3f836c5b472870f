package dev.descent.model;

import dev.descent.backend.Backend;

/**
 * Binary logistic regression: one logit {@code X·w + b} per row, trained with binary cross-entropy from logits. Batches
 * may carry int32 labels in {0, 1} (gathered into float targets on the backend; another label is an error) or float
 * targets [rows, 1] in [0, 1]. Predicts class 1 where the logit is positive (probability above one half).
 */
public final class LogisticRegression extends FeedForwardModel {

    /** Builds from a {@code logistic} spec. */
    public LogisticRegression(Backend backend, ModelSpec spec) {
        super(backend, spec, "logistic");
    }

    /** A model with bias and zero initial weights. */
    public LogisticRegression(Backend backend, int inputs) {
        this(backend, ModelSpec.builder("logistic").inputs(inputs).build());
    }
}

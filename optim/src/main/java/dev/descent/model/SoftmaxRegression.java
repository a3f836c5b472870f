package dev.descent.model;

import dev.descent.backend.Backend;

/**
 * Softmax (multinomial logistic) regression as in the lecture: weights W [inputs, classes] starting at zero,
 * logits {@code X·W} (plus a bias when the spec asks for one), trained with softmax cross-entropy on int32 labels.
 * Predictions are the argmax of the logits.
 *
 * <pre>{@code
 * Model lecture = new SoftmaxRegression(backend, 784, 24);        // no bias, W = 0
 * }</pre>
 */
public final class SoftmaxRegression extends FeedForwardModel {

    /** Builds from a {@code softmax} spec. */
    public SoftmaxRegression(Backend backend, ModelSpec spec) {
        super(backend, spec, "softmax");
    }

    /** The lecture's model: no bias, zero weights. */
    public SoftmaxRegression(Backend backend, int inputs, int classes) {
        this(backend, ModelSpec.builder("softmax").inputs(inputs).classes(classes).build());
    }
}

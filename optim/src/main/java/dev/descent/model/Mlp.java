package dev.descent.model;

import dev.descent.backend.Backend;

/**
 * A multilayer perceptron for classification: dense layers with ReLU between them (sizes such as 784-256-128-k),
 * biases, softmax cross-entropy on the last layer's logits. Starts from torch's {@code nn.Linear} initialisation
 * (U(−1/√fan_in, 1/√fan_in) for weights and biases, see {@link Init#TORCH}) drawn from the spec's seed, so the same
 * seed gives the same initial weights on every backend and thread count.
 *
 * <pre>{@code
 * Model mlp = new Mlp(backend, 784, new int[] {256, 128}, 10, 42L);
 * }</pre>
 */
public final class Mlp extends FeedForwardModel {

    /** Builds from an {@code mlp} spec. */
    public Mlp(Backend backend, ModelSpec spec) {
        super(backend, spec, "mlp");
    }

    /** An MLP with biases and torch's initialisation from {@code seed}. */
    public Mlp(Backend backend, int inputs, int[] hidden, int classes, long seed) {
        this(backend, ModelSpec.builder("mlp").inputs(inputs).hidden(hidden).classes(classes).seed(seed).build());
    }
}

package dev.descent.optim;

import java.util.Map;

/**
 * The hyper-parameters of one optimizer, with torch's defaults and torch's validation. Each implementation is an
 * immutable record whose canonical constructor rejects invalid settings with an {@link IllegalArgumentException} naming
 * the setting (by its torch name, e.g. {@code weight_decay}) and the rule it breaks.
 *
 * <p>Settings can also be given as text through {@link Optimizers#parseOptions(String, Map)} (for command lines and
 * configuration files).
 */
public sealed interface OptimizerOptions
        permits SgdOptions, EmaMomentumOptions, AdamOptions, RmspropOptions, AdagradOptions, NadamOptions,
        RadamOptions, AdamaxOptions, AdadeltaOptions, LbfgsOptions {

    /** The learning rate (γ, or α for the textbook momentum); parameter groups may override it. */
    double lr();

    /** The weight decay λ; parameter groups may override it. */
    double weightDecay();

    /** Whether the objective is maximised (the gradient is negated first). */
    boolean maximize();

    /** This options record with another learning rate. */
    OptimizerOptions withLr(double lr);

    /**
     * Every setting by its torch name, in a fixed order; booleans are 1 or 0. Recorded in saved optimizer state and
     * compared on restore.
     */
    Map<String, Double> settings();
}

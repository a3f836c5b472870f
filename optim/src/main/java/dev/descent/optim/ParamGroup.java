package dev.descent.optim;

import java.util.List;

/**
 * A group of parameters sharing a learning rate and a weight decay (torch's {@code param_groups}). A setting left
 * {@code null} takes the optimizer's value from its {@link OptimizerOptions}. Schedules scale each group's own base
 * learning rate.
 *
 * <pre>{@code
 * List<ParamGroup> groups = List.of(
 *         ParamGroup.of(weights).withWeightDecay(5e-4),
 *         ParamGroup.of(biases).withLr(0.2));
 * }</pre>
 *
 * @param parameters  the group's parameters (at least one)
 * @param lr          the group's base learning rate, or null for the optimizer's
 * @param weightDecay the group's weight decay, or null for the optimizer's
 */
public record ParamGroup(List<Parameter> parameters, Double lr, Double weightDecay) {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public ParamGroup {
        parameters = List.copyOf(parameters);
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("a parameter group needs at least one parameter");
        }
        if (lr != null) {
            Checks.nonNegative("parameter group", "lr", lr);
        }
        if (weightDecay != null) {
            Checks.nonNegative("parameter group", "weight_decay", weightDecay);
        }
    }

    /** A group with the optimizer's learning rate and weight decay. */
    public static ParamGroup of(List<Parameter> parameters) {
        return new ParamGroup(parameters, null, null);
    }

    /** A group with the optimizer's learning rate and weight decay. */
    public static ParamGroup of(Parameter... parameters) {
        return new ParamGroup(List.of(parameters), null, null);
    }

    /** This group with its own learning rate. */
    public ParamGroup withLr(double lr) {
        return new ParamGroup(parameters, lr, weightDecay);
    }

    /** This group with its own weight decay. */
    public ParamGroup withWeightDecay(double weightDecay) {
        return new ParamGroup(parameters, lr, weightDecay);
    }
}

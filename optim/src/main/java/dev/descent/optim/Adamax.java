package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.Adamax (name {@code adamax}, torch 1.13) with weight decay and maximize: one
 * {@link dev.descent.backend.Backend#adamaxUpdate} per parameter tensor and step. State: {@code exp_avg},
 * {@code exp_inf}, allocated at construction. See {@link AdamaxOptions} for the update.
 */
public final class Adamax extends BaseOptimizer {
    private final AdamaxOptions o;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Adamax(AdamaxOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("adamax", options, groups, schedule, clipping, new String[] {"exp_avg", "exp_inf"});
        this.o = options;
    }

    /** The settings. */
    public AdamaxOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        backend.adamaxUpdate(p.value(), p.grad(), state[i][0], state[i][1], lr, o.beta1(), o.beta2(), o.eps(),
                weightDecay, o.maximize(), step);
    }
}

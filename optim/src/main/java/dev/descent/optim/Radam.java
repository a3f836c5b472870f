package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.RAdam (name {@code radam}, torch 1.13) with weight decay and maximize: one
 * {@link dev.descent.backend.Backend#radamUpdate} per parameter tensor and step. State: {@code exp_avg},
 * {@code exp_avg_sq}, allocated at construction. See {@link RadamOptions} for the update.
 */
public final class Radam extends BaseOptimizer {
    private final RadamOptions o;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Radam(RadamOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("radam", options, groups, schedule, clipping, new String[] {"exp_avg", "exp_avg_sq"});
        this.o = options;
    }

    /** The settings. */
    public RadamOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        backend.radamUpdate(p.value(), p.grad(), state[i][0], state[i][1], lr, o.beta1(), o.beta2(), o.eps(),
                weightDecay, o.maximize(), step);
    }
}

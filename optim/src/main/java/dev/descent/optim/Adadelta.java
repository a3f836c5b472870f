package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.Adadelta (name {@code adadelta}, torch 1.13) with weight decay and maximize: one
 * {@link dev.descent.backend.Backend#adadeltaUpdate} per parameter tensor and step. State: {@code square_avg},
 * {@code acc_delta}, allocated at construction. See {@link AdadeltaOptions} for the update.
 */
public final class Adadelta extends BaseOptimizer {
    private final AdadeltaOptions o;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Adadelta(AdadeltaOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("adadelta", options, groups, schedule, clipping, new String[] {"square_avg", "acc_delta"});
        this.o = options;
    }

    /** The settings. */
    public AdadeltaOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        backend.adadeltaUpdate(p.value(), p.grad(), state[i][0], state[i][1], lr, o.rho(), o.eps(), weightDecay,
                o.maximize());
    }
}

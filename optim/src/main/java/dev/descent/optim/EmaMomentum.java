package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * The lecture's textbook momentum, v ← βv + (1 − β)g, θ ← θ − αv with v₀ = 0 (name {@code ema-momentum}), run as
 * {@link dev.descent.backend.Backend#sgdUpdate} with dampening = momentum = β and no first-step copy. See
 * {@link EmaMomentumOptions} for its exact relation to torch.optim.SGD.
 */
public final class EmaMomentum extends BaseOptimizer {
    private final EmaMomentumOptions o;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public EmaMomentum(EmaMomentumOptions options, List<ParamGroup> groups, Schedule schedule,
            GradientClipping clipping) {
        super("ema-momentum", options, groups, schedule, clipping, new String[] {"velocity"});
        this.o = options;
    }

    /** The settings. */
    public EmaMomentumOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        backend.sgdUpdate(p.value(), p.grad(), state[i][0], lr, o.beta(), o.beta(), false, weightDecay, o.maximize(),
                false);
    }
}

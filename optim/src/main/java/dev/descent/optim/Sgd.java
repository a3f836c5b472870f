package dev.descent.optim;

import dev.descent.backend.Tensor;
import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.SGD with momentum, dampening, Nesterov, weight decay and maximize: one
 * {@link dev.descent.backend.Backend#sgdUpdate} per parameter tensor and step. The momentum buffer (only when
 * momentum ≠ 0) is allocated at construction; as in torch, the first step copies the gradient into it (dampening is
 * not applied), see {@link SgdOptions}. Created by {@link Optimizers} under the names {@code sgd} and {@code momentum}
 * (momentum 0.9 by default); its {@link #name()} is {@code sgd} in both cases.
 */
public final class Sgd extends BaseOptimizer {
    private final SgdOptions o;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Sgd(SgdOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("sgd", options, groups, schedule, clipping,
                options.momentum() != 0 ? new String[] {"momentum_buffer"} : new String[0]);
        this.o = options;
    }

    /** The settings. */
    public SgdOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        Tensor buf = stateNames.length > 0 ? state[i][0] : null;
        backend.sgdUpdate(p.value(), p.grad(), buf, lr, o.momentum(), o.dampening(), o.nesterov(), weightDecay,
                o.maximize(), step == 1);
    }
}

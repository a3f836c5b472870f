package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.Adam (name {@code adam}: coupled L2 weight decay) and torch.optim.AdamW (name {@code adamw}: decoupled
 * weight decay θ ← θ(1 − γλ)), with amsgrad and maximize: one {@link dev.descent.backend.Backend#adamUpdate} per
 * parameter tensor and step. State: {@code exp_avg}, {@code exp_avg_sq} and with amsgrad {@code max_exp_avg_sq},
 * allocated at construction. See {@link AdamOptions} for the update.
 */
public final class Adam extends BaseOptimizer {
    private final AdamOptions o;
    private final boolean decoupled;

    /**
     * @param options   the settings (use {@link AdamOptions#adamwDefaults()} for AdamW's defaults)
     * @param decoupled true for AdamW
     * @param groups    parameter groups (per-group lr and weight decay)
     * @param schedule  the learning-rate schedule, or null for constant
     * @param clipping  gradient clipping, or null for none
     */
    public Adam(AdamOptions options, boolean decoupled, List<ParamGroup> groups, Schedule schedule,
            GradientClipping clipping) {
        super(decoupled ? "adamw" : "adam", options, groups, schedule, clipping, options.amsgrad()
                ? new String[] {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
                : new String[] {"exp_avg", "exp_avg_sq"});
        this.o = options;
        this.decoupled = decoupled;
    }

    /** The settings. */
    public AdamOptions options() {
        return o;
    }

    /** Whether this is AdamW. */
    public boolean decoupled() {
        return decoupled;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        backend.adamUpdate(p.value(), p.grad(), state[i][0], state[i][1], o.amsgrad() ? state[i][2] : null, lr,
                o.beta1(), o.beta2(), o.eps(), weightDecay, decoupled, o.maximize(), step);
    }
}

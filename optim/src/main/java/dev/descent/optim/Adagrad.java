package dev.descent.optim;

import dev.descent.backend.Tensor;
import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.Adagrad (name {@code adagrad}) with lr decay, initial accumulator value, weight decay and maximize: one
 * {@link dev.descent.backend.Backend#adagradUpdate} per parameter tensor and step, with the decayed rate
 * γ̃ = γ / (1 + (t − 1)η) computed here in double as torch does. State: {@code sum}, filled with the initial
 * accumulator value at construction. See {@link AdagradOptions}.
 */
public final class Adagrad extends BaseOptimizer {
    private final AdagradOptions o;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Adagrad(AdagradOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("adagrad", options, groups, schedule, clipping, new String[] {"sum"});
        this.o = options;
        if (options.initialAccumulatorValue() != 0) {
            for (Tensor[] s : state) {
                backend.fill(s[0], (float) options.initialAccumulatorValue());
            }
        }
    }

    /** The settings. */
    public AdagradOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        double clr = lr / (1 + (step - 1) * o.lrDecay());
        backend.adagradUpdate(p.value(), p.grad(), state[i][0], clr, o.eps(), weightDecay, o.maximize());
    }
}

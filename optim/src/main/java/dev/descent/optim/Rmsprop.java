package dev.descent.optim;

import dev.descent.backend.Tensor;
import dev.descent.optim.schedule.Schedule;
import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.RMSprop (name {@code rmsprop}) with momentum, centered, weight decay and maximize: one
 * {@link dev.descent.backend.Backend#rmspropUpdate} per parameter tensor and step. State: {@code square_avg}, with
 * momentum &gt; 0 {@code momentum_buffer}, when centered {@code grad_avg}; allocated at construction. See
 * {@link RmspropOptions} for the update.
 */
public final class Rmsprop extends BaseOptimizer {
    private final RmspropOptions o;
    private final int momentumIndex;
    private final int gradAvgIndex;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Rmsprop(RmspropOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("rmsprop", options, groups, schedule, clipping, names(options));
        this.o = options;
        List<String> names = List.of(names(options));
        this.momentumIndex = names.indexOf("momentum_buffer");
        this.gradAvgIndex = names.indexOf("grad_avg");
    }

    private static String[] names(RmspropOptions o) {
        List<String> n = new ArrayList<>();
        n.add("square_avg");
        if (o.momentum() > 0) {
            n.add("momentum_buffer");
        }
        if (o.centered()) {
            n.add("grad_avg");
        }
        return n.toArray(new String[0]);
    }

    /** The settings. */
    public RmspropOptions options() {
        return o;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        Parameter p = params[i];
        Tensor[] s = state[i];
        backend.rmspropUpdate(p.value(), p.grad(), s[0], gradAvgIndex >= 0 ? s[gradAvgIndex] : null,
                momentumIndex >= 0 ? s[momentumIndex] : null, lr, o.alpha(), o.eps(), weightDecay, o.momentum(),
                o.maximize());
    }
}

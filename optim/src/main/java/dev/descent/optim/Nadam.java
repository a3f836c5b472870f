package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.List;

/**
 * torch.optim.NAdam (name {@code nadam}, torch 1.13) with weight decay and maximize: one
 * {@link dev.descent.backend.Backend#nadamUpdate} per parameter tensor and step. State tensors: {@code exp_avg},
 * {@code exp_avg_sq}, allocated at construction. See {@link NadamOptions} for the update.
 *
 * <p><b>The momentum product.</b> Torch keeps per parameter a float32 scalar {@code mu_product}, Π_t = μ_1·…·μ_t
 * rounded to float after each multiplication. It depends on the step count, β1 and momentum_decay only, and every
 * parameter here steps together, so one value serves all of them and it is not stored: this class keeps it on the
 * host for the current step and computes it again from the step count when the count jumps (after
 * {@link #loadState}), with the same float operations, so a restored run continues bit-identically. The host
 * scalars are derived in double as torch's Python code does, once per step; the step sizes reach the backend as
 * {@code gradStepSize} = γ(1 − μ_t)/(1 − Π_t) and {@code momentumStepSize} = γ·μ_{t+1}/(1 − Π'_t).
 */
public final class Nadam extends BaseOptimizer {
    private final NadamOptions o;
    /** The step the cached scalars below belong to (0: none yet). */
    private long cachedStep;
    /** Π_t as torch's float32 tensor holds it (1 before the first step). */
    private float muProduct = 1f;
    private double mu;
    private double muNext;
    /** Π'_t = Π_t·μ_t·μ_{t+1} in float32 (torch 1.13's {@code mu_product_next}). */
    private float muProductNext;

    /**
     * @param options  the settings
     * @param groups   parameter groups (per-group lr and weight decay)
     * @param schedule the learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     */
    public Nadam(NadamOptions options, List<ParamGroup> groups, Schedule schedule, GradientClipping clipping) {
        super("nadam", options, groups, schedule, clipping, new String[] {"exp_avg", "exp_avg_sq"});
        this.o = options;
    }

    /** The settings. */
    public NadamOptions options() {
        return o;
    }

    /** μ_t of torch 1.13: β1 (1 − ½·0.96^(tψ)), in double (Python floats). */
    private double mu(long t) {
        return o.beta1() * (1. - 0.5 * Math.pow(0.96, (double) t * o.momentumDecay()));
    }

    /** Brings the cached scalars to step {@code t}: one multiplication after the previous step, else from the start. */
    private void advanceTo(long t) {
        if (t == cachedStep) {
            return;
        }
        float product;
        if (t == cachedStep + 1) {
            product = muProduct;
        } else {
            // After a restore: Π_{t−1} again, multiplication by multiplication. Once it underflows to 0 it stays 0.
            product = 1f;
            for (long s = 1; s < t && product != 0f; s++) {
                product = product * (float) mu(s);
            }
        }
        double m = mu(t);
        double mNext = mu(t + 1);
        // torch: mu_product *= mu; mu_product_next = mu_product * mu * mu_next (float32 tensor times Python floats)
        product = product * (float) m;
        muProduct = product;
        muProductNext = product * (float) m * (float) mNext;
        mu = m;
        muNext = mNext;
        cachedStep = t;
    }

    /** Π_t after the last step taken (1 before the first), as torch's {@code mu_product} state holds it. */
    public float muProduct() {
        if (steps == 0) {
            return 1f;
        }
        advanceTo(steps);
        return muProduct;
    }

    @Override
    void update(int i, double lr, double weightDecay, long step) {
        advanceTo(step);
        Parameter p = params[i];
        // torch: value=-lr * (1. - mu) / (1. - mu_product.item()) and -lr * mu_next / (1. - mu_product_next.item());
        // the sign moves into the backend (negation is exact).
        double gradStepSize = lr * (1. - mu) / (1. - (double) muProduct);
        double momentumStepSize = lr * muNext / (1. - (double) muProductNext);
        backend.nadamUpdate(p.value(), p.grad(), state[i][0], state[i][1], gradStepSize, momentumStepSize, o.beta1(),
                o.beta2(), o.eps(), weightDecay, o.maximize(), step);
    }
}

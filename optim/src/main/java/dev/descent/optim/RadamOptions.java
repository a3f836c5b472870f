package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Radam}, torch.optim.RAdam (torch 1.13): {@code lr} γ, {@code betas} (β1, β2), {@code eps} ε,
 * {@code weight_decay} λ, {@code maximize}. One step at step count t (from 1):
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   m̂ ← m / (1 − β1^t)
 *   ρ∞ ← 2/(1 − β2) − 1;   ρ_t ← ρ∞ − 2t·β2^t / (1 − β2^t)
 *   ρ_t &gt; 5:  r ← √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t));  θ ← θ − γ·m̂·√(1 − β2^t)/(√v + ε)·r
 *   otherwise: θ ← θ − γ·m̂   (the un-adapted step while the variance estimate is unreliable)
 * </pre>
 * Torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0. Torch 1.13's RAdam has no
 * {@code maximize}; here it negates the gradient first, as later torch versions do (off by default).
 *
 * <p>Rules (as torch): lr, eps and weight_decay are {@code >= 0}; each beta is in [0, 1).
 *
 * @param lr          learning rate γ
 * @param beta1       decay of the first moment, in [0, 1)
 * @param beta2       decay of the second moment, in [0, 1)
 * @param eps         ε added to the root
 * @param weightDecay L2 penalty λ added to the gradient
 * @param maximize    maximise the objective
 */
public record RadamOptions(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
        implements OptimizerOptions {

    private static final String NAME = "radam";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public RadamOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "eps", eps);
        Checks.unitInterval(NAME, "betas[0] (beta1)", beta1);
        Checks.unitInterval(NAME, "betas[1] (beta2)", beta2);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
    }

    /** torch.optim.RAdam's defaults. */
    public static RadamOptions defaults() {
        return new RadamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false);
    }

    @Override
    public RadamOptions withLr(double lr) {
        return new RadamOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another betas (beta1, beta2) (validated). */
    public RadamOptions withBetas(double beta1, double beta2) {
        return new RadamOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another eps (validated). */
    public RadamOptions withEps(double eps) {
        return new RadamOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public RadamOptions withWeightDecay(double weightDecay) {
        return new RadamOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another maximize. */
    public RadamOptions withMaximize(boolean maximize) {
        return new RadamOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static RadamOptions fromSettings(Map<String, Double> s) {
        return new RadamOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "beta1"), Checks.get(s, NAME, "beta2"),
                Checks.get(s, NAME, "eps"), Checks.get(s, NAME, "weight_decay"),
                Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

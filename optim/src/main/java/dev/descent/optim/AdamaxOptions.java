package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Adamax}, torch.optim.Adamax (torch 1.13): {@code lr} γ, {@code betas} (β1, β2), {@code eps} ε,
 * {@code weight_decay} λ, {@code maximize}. One step at step count t (from 1):
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   m ← β1·m + (1 − β1)·g
 *   u ← max(β2·u, |g| + ε)      (ε inside the maximum, as torch 1.13 adds it; NaN wins)
 *   θ ← θ − (γ / (1 − β1^t)) · m / u
 * </pre>
 * Torch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.
 *
 * <p>Rules (as torch): lr, eps and weight_decay are {@code >= 0}; each beta is in [0, 1).
 *
 * @param lr          learning rate γ
 * @param beta1       decay of the first moment, in [0, 1)
 * @param beta2       decay of the infinity norm, in [0, 1)
 * @param eps         ε added to |g| inside the maximum
 * @param weightDecay L2 penalty λ added to the gradient
 * @param maximize    maximise the objective
 */
public record AdamaxOptions(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize)
        implements OptimizerOptions {

    private static final String NAME = "adamax";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public AdamaxOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "eps", eps);
        Checks.unitInterval(NAME, "betas[0] (beta1)", beta1);
        Checks.unitInterval(NAME, "betas[1] (beta2)", beta2);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
    }

    /** torch.optim.Adamax's defaults. */
    public static AdamaxOptions defaults() {
        return new AdamaxOptions(2e-3, 0.9, 0.999, 1e-8, 0, false);
    }

    @Override
    public AdamaxOptions withLr(double lr) {
        return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another betas (beta1, beta2) (validated). */
    public AdamaxOptions withBetas(double beta1, double beta2) {
        return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another eps (validated). */
    public AdamaxOptions withEps(double eps) {
        return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public AdamaxOptions withWeightDecay(double weightDecay) {
        return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
    }

    /** A copy with another maximize. */
    public AdamaxOptions withMaximize(boolean maximize) {
        return new AdamaxOptions(lr, beta1, beta2, eps, weightDecay, maximize);
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

    static AdamaxOptions fromSettings(Map<String, Double> s) {
        return new AdamaxOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "beta1"),
                Checks.get(s, NAME, "beta2"), Checks.get(s, NAME, "eps"), Checks.get(s, NAME, "weight_decay"),
                Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

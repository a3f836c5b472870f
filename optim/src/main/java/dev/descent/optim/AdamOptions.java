package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Adam} (torch.optim.Adam, and torch.optim.AdamW when the optimizer is created as {@code adamw}):
 * {@code lr} γ, {@code betas} (β1, β2), {@code eps} ε, {@code weight_decay} λ, {@code amsgrad}, {@code maximize}.
 * One step at step count t (from 1):
 * <pre>
 *   g ← −g if maximize
 *   Adam: g ← g + λθ if λ ≠ 0 (coupled L2);   AdamW: θ ← θ(1 − γλ) (decoupled, with the current γ)
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   amsgrad: v̂ ← max(v̂, v) and v̂ replaces v below
 *   θ ← θ − (γ / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)      (ε outside the root, after bias correction)
 * </pre>
 * Torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 for Adam and 0.01 for AdamW.
 *
 * <p>Rules (as torch): lr, eps and weight_decay are {@code >= 0}; each beta is in [0, 1).
 *
 * @param lr          learning rate γ
 * @param beta1       decay of the first moment, in [0, 1)
 * @param beta2       decay of the second moment, in [0, 1)
 * @param eps         ε added to the bias-corrected root
 * @param weightDecay λ (coupled L2 for Adam, decoupled for AdamW)
 * @param amsgrad     use the running maximum of the second moment
 * @param maximize    maximise the objective
 */
public record AdamOptions(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
        boolean maximize) implements OptimizerOptions {

    private static final String NAME = "adam";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public AdamOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "eps", eps);
        Checks.unitInterval(NAME, "betas[0] (beta1)", beta1);
        Checks.unitInterval(NAME, "betas[1] (beta2)", beta2);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
    }

    /** torch.optim.Adam's defaults. */
    public static AdamOptions defaults() {
        return new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }

    /** torch.optim.AdamW's defaults (weight decay 0.01). */
    public static AdamOptions adamwDefaults() {
        return new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0.01, false, false);
    }

    @Override
    public AdamOptions withLr(double lr) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    /** A copy with another betas (beta1, beta2) (validated). */
    public AdamOptions withBetas(double beta1, double beta2) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    /** A copy with another eps (validated). */
    public AdamOptions withEps(double eps) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public AdamOptions withWeightDecay(double weightDecay) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    /** A copy with another amsgrad (validated). */
    public AdamOptions withAmsgrad(boolean amsgrad) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    /** A copy with another maximize (validated). */
    public AdamOptions withMaximize(boolean maximize) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("amsgrad", Checks.flag(amsgrad));
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static AdamOptions fromSettings(Map<String, Double> s) {
        return new AdamOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "beta1"), Checks.get(s, NAME, "beta2"),
                Checks.get(s, NAME, "eps"), Checks.get(s, NAME, "weight_decay"),
                Checks.flag(Checks.get(s, NAME, "amsgrad")), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

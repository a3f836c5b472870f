package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Nadam}, torch.optim.NAdam (torch 1.13): {@code lr} γ, {@code betas} (β1, β2), {@code eps} ε,
 * {@code weight_decay} λ, {@code momentum_decay} ψ, {@code maximize}. One step at step count t (from 1):
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   μ_t ← β1 (1 − ½·0.96^(tψ));   μ_{t+1} ← β1 (1 − ½·0.96^((t+1)ψ))
 *   Π ← Π·μ_t   (the running product, starting at 1; float32 as torch keeps it)
 *   Π' ← Π·μ_t·μ_{t+1}   (torch 1.13 multiplies μ_t in twice here; later versions do not)
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   d ← √(v / (1 − β2^t)) + ε
 *   θ ← θ − γ(1 − μ_t)/(1 − Π) · g/d;   θ ← θ − γ·μ_{t+1}/(1 − Π') · m/d
 * </pre>
 * Torch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, momentum_decay 4e-3. Torch 1.13's NAdam
 * has no {@code maximize}; here it negates the gradient first, as later torch versions do (off by default).
 *
 * <p>Rules (as torch): lr, eps, weight_decay and momentum_decay are {@code >= 0}; each beta is in [0, 1).
 *
 * @param lr            learning rate γ
 * @param beta1         decay of the first moment, in [0, 1)
 * @param beta2         decay of the second moment, in [0, 1)
 * @param eps           ε added to the bias-corrected root
 * @param weightDecay   L2 penalty λ added to the gradient
 * @param momentumDecay ψ, the decay of the momentum schedule μ_t
 * @param maximize      maximise the objective
 */
public record NadamOptions(double lr, double beta1, double beta2, double eps, double weightDecay,
        double momentumDecay, boolean maximize) implements OptimizerOptions {

    private static final String NAME = "nadam";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public NadamOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "eps", eps);
        Checks.unitInterval(NAME, "betas[0] (beta1)", beta1);
        Checks.unitInterval(NAME, "betas[1] (beta2)", beta2);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
        Checks.nonNegative(NAME, "momentum_decay", momentumDecay);
    }

    /** torch.optim.NAdam's defaults. */
    public static NadamOptions defaults() {
        return new NadamOptions(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3, false);
    }

    @Override
    public NadamOptions withLr(double lr) {
        return new NadamOptions(lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize);
    }

    /** A copy with another betas (beta1, beta2) (validated). */
    public NadamOptions withBetas(double beta1, double beta2) {
        return new NadamOptions(lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize);
    }

    /** A copy with another eps (validated). */
    public NadamOptions withEps(double eps) {
        return new NadamOptions(lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public NadamOptions withWeightDecay(double weightDecay) {
        return new NadamOptions(lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize);
    }

    /** A copy with another momentum_decay (validated). */
    public NadamOptions withMomentumDecay(double momentumDecay) {
        return new NadamOptions(lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize);
    }

    /** A copy with another maximize. */
    public NadamOptions withMaximize(boolean maximize) {
        return new NadamOptions(lr, beta1, beta2, eps, weightDecay, momentumDecay, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("momentum_decay", momentumDecay);
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static NadamOptions fromSettings(Map<String, Double> s) {
        return new NadamOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "beta1"), Checks.get(s, NAME, "beta2"),
                Checks.get(s, NAME, "eps"), Checks.get(s, NAME, "weight_decay"),
                Checks.get(s, NAME, "momentum_decay"), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Adadelta}, torch.optim.Adadelta (torch 1.13): {@code lr} γ, {@code rho} ρ, {@code eps} ε,
 * {@code weight_decay} λ, {@code maximize}. One step:
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   v ← ρ·v + (1 − ρ)·g²
 *   Δ ← √(u + ε) / √(v + ε) · g
 *   u ← ρ·u + (1 − ρ)·Δ²
 *   θ ← θ − γ·Δ
 * </pre>
 * Torch's defaults: lr 1.0, rho 0.9, eps 1e-6, weight decay 0.
 *
 * <p>Rules (as torch): lr, eps and weight_decay are {@code >= 0}; rho is in [0, 1].
 *
 * @param lr          learning rate γ (scales the step Δ)
 * @param rho         decay ρ of both running averages, in [0, 1]
 * @param eps         ε added inside both roots
 * @param weightDecay L2 penalty λ added to the gradient
 * @param maximize    maximise the objective
 */
public record AdadeltaOptions(double lr, double rho, double eps, double weightDecay, boolean maximize)
        implements OptimizerOptions {

    private static final String NAME = "adadelta";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public AdadeltaOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.closedUnitInterval(NAME, "rho", rho);
        Checks.nonNegative(NAME, "eps", eps);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
    }

    /** torch.optim.Adadelta's defaults. */
    public static AdadeltaOptions defaults() {
        return new AdadeltaOptions(1.0, 0.9, 1e-6, 0, false);
    }

    @Override
    public AdadeltaOptions withLr(double lr) {
        return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
    }

    /** A copy with another rho (validated). */
    public AdadeltaOptions withRho(double rho) {
        return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
    }

    /** A copy with another eps (validated). */
    public AdadeltaOptions withEps(double eps) {
        return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public AdadeltaOptions withWeightDecay(double weightDecay) {
        return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
    }

    /** A copy with another maximize. */
    public AdadeltaOptions withMaximize(boolean maximize) {
        return new AdadeltaOptions(lr, rho, eps, weightDecay, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("rho", rho);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static AdadeltaOptions fromSettings(Map<String, Double> s) {
        return new AdadeltaOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "rho"), Checks.get(s, NAME, "eps"),
                Checks.get(s, NAME, "weight_decay"), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

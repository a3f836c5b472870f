package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link EmaMomentum}, the lecture's textbook momentum (an exponential moving average of gradients):
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   v ← βv + (1 − β)g     (v₀ = 0, on every step including the first)
 *   θ ← θ − αv
 * </pre>
 * This is <em>not</em> what {@code torch.optim.SGD(lr=α, momentum=β)} computes (that is b ← βb + g without the
 * (1 − β) factor, see {@link SgdOptions}). Exact relations, in real arithmetic:
 * <ul>
 *   <li>textbook (α, β) = torch SGD with lr = α(1 − β), momentum = β, dampening = 0 (then v = (1 − β)b at every step);
 *   <li>torch SGD with lr = α, momentum = β, dampening = β is the textbook recurrence except on the first step, where
 *       torch copies the gradient (b₁ = g₁) while the textbook gives v₁ = (1 − β)g₁.
 * </ul>
 * Defaults: lr 1e-3 (as SGD), beta 0.9, weight decay 0.
 *
 * @param lr          step size α
 * @param beta        averaging factor β in [0, 1)
 * @param weightDecay L2 penalty λ added to the gradient
 * @param maximize    maximise the objective
 */
public record EmaMomentumOptions(double lr, double beta, double weightDecay, boolean maximize)
        implements OptimizerOptions {

    private static final String NAME = "ema-momentum";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public EmaMomentumOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.unitInterval(NAME, "beta", beta);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
    }

    /** lr 1e-3, beta 0.9. */
    public static EmaMomentumOptions defaults() {
        return new EmaMomentumOptions(1e-3, 0.9, 0, false);
    }

    @Override
    public EmaMomentumOptions withLr(double lr) {
        return new EmaMomentumOptions(lr, beta, weightDecay, maximize);
    }

    /** A copy with another beta (validated). */
    public EmaMomentumOptions withBeta(double beta) {
        return new EmaMomentumOptions(lr, beta, weightDecay, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public EmaMomentumOptions withWeightDecay(double weightDecay) {
        return new EmaMomentumOptions(lr, beta, weightDecay, maximize);
    }

    /** A copy with another maximize (validated). */
    public EmaMomentumOptions withMaximize(boolean maximize) {
        return new EmaMomentumOptions(lr, beta, weightDecay, maximize);
    }

    /** The torch SGD settings that give the same iterates in real arithmetic: lr α(1−β), momentum β, dampening 0. */
    public SgdOptions torchEquivalent() {
        return new SgdOptions(lr * (1 - beta), beta, 0, false, weightDecay, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("beta", beta);
        m.put("weight_decay", weightDecay);
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static EmaMomentumOptions fromSettings(Map<String, Double> s) {
        return new EmaMomentumOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "beta"),
                Checks.get(s, NAME, "weight_decay"), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Rmsprop}, torch.optim.RMSprop: {@code lr} γ, {@code alpha} α, {@code eps} ε,
 * {@code weight_decay} λ, {@code momentum} μ, {@code centered}, {@code maximize}. One step:
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   v ← αv + (1 − α)g²
 *   centered: ḡ ← αḡ + (1 − α)g, d ← √(v − ḡ²) + ε;   otherwise d ← √v + ε
 *   μ &gt; 0: b ← μb + g/d, θ ← θ − γb;   otherwise θ ← θ − γg/d
 * </pre>
 * Torch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, not centered.
 *
 * <p>Rules (as torch): lr, eps, momentum, weight_decay and alpha are {@code >= 0}.
 *
 * @param lr          learning rate γ
 * @param alpha       smoothing constant α of the squared-gradient average
 * @param eps         ε added to the root
 * @param weightDecay L2 penalty λ added to the gradient
 * @param momentum    momentum μ (0: no buffer)
 * @param centered    normalise by the estimated variance instead of the second moment
 * @param maximize    maximise the objective
 */
public record RmspropOptions(double lr, double alpha, double eps, double weightDecay, double momentum,
        boolean centered, boolean maximize) implements OptimizerOptions {

    private static final String NAME = "rmsprop";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public RmspropOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "eps", eps);
        Checks.nonNegative(NAME, "momentum", momentum);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
        Checks.nonNegative(NAME, "alpha", alpha);
    }

    /** torch.optim.RMSprop's defaults. */
    public static RmspropOptions defaults() {
        return new RmspropOptions(1e-2, 0.99, 1e-8, 0, 0, false, false);
    }

    @Override
    public RmspropOptions withLr(double lr) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    /** A copy with another alpha (validated). */
    public RmspropOptions withAlpha(double alpha) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    /** A copy with another eps (validated). */
    public RmspropOptions withEps(double eps) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public RmspropOptions withWeightDecay(double weightDecay) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    /** A copy with another momentum (validated). */
    public RmspropOptions withMomentum(double momentum) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    /** A copy with another centered (validated). */
    public RmspropOptions withCentered(boolean centered) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    /** A copy with another maximize (validated). */
    public RmspropOptions withMaximize(boolean maximize) {
        return new RmspropOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("alpha", alpha);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("momentum", momentum);
        m.put("centered", Checks.flag(centered));
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static RmspropOptions fromSettings(Map<String, Double> s) {
        return new RmspropOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "alpha"), Checks.get(s, NAME, "eps"),
                Checks.get(s, NAME, "weight_decay"), Checks.get(s, NAME, "momentum"),
                Checks.flag(Checks.get(s, NAME, "centered")), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

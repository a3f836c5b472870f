package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Adagrad}, torch.optim.Adagrad: {@code lr} γ, {@code lr_decay} η, {@code weight_decay} λ,
 * {@code initial_accumulator_value} s₀, {@code eps} ε, {@code maximize}. One step at step count t (from 1):
 * <pre>
 *   γ̃ ← γ / (1 + (t − 1)η)
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   S ← S + g²   (S starts at s₀)
 *   θ ← θ − γ̃ · g / (√S + ε)
 * </pre>
 * Torch's defaults: lr 1e-2, lr_decay 0, weight decay 0, initial accumulator 0, eps 1e-10.
 *
 * <p>Rules (as torch): every setting is {@code >= 0}.
 *
 * @param lr                      learning rate γ
 * @param lrDecay                 learning-rate decay η
 * @param weightDecay             L2 penalty λ added to the gradient
 * @param initialAccumulatorValue s₀, the starting value of the sum of squares
 * @param eps                     ε added to the root
 * @param maximize                maximise the objective
 */
public record AdagradOptions(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
        double eps, boolean maximize) implements OptimizerOptions {

    private static final String NAME = "adagrad";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public AdagradOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "lr_decay", lrDecay);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
        Checks.nonNegative(NAME, "initial_accumulator_value", initialAccumulatorValue);
        Checks.nonNegative(NAME, "eps", eps);
    }

    /** torch.optim.Adagrad's defaults. */
    public static AdagradOptions defaults() {
        return new AdagradOptions(1e-2, 0, 0, 0, 1e-10, false);
    }

    @Override
    public AdagradOptions withLr(double lr) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }

    /** A copy with another lr_decay (validated). */
    public AdagradOptions withLrDecay(double lrDecay) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public AdagradOptions withWeightDecay(double weightDecay) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }

    /** A copy with another initial_accumulator_value (validated). */
    public AdagradOptions withInitialAccumulatorValue(double initialAccumulatorValue) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }

    /** A copy with another eps (validated). */
    public AdagradOptions withEps(double eps) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }

    /** A copy with another maximize (validated). */
    public AdagradOptions withMaximize(boolean maximize) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("lr_decay", lrDecay);
        m.put("weight_decay", weightDecay);
        m.put("initial_accumulator_value", initialAccumulatorValue);
        m.put("eps", eps);
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    static AdagradOptions fromSettings(Map<String, Double> s) {
        return new AdagradOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "lr_decay"),
                Checks.get(s, NAME, "weight_decay"), Checks.get(s, NAME, "initial_accumulator_value"),
                Checks.get(s, NAME, "eps"), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

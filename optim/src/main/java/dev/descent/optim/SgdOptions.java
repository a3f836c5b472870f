package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of {@link Sgd}, torch.optim.SGD: {@code lr} γ, {@code momentum} μ, {@code dampening} τ, {@code nesterov},
 * {@code weight_decay} λ, {@code maximize}. One step on a parameter θ with gradient g:
 * <pre>
 *   g ← −g if maximize;  g ← g + λθ if λ ≠ 0
 *   if μ ≠ 0: b ← g on the first step (a copy: dampening is not applied), afterwards b ← μb + (1 − τ)g;
 *             g ← g + μb if nesterov, else g ← b
 *   θ ← θ − γg
 * </pre>
 * Torch's defaults: lr 1e-3, momentum 0, dampening 0, nesterov off, weight decay 0.
 *
 * <p>Rules (as torch): lr, momentum and weight_decay are {@code >= 0}; nesterov needs momentum &gt; 0 and dampening 0.
 * Because each {@code with…} method validates, switch nesterov on after setting the momentum.
 *
 * @param lr          learning rate γ
 * @param momentum    momentum factor μ (0: plain SGD, no buffer)
 * @param dampening   dampening τ of the momentum buffer (not applied on the first step)
 * @param nesterov    Nesterov momentum
 * @param weightDecay L2 penalty λ added to the gradient
 * @param maximize    maximise the objective
 */
public record SgdOptions(double lr, double momentum, double dampening, boolean nesterov, double weightDecay,
        boolean maximize) implements OptimizerOptions {

    private static final String NAME = "sgd";

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public SgdOptions {
        Checks.nonNegative(NAME, "lr", lr);
        Checks.nonNegative(NAME, "momentum", momentum);
        Checks.finite(NAME, "dampening", dampening);
        Checks.nonNegative(NAME, "weight_decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException(NAME + ": nesterov requires momentum > 0 and dampening 0, got momentum "
                    + Checks.format(momentum) + " and dampening " + Checks.format(dampening));
        }
    }

    /** torch.optim.SGD's defaults: lr 1e-3, no momentum. */
    public static SgdOptions defaults() {
        return new SgdOptions(1e-3, 0, 0, false, 0, false);
    }

    /** The defaults of the {@code momentum} optimizer name: torch SGD with momentum 0.9, lr 1e-3. */
    public static SgdOptions momentumDefaults() {
        return new SgdOptions(1e-3, 0.9, 0, false, 0, false);
    }

    @Override
    public SgdOptions withLr(double lr) {
        return new SgdOptions(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }

    /** A copy with another momentum (validated). */
    public SgdOptions withMomentum(double momentum) {
        return new SgdOptions(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }

    /** A copy with another dampening (validated). */
    public SgdOptions withDampening(double dampening) {
        return new SgdOptions(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }

    /** A copy with another nesterov (validated). */
    public SgdOptions withNesterov(boolean nesterov) {
        return new SgdOptions(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }

    /** A copy with another weight_decay (validated). */
    public SgdOptions withWeightDecay(double weightDecay) {
        return new SgdOptions(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }

    /** A copy with another maximize (validated). */
    public SgdOptions withMaximize(boolean maximize) {
        return new SgdOptions(lr, momentum, dampening, nesterov, weightDecay, maximize);
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("dampening", dampening);
        m.put("nesterov", Checks.flag(nesterov));
        m.put("weight_decay", weightDecay);
        m.put("maximize", Checks.flag(maximize));
        return m;
    }

    /** Builds options from {@link #settings()}-style values (every key present). */
    static SgdOptions fromSettings(Map<String, Double> s) {
        return new SgdOptions(Checks.get(s, NAME, "lr"), Checks.get(s, NAME, "momentum"),
                Checks.get(s, NAME, "dampening"), Checks.flag(Checks.get(s, NAME, "nesterov")),
                Checks.get(s, NAME, "weight_decay"), Checks.flag(Checks.get(s, NAME, "maximize")));
    }
}

package dev.descent.optim;

import dev.descent.backend.Backend;
import java.util.List;

/**
 * Gradient clipping, applied by an optimizer inside {@link Optimizer#step()} to every gradient before any update:
 * <ul>
 *   <li>{@link #norm(double) by global norm} (torch.nn.utils.clip_grad_norm_ with norm_type 2): the 2-norm of all
 *       gradients together, {@code total = √(Σ‖g_i‖²)}, and every gradient scaled by
 *       {@code min(1, max_norm / (total + 1e-6))} (the total and the coefficient in float32, evaluated as torch 1.13
 *       does: {@code (1 / (total + 1e-6)) · max_norm});
 *   <li>{@link #value(double) by value} (torch.nn.utils.clip_grad_value_): every element clamped to [−c, c].
 * </ul>
 * Clipping modifies the gradient tensors in place, as torch does. A non-finite total norm gives a NaN coefficient and
 * NaN gradients (torch's default {@code error_if_nonfinite=False}), so a diverged run stays visible.
 *
 * @param kind      what to clip
 * @param threshold {@code max_norm} or the clip value {@code c} (unused for {@link Kind#NONE})
 */
public record GradientClipping(Kind kind, double threshold) {

    /** The clipping modes. */
    public enum Kind {
        /** No clipping. */
        NONE,
        /** Scale all gradients so that their global 2-norm is at most the threshold. */
        NORM,
        /** Clamp every gradient element to [−threshold, threshold]. */
        VALUE
    }

    private static final GradientClipping NONE = new GradientClipping(Kind.NONE, 0);

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public GradientClipping {
        if (kind == null) {
            throw new IllegalArgumentException("gradient clipping: kind is null");
        }
        if (kind != Kind.NONE && (!(threshold > 0) || Double.isInfinite(threshold))) {
            throw new IllegalArgumentException("gradient clipping: invalid "
                    + (kind == Kind.NORM ? "max_norm " : "clip_value ") + threshold + ": must be a finite number > 0");
        }
        if (kind == Kind.NONE) {
            threshold = 0;
        }
    }

    /** No clipping. */
    public static GradientClipping none() {
        return NONE;
    }

    /** Clipping by global 2-norm with {@code max_norm}. */
    public static GradientClipping norm(double maxNorm) {
        return new GradientClipping(Kind.NORM, maxNorm);
    }

    /** Clipping by value to [−clipValue, clipValue]. */
    public static GradientClipping value(double clipValue) {
        return new GradientClipping(Kind.VALUE, clipValue);
    }

    /**
     * Parses {@code none}, {@code norm:MAX} or {@code value:C} (also {@code norm=MAX}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static GradientClipping parse(String text) {
        String t = Checks.lower(text);
        if (t.equals("none") || t.isEmpty()) {
            return NONE;
        }
        int sep = Math.max(t.indexOf(':'), t.indexOf('='));
        if (sep < 0) {
            throw new IllegalArgumentException("gradient clipping '" + text + "': expected none, norm:MAX or value:C");
        }
        String kind = t.substring(0, sep).trim();
        String num = t.substring(sep + 1).trim();
        double v;
        try {
            v = Double.parseDouble(num);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gradient clipping '" + text + "': '" + num + "' is not a number");
        }
        return switch (kind) {
            case "norm" -> norm(v);
            case "value" -> value(v);
            default -> throw new IllegalArgumentException("gradient clipping '" + text + "': unknown kind '" + kind
                    + "', expected none, norm or value");
        };
    }

    /**
     * Clips the gradients of {@code parameters} in place (all on one backend).
     *
     * @return for {@link Kind#NORM} the total 2-norm before clipping (as clip_grad_norm_ returns it), otherwise NaN
     */
    public double apply(List<Parameter> parameters) {
        Parameter[] ps = parameters.toArray(new Parameter[0]);
        return apply(ps);
    }

    /** As {@link #apply(List)}, without allocating. */
    double apply(Parameter[] parameters) {
        switch (kind) {
            case NORM -> {
                return clipNorm(parameters, threshold);
            }
            case VALUE -> {
                float c = (float) threshold;
                for (Parameter p : parameters) {
                    p.grad().backend().clamp(p.grad(), -c, c);
                }
                return Double.NaN;
            }
            default -> {
                return Double.NaN;
            }
        }
    }

    private static double clipNorm(Parameter[] parameters, double maxNorm) {
        double sumSquares = 0;
        for (Parameter p : parameters) {
            sumSquares += p.grad().backend().squaredNorm(p.grad());
        }
        // torch keeps the total norm and the coefficient in float32 and evaluates max_norm / (total + 1e-6) as
        // reciprocal(total + 1e-6) * max_norm, then clamps it at 1
        float total = (float) Math.sqrt(sumSquares);
        float coef = (1f / (total + 1e-6f)) * (float) maxNorm;
        if (!(coef >= 1f)) { // also NaN: propagates into the gradients as in torch
            for (Parameter p : parameters) {
                Backend b = p.grad().backend();
                b.scale(coef, p.grad());
            }
        }
        return total;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case NORM -> "norm:" + threshold;
            case VALUE -> "value:" + threshold;
        };
    }
}

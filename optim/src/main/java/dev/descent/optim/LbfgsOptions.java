package dev.descent.optim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of {@link Lbfgs} (torch.optim.LBFGS): {@code lr}, {@code max_iter}, {@code max_eval},
 * {@code tolerance_grad}, {@code tolerance_change}, {@code history_size}, {@code line_search}
 * ({@code line_search_fn} in torch: none or strong Wolfe). See {@link Lbfgs} for the algorithm.
 *
 * <p>Torch's defaults: lr 1, max_iter 20, max_eval max_iter·5/4 (integer division: 25), tolerance_grad 1e-7,
 * tolerance_change 1e-9, history_size 100, no line search. As in torch, max_eval left at its default follows max_iter:
 * {@link #withMaxIter} (and a {@code max_iter} text setting without {@code max_eval}) sets it to the new max_iter·5/4
 * when it was max_iter·5/4 before.
 *
 * <p>Rules (torch checks none of them; these keep a step finite and meaningful): lr, tolerance_grad and
 * tolerance_change are finite and {@code >= 0}; max_iter, max_eval and history_size are whole numbers {@code >= 1}.
 * LBFGS has no weight decay and does not maximize: {@link #weightDecay()} is 0 and {@link #maximize()} false.
 *
 * @param lr              learning rate: the step length without line search, the first trial step with it
 * @param maxIter         most iterations per {@link Lbfgs#step(Closure) step}
 * @param maxEval         most closure evaluations per step (checked after each iteration)
 * @param toleranceGrad   a step ends when the largest gradient magnitude is {@code <=} this
 * @param toleranceChange a step ends when the directional derivative, the step or the loss change is below this
 * @param historySize     how many (y, s) pairs the inverse-Hessian approximation keeps
 * @param lineSearch      none (fixed step lr) or strong Wolfe
 */
public record LbfgsOptions(double lr, int maxIter, int maxEval, double toleranceGrad, double toleranceChange,
        int historySize, LineSearch lineSearch) implements OptimizerOptions {

    private static final String NAME = "lbfgs";

    /** torch's {@code line_search_fn}: {@code None} or {@code 'strong_wolfe'}. */
    public enum LineSearch {
        /** A fixed step of length lr along the direction (torch's default, {@code line_search_fn=None}). */
        NONE,
        /** torch's {@code _strong_wolfe}: bracketing and cubic-interpolation zoom, c1 1e-4, c2 0.9, 25 tries. */
        STRONG_WOLFE;

        /** The torch name: {@code none} or {@code strong_wolfe}. */
        public String torchName() {
            return this == NONE ? "none" : "strong_wolfe";
        }

        /**
         * Parses {@code none}, {@code strong_wolfe} or {@code strong-wolfe} (any case), or the setting's numbers 0 and
         * 1.
         */
        public static LineSearch parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            return switch (t) {
                case "none", "0", "0.0" -> NONE;
                case "strong_wolfe", "1", "1.0" -> STRONG_WOLFE;
                default -> throw new IllegalArgumentException(NAME + ": line_search '" + text
                        + "' is not none or strong_wolfe");
            };
        }

        double code() {
            return ordinal();
        }

        static LineSearch ofCode(double code) {
            if (code == 0) {
                return NONE;
            }
            if (code == 1) {
                return STRONG_WOLFE;
            }
            throw Checks.invalid(NAME, "line_search", code, "must be 0 (none) or 1 (strong_wolfe)");
        }
    }

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public LbfgsOptions {
        Checks.nonNegative(NAME, "lr", lr);
        atLeastOne("max_iter", maxIter);
        atLeastOne("max_eval", maxEval);
        Checks.nonNegative(NAME, "tolerance_grad", toleranceGrad);
        Checks.nonNegative(NAME, "tolerance_change", toleranceChange);
        atLeastOne("history_size", historySize);
        if (lineSearch == null) {
            throw new IllegalArgumentException(NAME + ": line_search is null; use LineSearch.NONE");
        }
    }

    /** torch.optim.LBFGS's defaults. */
    public static LbfgsOptions defaults() {
        return new LbfgsOptions(1, 20, 25, 1e-7, 1e-9, 100, LineSearch.NONE);
    }

    /** torch's default max_eval for a max_iter: max_iter·5/4, rounded down. */
    public static int defaultMaxEval(int maxIter) {
        return (int) ((long) maxIter * 5 / 4);
    }

    @Override
    public double weightDecay() {
        return 0;
    }

    @Override
    public boolean maximize() {
        return false;
    }

    @Override
    public LbfgsOptions withLr(double lr) {
        return new LbfgsOptions(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** A copy with another max_iter; max_eval follows it when it was at its default max_iter·5/4. */
    public LbfgsOptions withMaxIter(int maxIter) {
        int eval = maxEval == defaultMaxEval(this.maxIter) ? defaultMaxEval(maxIter) : maxEval;
        return new LbfgsOptions(lr, maxIter, eval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** A copy with another max_eval (validated). */
    public LbfgsOptions withMaxEval(int maxEval) {
        return new LbfgsOptions(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** A copy with another tolerance_grad (validated). */
    public LbfgsOptions withToleranceGrad(double toleranceGrad) {
        return new LbfgsOptions(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** A copy with another tolerance_change (validated). */
    public LbfgsOptions withToleranceChange(double toleranceChange) {
        return new LbfgsOptions(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** A copy with another history_size (validated). */
    public LbfgsOptions withHistorySize(int historySize) {
        return new LbfgsOptions(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** A copy with another line search. */
    public LbfgsOptions withLineSearch(LineSearch lineSearch) {
        return new LbfgsOptions(lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch);
    }

    /** Every setting by its torch name; {@code line_search} is 0 (none) or 1 (strong_wolfe). */
    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("max_iter", (double) maxIter);
        m.put("max_eval", (double) maxEval);
        m.put("tolerance_grad", toleranceGrad);
        m.put("tolerance_change", toleranceChange);
        m.put("history_size", (double) historySize);
        m.put("line_search", lineSearch.code());
        return m;
    }

    /**
     * Options from settings over {@code base}; {@code maxEvalGiven} says whether max_eval was set explicitly (if not and
     * base's max_eval was its default, it follows the new max_iter).
     */
    static LbfgsOptions fromSettings(Map<String, Double> s, LbfgsOptions base, boolean maxEvalGiven) {
        int maxIter = whole("max_iter", Checks.get(s, NAME, "max_iter"));
        int maxEval = whole("max_eval", Checks.get(s, NAME, "max_eval"));
        if (!maxEvalGiven && base.maxEval == defaultMaxEval(base.maxIter)) {
            maxEval = defaultMaxEval(maxIter);
        }
        return new LbfgsOptions(Checks.get(s, NAME, "lr"), maxIter, maxEval, Checks.get(s, NAME, "tolerance_grad"),
                Checks.get(s, NAME, "tolerance_change"), whole("history_size", Checks.get(s, NAME, "history_size")),
                LineSearch.ofCode(Checks.get(s, NAME, "line_search")));
    }

    private static void atLeastOne(String setting, int value) {
        if (value < 1) {
            throw Checks.invalid(NAME, setting, value, "must be a whole number >= 1");
        }
    }

    private static int whole(String setting, double value) {
        if (!(value >= 1 && value <= Integer.MAX_VALUE) || value != Math.rint(value)) {
            throw Checks.invalid(NAME, setting, value, "must be a whole number >= 1");
        }
        return (int) value;
    }
}

package dev.descent.optim.schedule;

import java.util.Locale;

/**
 * torch's OneCycleLR with {@code cycle_momentum=False} (descent's schedules drive the learning rate only; momentum
 * and Adam's β1 keep the optimizer's values): from {@code max_lr / div_factor} up to {@code max_lr} over the first
 * {@code pct_start} of {@code total_steps} units, then down to {@code max_lr / div_factor / final_div_factor},
 * annealing along half a cosine or a straight line. With {@code three_phase} the rate comes back to its initial value
 * symmetrically before a third phase takes it to the minimum (the original paper's schedule). torch 1.13's
 * formulas in double precision in its operation order: phase ends {@code pct_start·T − 1}
 * ({@code 2·pct_start·T − 2} for the second of three) and {@code T − 1}; at unit k in a phase from step a to step b,
 * pct = (k − a)/(b − a) and
 * <pre>
 *   cos:    end + (start − end)/2.0 · (cos(π·pct) + 1)
 *   linear: (end − start)·pct + start
 * </pre>
 * ({@code cos} from {@link Math#cos}, within an ulp of glibc's, which torch uses).
 *
 * <p><b>Base rates.</b> OneCycleLR sets the learning rates itself rather than scaling the optimizer's: given
 * {@code max_lr}, every parameter group peaks at that rate (torch with a single {@code max_lr}) and the optimizer's
 * rates are not used; without it ({@link Double#NaN} here), each group peaks at its own base rate (torch with
 * {@code max_lr} the list of the groups' rates).
 *
 * <p><b>Past the end.</b> torch raises an error when stepped more than {@code total_steps} times; descent holds the
 * rate of the cycle's last unit (T − 1, the minimum) from unit T on, so that a run longer than the cycle continues at
 * the final rate. A run of T units uses exactly torch's rates.
 *
 * @param maxLr          the peak rate of every group, finite and {@code >= 0}; NaN: each group's own base rate
 * @param totalSteps     T, the units of the cycle, {@code >= 1}
 * @param pctStart       the fraction of the cycle spent rising, in [0, 1] (torch's default 0.3)
 * @param anneal         cosine or linear annealing (torch's {@code anneal_strategy}, default cos)
 * @param divFactor      initial rate = max_lr / div_factor, finite and {@code > 0} (torch's default 25)
 * @param finalDivFactor minimum rate = initial rate / final_div_factor, finite and {@code > 0} (torch's default 1e4)
 * @param threePhase     whether to use the three-phase schedule (torch's default false)
 * @param unit           whether the counter advances per step (torch's use, the default) or per epoch
 */
public record OneCycleLr(double maxLr, int totalSteps, double pctStart, Anneal anneal, double divFactor,
        double finalDivFactor, boolean threePhase, ScheduleUnit unit) implements Schedule {

    /** How the rate moves within a phase (torch's {@code anneal_strategy}). */
    public enum Anneal {
        /** Half a cosine. */
        COS,
        /** A straight line. */
        LINEAR;

        /** {@code cos} or {@code linear}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public OneCycleLr {
        if (!Double.isNaN(maxLr)) {
            ScheduleParser.nonNegative("onecycle", "max_lr", maxLr);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("onecycle schedule: invalid total_steps " + totalSteps
                    + ": must be >= 1");
        }
        if (!(pctStart >= 0 && pctStart <= 1)) {
            throw new IllegalArgumentException("onecycle schedule: invalid pct_start " + pctStart
                    + ": must be in [0, 1]");
        }
        ScheduleParser.notNull("onecycle", "anneal", anneal);
        positive("div_factor", divFactor);
        positive("final_div_factor", finalDivFactor);
        ScheduleParser.notNull("onecycle", "unit", unit);
        if (pctStart * totalSteps - 1 == 0) {
            throw new IllegalArgumentException("onecycle schedule: pct_start " + pctStart + " × total_steps "
                    + totalSteps + " = 1 leaves the rising phase without length (torch divides by zero at step 0)");
        }
    }

    private static void positive(String setting, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("onecycle schedule: invalid " + setting + " " + value
                    + ": must be a finite number > 0");
        }
    }

    /** Whether each group peaks at its own base rate (no {@code max_lr} given). */
    public boolean perGroupMaxLr() {
        return Double.isNaN(maxLr);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "onecycle(" + (perGroupMaxLr() ? "" : "max_lr=" + maxLr + ", ") + "total_steps=" + totalSteps
                + ", pct_start=" + pctStart + ", anneal=" + anneal.label() + ", div_factor=" + divFactor
                + ", final_div_factor=" + finalDivFactor + ", three_phase=" + threePhase + ", unit=" + unit.label()
                + ")";
    }

    private static final class Running extends CountingScheduler {
        private final OneCycleLr s;
        private final double[] initial;
        private final double[] max;
        private final double[] min;
        /** Phase ends ({@code end_step}); phase i runs from rate {@code from[i]} to {@code to[i]}. */
        private final double[] ends;
        private final double[][] from;
        private final double[][] to;

        Running(OneCycleLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.s = s;
            int n = lr.length;
            initial = new double[n];
            max = new double[n];
            min = new double[n];
            for (int g = 0; g < n; g++) {
                max[g] = s.perGroupMaxLr() ? base[g] : s.maxLr;
                initial[g] = max[g] / s.divFactor;
                min[g] = initial[g] / s.finalDivFactor;
            }
            double t = s.totalSteps;
            if (s.threePhase) {
                ends = new double[] {s.pctStart * t - 1, 2 * s.pctStart * t - 2, t - 1};
                from = new double[][] {initial, max, initial};
                to = new double[][] {max, initial, min};
            } else {
                ends = new double[] {s.pctStart * t - 1, t - 1};
                from = new double[][] {initial, max};
                to = new double[][] {max, min};
            }
            rates(0); // torch's initial step
        }

        private void rates(long k) {
            double startStep = 0;
            int phase = 0;
            for (; phase < ends.length; phase++) {
                if (k <= ends[phase] || phase == ends.length - 1) {
                    break;
                }
                startStep = ends[phase];
            }
            double pct = (k - startStep) / (ends[phase] - startStep);
            double[] a = from[phase];
            double[] b = to[phase];
            if (s.anneal == Anneal.COS) {
                double cosOut = Math.cos(Math.PI * pct) + 1;
                for (int g = 0; g < lr.length; g++) {
                    lr[g] = b[g] + (a[g] - b[g]) / 2.0 * cosOut;
                }
            } else {
                for (int g = 0; g < lr.length; g++) {
                    lr[g] = (b[g] - a[g]) * pct + a[g];
                }
            }
        }

        @Override
        void advance(long k) {
            if (k < s.totalSteps) {
                rates(k);
            } // past the cycle: hold the rate of its last unit
        }

        @Override
        void atZero() {
            rates(0);
        }
    }
}

package dev.descent.optim.schedule;

import java.util.Locale;

/**
 * torch's CyclicLR with {@code cycle_momentum=False} (descent's schedules drive the learning rate only): the rate
 * cycles between {@code base_lr} and {@code max_lr}, rising for {@code step_size_up} units and falling for
 * {@code step_size_down}, the amplitude scaled by the mode: {@code triangular} (unscaled), {@code triangular2} (halved
 * each cycle), {@code exp_range} (× γ^k at unit k). torch 1.13's formulas in double precision, in its operation order:
 * <pre>
 *   total = up + down; ratio = up / total
 *   cycle = floor(1 + k/total);  x = 1. + k/total − cycle
 *   scale = x/ratio if x ≤ ratio, else (x − 1)/(ratio − 1)
 *   lr = base_lr + (max_lr − base_lr)·scale · {1 | 1/2.^(cycle − 1) | γ^k}
 * </pre>
 * ({@code γ^k} from {@link Math#pow}: glibc's pow, which torch uses, and Java's may differ in the last bit).
 *
 * <p>Like torch's, it sets the learning rates itself: every parameter group cycles between the same two rates, and
 * the optimizer's rates are not used (torch sets each group's lr to {@code base_lr}). Unit 0 uses {@code base_lr}.
 *
 * @param baseLr       the lower rate, finite and {@code >= 0}
 * @param maxLr        the upper rate, finite and {@code >= 0}
 * @param stepSizeUp   units of the rising half, {@code >= 1} (torch's default 2000)
 * @param stepSizeDown units of the falling half, {@code >= 0} (torch's default: {@code step_size_up})
 * @param mode         the amplitude's scaling (torch's default triangular)
 * @param gamma        the factor of {@code exp_range}, in [0, 1] (torch's default 1)
 * @param unit         whether the counter advances per step (torch's use, the default) or per epoch
 */
public record CyclicLr(double baseLr, double maxLr, int stepSizeUp, int stepSizeDown, Mode mode, double gamma,
        ScheduleUnit unit) implements Schedule {

    /** How the amplitude is scaled (torch's {@code mode}). */
    public enum Mode {
        /** Unscaled. */
        TRIANGULAR,
        /** Halved each cycle. */
        TRIANGULAR2,
        /** × γ^k at unit k. */
        EXP_RANGE;

        /** {@code triangular}, {@code triangular2} or {@code exp_range}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public CyclicLr {
        ScheduleParser.nonNegative("cyclic", "base_lr", baseLr);
        ScheduleParser.nonNegative("cyclic", "max_lr", maxLr);
        if (stepSizeUp < 1) {
            throw new IllegalArgumentException("cyclic schedule: invalid step_size_up " + stepSizeUp
                    + ": must be >= 1");
        }
        if (stepSizeDown < 0) {
            throw new IllegalArgumentException("cyclic schedule: invalid step_size_down " + stepSizeDown
                    + ": must be >= 0");
        }
        ScheduleParser.notNull("cyclic", "mode", mode);
        if (!(gamma >= 0 && gamma <= 1)) {
            throw new IllegalArgumentException("cyclic schedule: invalid gamma " + gamma + ": must be in [0, 1]");
        }
        ScheduleParser.notNull("cyclic", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "cyclic(base_lr=" + baseLr + ", max_lr=" + maxLr + ", step_size_up=" + stepSizeUp
                + ", step_size_down=" + stepSizeDown + ", mode=" + mode.label() + ", gamma=" + gamma + ", unit="
                + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final CyclicLr s;
        private final double totalSize;
        private final double stepRatio;

        Running(CyclicLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.s = s;
            double up = s.stepSizeUp;
            double down = s.stepSizeDown;
            totalSize = up + down;
            stepRatio = up / totalSize;
            rates(0); // torch's initial step
        }

        private void rates(long k) {
            double cycle = Math.floor(1 + k / totalSize);
            double x = 1. + k / totalSize - cycle;
            double scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
            double baseHeight = (s.maxLr - s.baseLr) * scaleFactor;
            double scale = switch (s.mode) {
                case TRIANGULAR -> 1.;
                case TRIANGULAR2 -> 1 / Math.pow(2., cycle - 1);
                case EXP_RANGE -> Math.pow(s.gamma, k);
            };
            double rate = s.baseLr + baseHeight * scale;
            for (int g = 0; g < lr.length; g++) {
                lr[g] = rate;
            }
        }

        @Override
        void advance(long k) {
            rates(k);
        }

        @Override
        void atZero() {
            rates(0);
        }
    }
}

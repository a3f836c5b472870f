package dev.descent.optim.schedule;

/**
 * torch's ExponentialLR: every unit the learning rate is multiplied by {@code gamma} (recursively, as torch's chainable
 * form), so unit k uses η·γᵏ up to rounding.
 *
 * @param gamma multiplicative factor per unit, finite and {@code >= 0}
 * @param unit  whether the counter advances per step or per epoch
 */
public record ExponentialLr(double gamma, ScheduleUnit unit) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public ExponentialLr {
        ScheduleParser.nonNegative("exponential", "gamma", gamma);
        ScheduleParser.notNull("exponential", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "exponential(gamma=" + gamma + ", unit=" + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final double gamma;

        Running(ExponentialLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.gamma = s.gamma;
        }

        @Override
        void advance(long k) {
            for (int g = 0; g < lr.length; g++) {
                lr[g] = lr[g] * gamma;
            }
        }

        @Override
        void atZero() {
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * 1.0;
            }
        }
    }
}

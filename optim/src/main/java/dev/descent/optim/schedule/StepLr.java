package dev.descent.optim.schedule;

/**
 * torch's StepLR: after every {@code stepSize} units the learning rate is multiplied by {@code gamma} (recursively,
 * {@code lr ← lr·γ}, as torch's chainable form). With base rate η: η for units 0 … stepSize−1, ηγ for the next
 * stepSize units, and so on.
 *
 * @param stepSize period of the decay, {@code >= 1}
 * @param gamma    multiplicative factor, finite and {@code >= 0} (torch's default 0.1)
 * @param unit     whether the counter advances per step or per epoch
 */
public record StepLr(int stepSize, double gamma, ScheduleUnit unit) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public StepLr {
        if (stepSize < 1) {
            throw new IllegalArgumentException("step schedule: invalid step_size " + stepSize + ": must be >= 1");
        }
        ScheduleParser.nonNegative("step", "gamma", gamma);
        ScheduleParser.notNull("step", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "step(step_size=" + stepSize + ", gamma=" + gamma + ", unit=" + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final int stepSize;
        private final double gamma;

        Running(StepLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.stepSize = s.stepSize;
            this.gamma = s.gamma;
        }

        @Override
        void advance(long k) {
            if (k % stepSize == 0) {
                for (int g = 0; g < lr.length; g++) {
                    lr[g] = lr[g] * gamma;
                }
            }
        }

        @Override
        void atZero() {
            // torch's closed form at epoch 0: base * gamma ** 0
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * 1.0;
            }
        }
    }
}

package dev.descent.optim.schedule;

import java.util.Map;

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

    private static final class Running extends Scheduler {
        private final ExponentialLr s;
        private long lastEpoch;

        Running(ExponentialLr s, double[] baseLrs) {
            super(baseLrs);
            this.s = s;
        }

        @Override
        public Schedule schedule() {
            return s;
        }

        @Override
        public void step() {
            if (s.unit == ScheduleUnit.STEP) {
                advance();
            }
        }

        @Override
        public void endEpoch(double metric) {
            if (s.unit == ScheduleUnit.EPOCH) {
                advance();
            }
        }

        private void advance() {
            lastEpoch++;
            for (int g = 0; g < lr.length; g++) {
                lr[g] = lr[g] * s.gamma;
            }
        }

        @Override
        void startAtZero() {
            lastEpoch = 0;
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * 1.0;
            }
        }

        @Override
        void save(String prefix, Map<String, Double> out) {
            out.put(prefix + "last_epoch", (double) lastEpoch);
            saveLrs(prefix, out);
        }

        @Override
        void load(String prefix, Map<String, Double> in) {
            lastEpoch = (long) (double) in.get(prefix + "last_epoch");
            loadLrs(prefix, in);
        }
    }
}

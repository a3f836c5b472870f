package dev.descent.optim.schedule;

/**
 * torch's PolynomialLR: the learning rate decays to 0 over {@code total_iters} units as η·(1 − min(k, N)/N)^p,
 * computed with torch 1.13's recursive (chainable) formula
 * <pre>
 *   k = 0 or k &gt; N:  η_k = η_{k−1}                      (η_0 = η)
 *   1 ≤ k ≤ N:        η_k = η_{k−1}·((1 − k/N) / (1 − (k − 1)/N))^p
 * </pre>
 * in double precision in torch's operation order ({@code pow} from {@link Math#pow}; for p = 1 no rounding differs
 * from torch's, otherwise glibc's pow and Java's may differ in the last bit). From unit N on the rate is 0.
 *
 * @param totalIters N, the units of the decay, {@code >= 1} (torch's default 5)
 * @param power      p, finite and {@code >= 0} (torch's default 1)
 * @param unit       whether the counter advances per step or per epoch
 */
public record PolynomialLr(int totalIters, double power, ScheduleUnit unit) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public PolynomialLr {
        if (totalIters < 1) {
            throw new IllegalArgumentException("polynomial schedule: invalid total_iters " + totalIters
                    + ": must be >= 1");
        }
        ScheduleParser.nonNegative("polynomial", "power", power);
        ScheduleParser.notNull("polynomial", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "polynomial(total_iters=" + totalIters + ", power=" + power + ", unit=" + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final int n;
        private final double power;

        Running(PolynomialLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.n = s.totalIters;
            this.power = s.power;
        }

        @Override
        void advance(long k) {
            if (k > n) {
                return;
            }
            double f = Math.pow((1.0 - (double) k / n) / (1.0 - (double) (k - 1) / n), power);
            for (int g = 0; g < lr.length; g++) {
                lr[g] = lr[g] * f;
            }
        }

        @Override
        void atZero() {
            // torch's closed form at epoch 0: base * (1.0 - min(total_iters, 0) / total_iters) ** power
            double f = Math.pow(1.0 - 0.0 / n, power);
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * f;
            }
        }
    }
}

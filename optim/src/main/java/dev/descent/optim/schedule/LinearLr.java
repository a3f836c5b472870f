package dev.descent.optim.schedule;

/**
 * torch's LinearLR: the learning rate's factor moves linearly from {@code start_factor} to {@code end_factor} over
 * {@code total_iters} units and stays there: unit k uses η·(s + (e − s)·min(k, N)/N), computed with torch 1.13's
 * recursive (chainable) formula
 * <pre>
 *   k = 0:        η_0 = η·s
 *   1 ≤ k ≤ N:    η_k = η_{k−1}·(1 + (e − s) / (N·s + (k − 1)·(e − s)))
 *   k &gt; N:        η_k = η_{k−1}
 * </pre>
 * in double precision in torch's operation order. (A {@link LinearWarmup} is this with end factor 1 followed by
 * another schedule.)
 *
 * @param startFactor the factor of unit 0, in (0, 1] (torch's default 1/3; 0 would make torch divide by zero)
 * @param endFactor   the factor from unit N on, in [0, 1] (torch's default 1)
 * @param totalIters  N, the units the change takes, {@code >= 1} (torch's default 5)
 * @param unit        whether the counter advances per step or per epoch
 */
public record LinearLr(double startFactor, double endFactor, int totalIters, ScheduleUnit unit) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public LinearLr {
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("linear schedule: invalid start_factor " + startFactor
                    + ": must be in (0, 1]");
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("linear schedule: invalid end_factor " + endFactor
                    + ": must be in [0, 1]");
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("linear schedule: invalid total_iters " + totalIters
                    + ": must be >= 1");
        }
        ScheduleParser.notNull("linear", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "linear(start_factor=" + startFactor + ", end_factor=" + endFactor + ", total_iters=" + totalIters
                + ", unit=" + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final double sf;
        private final double ef;
        private final int n;

        Running(LinearLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.sf = s.startFactor;
            this.ef = s.endFactor;
            this.n = s.totalIters;
            // torch's initial step: group['lr'] * start_factor
            for (int g = 0; g < lr.length; g++) {
                lr[g] = lr[g] * sf;
            }
        }

        @Override
        void advance(long k) {
            if (k > n) {
                return;
            }
            double f = 1. + (ef - sf) / (n * sf + (k - 1) * (ef - sf));
            for (int g = 0; g < lr.length; g++) {
                lr[g] = lr[g] * f;
            }
        }

        @Override
        void atZero() {
            // torch's closed form at epoch 0: base * (start + (end - start) * min(total_iters, 0) / total_iters)
            double f = sf + (ef - sf) * 0 / n;
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * f;
            }
        }
    }
}

package dev.descent.optim.schedule;

/**
 * torch's CosineAnnealingLR: from the base rate η down to {@code eta_min} over {@code T_max} units along half a cosine,
 * η_t = η_min + (η − η_min)(1 + cos(π t / T_max)) / 2, computed with torch 1.13's recursive (chainable) formula
 * <pre>
 *   t with (t − 1 − T_max) mod 2T_max = 0:  η_t = η_{t−1} + (η − η_min)(1 − cos(π / T_max)) / 2
 *   otherwise:                              η_t = (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max))
 *                                                 · (η_{t−1} − η_min) + η_min
 * </pre>
 * in double precision in torch's operation order ({@code cos} from {@link Math#cos}, which allocates nothing; it and
 * glibc's cos, which torch uses, are both within an ulp of the exact value). Past {@code T_max} the rate
 * rises again (period 2·T_max), as torch's does; it does not restart.
 *
 * @param tMax   half-period in units, {@code >= 1}
 * @param etaMin minimum learning rate, finite and {@code >= 0}
 * @param unit   whether the counter advances per step or per epoch
 */
public record CosineAnnealingLr(int tMax, double etaMin, ScheduleUnit unit) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public CosineAnnealingLr {
        if (tMax < 1) {
            throw new IllegalArgumentException("cosine schedule: invalid t_max " + tMax + ": must be >= 1");
        }
        ScheduleParser.nonNegative("cosine", "eta_min", etaMin);
        ScheduleParser.notNull("cosine", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "cosine(t_max=" + tMax + ", eta_min=" + etaMin + ", unit=" + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final int tMax;
        private final double etaMin;

        Running(CosineAnnealingLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.tMax = s.tMax;
            this.etaMin = s.etaMin;
        }

        @Override
        void advance(long t) {
            if (Math.floorMod(t - 1 - tMax, 2L * tMax) == 0) {
                double c = 1 - Math.cos(Math.PI / tMax);
                for (int g = 0; g < lr.length; g++) {
                    lr[g] = lr[g] + (base[g] - etaMin) * c / 2;
                }
            } else {
                double ratio = (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax));
                for (int g = 0; g < lr.length; g++) {
                    lr[g] = ratio * (lr[g] - etaMin) + etaMin;
                }
            }
        }

        @Override
        void atZero() {
            // torch's closed form at epoch 0: eta_min + (base - eta_min) * (1 + cos(pi * 0 / T_max)) / 2
            double c = 1 + Math.cos(Math.PI * 0 / tMax);
            for (int g = 0; g < lr.length; g++) {
                lr[g] = etaMin + (base[g] - etaMin) * c / 2;
            }
        }
    }
}

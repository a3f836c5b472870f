package dev.descent.optim.schedule;

import java.util.Map;

/**
 * torch's CosineAnnealingWarmRestarts (SGDR), advanced by its {@code step()} without an epoch argument: half a cosine
 * from the base rate η down towards {@code eta_min} over T_i units, then a restart at η with T_i ← T_i·{@code t_mult}
 * (T_0 = {@code t_0}). Each unit, as torch computes it in double precision:
 * <pre>
 *   T_cur ← T_cur + 1;  if T_cur ≥ T_i: T_cur ← T_cur − T_i, T_i ← T_i·t_mult
 *   η_t = η_min + (η − η_min)·(1 + cos(π·T_cur / T_i)) / 2
 * </pre>
 * (a closed form: no rounding carries over from one unit to the next; {@code cos} from {@link Math#cos}, within an
 * ulp of glibc's, which torch uses). Unit 0 has T_cur = 0, T_i = T_0.
 *
 * @param t0     T_0, the units before the first restart, {@code >= 1}
 * @param tMult  the factor by which T_i grows at each restart, {@code >= 1} (torch's default 1)
 * @param etaMin the minimum learning rate, finite and {@code >= 0} (torch's default 0)
 * @param unit   whether the counter advances per step or per epoch
 */
public record CosineAnnealingWarmRestarts(int t0, int tMult, double etaMin, ScheduleUnit unit) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public CosineAnnealingWarmRestarts {
        if (t0 < 1) {
            throw new IllegalArgumentException("cosine-warm-restarts schedule: invalid t_0 " + t0 + ": must be >= 1");
        }
        if (tMult < 1) {
            throw new IllegalArgumentException("cosine-warm-restarts schedule: invalid t_mult " + tMult
                    + ": must be >= 1");
        }
        ScheduleParser.nonNegative("cosine-warm-restarts", "eta_min", etaMin);
        ScheduleParser.notNull("cosine-warm-restarts", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "cosine-warm-restarts(t_0=" + t0 + ", t_mult=" + tMult + ", eta_min=" + etaMin + ", unit="
                + unit.label() + ")";
    }

    private static final class Running extends Scheduler {
        private final CosineAnnealingWarmRestarts s;
        private long lastEpoch;
        private long tCur;
        private long tI;

        Running(CosineAnnealingWarmRestarts s, double[] baseLrs) {
            super(baseLrs);
            this.s = s;
            startAtZero();
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
            tCur = tCur + 1;
            if (tCur >= tI) {
                tCur = tCur - tI;
                // T_i grows only at a restart, which takes T_i units: it cannot in practice pass Long.MAX_VALUE
                tI = saturatedProduct(tI, s.tMult);
            }
            setRates();
        }

        private static long saturatedProduct(long a, long b) {
            long hi = Math.multiplyHigh(a, b);
            long lo = a * b;
            return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
        }

        private void setRates() {
            // torch: eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            double c = 1 + Math.cos(Math.PI * tCur / tI);
            for (int g = 0; g < lr.length; g++) {
                lr[g] = s.etaMin + (base[g] - s.etaMin) * c / 2;
            }
        }

        @Override
        void startAtZero() {
            // torch's step(0): T_i = T_0, T_cur = 0
            lastEpoch = 0;
            tCur = 0;
            tI = s.t0;
            setRates();
        }

        @Override
        void save(String prefix, Map<String, Double> out) {
            out.put(prefix + "last_epoch", (double) lastEpoch);
            out.put(prefix + "t_cur", (double) tCur);
            out.put(prefix + "t_i", (double) tI);
            saveLrs(prefix, out);
        }

        @Override
        void load(String prefix, Map<String, Double> in) {
            long cur = (long) (double) in.get(prefix + "t_cur");
            long i = (long) (double) in.get(prefix + "t_i");
            if (i < 1 || cur < 0 || cur >= i) {
                throw new IllegalArgumentException("schedule state " + prefix + "t_cur = " + cur + ", " + prefix
                        + "t_i = " + i + " is not a position in a cycle (0 <= t_cur < t_i)");
            }
            lastEpoch = (long) (double) in.get(prefix + "last_epoch");
            tCur = cur;
            tI = i;
            loadLrs(prefix, in);
        }
    }
}

package dev.descent.optim.schedule;

import java.util.Map;

/**
 * torch's ReduceLROnPlateau, advanced once per epoch by {@link dev.descent.optim.Optimizer#endEpoch(double)} with the
 * epoch's metric (normally its loss). After each epoch:
 * <pre>
 *   better = mode min: metric &lt; best·(1 − threshold) (rel) or metric &lt; best − threshold (abs)
 *            mode max: metric &gt; best·(1 + threshold) (rel) or metric &gt; best + threshold (abs)
 *   if better: best ← metric, bad ← 0, else bad ← bad + 1          (best starts at +∞ for min, −∞ for max)
 *   if cooldown counter &gt; 0: counter ← counter − 1, bad ← 0       (bad epochs in cooldown are ignored)
 *   if bad &gt; patience: every group's lr ← max(lr·factor, min_lr) unless that lowers it by eps or less;
 *                      counter ← cooldown, bad ← 0
 * </pre>
 * A NaN metric is never better. Torch's defaults: mode min, factor 0.1, patience 10, threshold 1e-4 (rel), cooldown 0,
 * min_lr 0, eps 1e-8.
 *
 * @param mode          minimise or maximise the metric
 * @param factor        reduction factor, in [0, 1)
 * @param patience      bad epochs tolerated before a reduction, {@code >= 0}
 * @param threshold     the least significant improvement, {@code >= 0}
 * @param thresholdMode relative or absolute threshold
 * @param cooldown      epochs after a reduction during which bad epochs are not counted, {@code >= 0}
 * @param minLr         lower bound of every group's learning rate, {@code >= 0}
 * @param eps           reductions smaller than this are skipped, {@code >= 0}
 */
public record ReduceLrOnPlateau(Mode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode,
        int cooldown, double minLr, double eps) implements Schedule {

    /** Whether the metric should go down or up. */
    public enum Mode {
        /** Lower is better (a loss). */
        MIN,
        /** Higher is better (an accuracy). */
        MAX
    }

    /** How {@code threshold} measures an improvement. */
    public enum ThresholdMode {
        /** Relative to the best value. */
        REL,
        /** Absolute. */
        ABS
    }

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public ReduceLrOnPlateau {
        ScheduleParser.notNull("plateau", "mode", mode);
        ScheduleParser.notNull("plateau", "threshold_mode", thresholdMode);
        if (!(factor >= 0 && factor < 1)) {
            throw new IllegalArgumentException("plateau schedule: invalid factor " + factor + ": must be in [0, 1)");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("plateau schedule: invalid patience " + patience + ": must be >= 0");
        }
        if (cooldown < 0) {
            throw new IllegalArgumentException("plateau schedule: invalid cooldown " + cooldown + ": must be >= 0");
        }
        ScheduleParser.nonNegative("plateau", "threshold", threshold);
        ScheduleParser.nonNegative("plateau", "min_lr", minLr);
        ScheduleParser.nonNegative("plateau", "eps", eps);
    }

    /** torch's defaults. */
    public static ReduceLrOnPlateau defaults() {
        return new ReduceLrOnPlateau(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);
    }

    /** A copy with another mode (validated). */
    public ReduceLrOnPlateau withMode(Mode mode) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** A copy with another factor (validated). */
    public ReduceLrOnPlateau withFactor(double factor) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** A copy with another patience (validated). */
    public ReduceLrOnPlateau withPatience(int patience) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** A copy with another threshold and threshold mode (validated). */
    public ReduceLrOnPlateau withThreshold(double threshold, ThresholdMode thresholdMode) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** A copy with another cooldown (validated). */
    public ReduceLrOnPlateau withCooldown(int cooldown) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** A copy with another min_lr (validated). */
    public ReduceLrOnPlateau withMinLr(double minLr) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    /** A copy with another eps (validated). */
    public ReduceLrOnPlateau withEps(double eps) {
        return new ReduceLrOnPlateau(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "plateau(mode=" + (mode == Mode.MIN ? "min" : "max") + ", factor=" + factor + ", patience=" + patience
                + ", threshold=" + threshold + ", threshold_mode="
                + (thresholdMode == ThresholdMode.REL ? "rel" : "abs")
                + ", cooldown=" + cooldown + ", min_lr=" + minLr + ", eps=" + eps + ")";
    }

    private static final class Running extends Scheduler {
        private final ReduceLrOnPlateau s;
        private long lastEpoch;
        private double best;
        private long numBadEpochs;
        private long cooldownCounter;

        Running(ReduceLrOnPlateau s, double[] baseLrs) {
            super(baseLrs);
            this.s = s;
            reset();
        }

        private void reset() {
            lastEpoch = 0;
            best = s.mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            numBadEpochs = 0;
            cooldownCounter = 0;
        }

        @Override
        public Schedule schedule() {
            return s;
        }

        @Override
        public void step() {
        }

        @Override
        public void endEpoch(double metric) {
            lastEpoch++;
            if (isBetter(metric)) {
                best = metric;
                numBadEpochs = 0;
            } else {
                numBadEpochs++;
            }
            if (cooldownCounter > 0) {
                cooldownCounter--;
                numBadEpochs = 0;
            }
            if (numBadEpochs > s.patience) {
                for (int g = 0; g < lr.length; g++) {
                    double old = lr[g];
                    double reduced = Math.max(old * s.factor, s.minLr);
                    if (old - reduced > s.eps) {
                        lr[g] = reduced;
                    }
                }
                cooldownCounter = s.cooldown;
                numBadEpochs = 0;
            }
        }

        private boolean isBetter(double a) {
            if (s.mode == Mode.MIN) {
                return s.thresholdMode == ThresholdMode.REL ? a < best * (1. - s.threshold) : a < best - s.threshold;
            }
            return s.thresholdMode == ThresholdMode.REL ? a > best * (s.threshold + 1.) : a > best + s.threshold;
        }

        @Override
        void startAtZero() {
            reset();
            System.arraycopy(base, 0, lr, 0, lr.length);
        }

        @Override
        void save(String prefix, Map<String, Double> out) {
            out.put(prefix + "last_epoch", (double) lastEpoch);
            out.put(prefix + "best", best);
            out.put(prefix + "num_bad_epochs", (double) numBadEpochs);
            out.put(prefix + "cooldown_counter", (double) cooldownCounter);
            saveLrs(prefix, out);
        }

        @Override
        void load(String prefix, Map<String, Double> in) {
            lastEpoch = (long) (double) in.get(prefix + "last_epoch");
            best = in.get(prefix + "best");
            numBadEpochs = (long) (double) in.get(prefix + "num_bad_epochs");
            cooldownCounter = (long) (double) in.get(prefix + "cooldown_counter");
            loadLrs(prefix, in);
        }
    }
}

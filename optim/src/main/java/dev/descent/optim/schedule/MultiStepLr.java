package dev.descent.optim.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * torch's MultiStepLR: at each milestone the learning rate is multiplied by {@code gamma}, by {@code gamma^n} at a
 * milestone listed n times (recursively, {@code lr ← lr·γⁿ}, as torch's chainable form). With base rate η and
 * milestones 30, 80: η for units 0 … 29, ηγ for units 30 … 79, ηγ² from unit 80 on. A milestone 0 applies from the
 * first unit, as in torch.
 *
 * @param milestones the units at which the rate decays, each {@code >= 0}, at least one and at most
 *                   {@value #MAX_MILESTONES}; kept sorted (repeats count: torch's {@code Counter})
 * @param gamma      multiplicative factor, finite and {@code >= 0} (torch's default 0.1)
 * @param unit       whether the counter advances per step or per epoch
 */
public record MultiStepLr(List<Integer> milestones, double gamma, ScheduleUnit unit) implements Schedule {
    /** The most milestones a schedule may list (its spec is stored in saved optimizer state). */
    public static final int MAX_MILESTONES = 1000;

    /** Validates the settings (an invalid one is an {@link IllegalArgumentException} naming it) and sorts them. */
    public MultiStepLr {
        ScheduleParser.notNull("multistep", "milestones", milestones);
        if (milestones.isEmpty()) {
            throw new IllegalArgumentException("multistep schedule: milestones is empty: give at least one");
        }
        if (milestones.size() > MAX_MILESTONES) {
            throw new IllegalArgumentException("multistep schedule: " + milestones.size() + " milestones, at most "
                    + MAX_MILESTONES);
        }
        List<Integer> sorted = new ArrayList<>(milestones.size());
        for (Integer m : milestones) {
            ScheduleParser.notNull("multistep", "milestone", m);
            if (m < 0) {
                throw new IllegalArgumentException("multistep schedule: invalid milestone " + m + ": must be >= 0");
            }
            sorted.add(m);
        }
        sorted.sort(null);
        milestones = List.copyOf(sorted);
        ScheduleParser.nonNegative("multistep", "gamma", gamma);
        ScheduleParser.notNull("multistep", "unit", unit);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        StringBuilder b = new StringBuilder("multistep(milestones=[");
        for (int i = 0; i < milestones.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(milestones.get(i));
        }
        return b.append("], gamma=").append(gamma).append(", unit=").append(unit.label()).append(')').toString();
    }

    private static final class Running extends CountingScheduler {
        private final double gamma;
        /** The milestones, sorted. */
        private final int[] ms;

        Running(MultiStepLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.gamma = s.gamma;
            this.ms = s.milestones.stream().mapToInt(Integer::intValue).toArray();
            // torch's initial step: get_lr at last_epoch 0 (a milestone 0 applies at once)
            advance(0);
        }

        @Override
        void advance(long k) {
            int n = 0; // how often k is listed: torch's milestones[last_epoch] of its Counter
            for (int m : ms) {
                n += m == k ? 1 : 0;
            }
            if (n > 0) {
                // torch: group['lr'] * gamma ** milestones[last_epoch]
                double f = Math.pow(gamma, n);
                for (int g = 0; g < lr.length; g++) {
                    lr[g] = lr[g] * f;
                }
            }
        }

        @Override
        void atZero() {
            // torch's closed form at epoch 0: base * gamma ** bisect_right(milestones, 0)
            int n = 0;
            for (int m : ms) {
                n += m <= 0 ? 1 : 0;
            }
            double f = Math.pow(gamma, n);
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * f;
            }
        }
    }
}

package dev.descent.optim.schedule;

import java.util.Map;

/**
 * Linear warmup followed by another schedule: torch's {@code SequentialLR([LinearLR(start_factor, total_iters=warmup),
 * then], milestones=[warmup])}. Unit k of the warmup (k = 0 … warmup−1) uses base·(s + (1 − s)·k/warmup), computed
 * with LinearLR's recursive formula; at unit {@code warmup} the following schedule starts at its own epoch 0 (torch
 * calls {@code step(0)}, its closed form) and from then on advances on the events of its own unit.
 *
 * <p>The warmup counts in its own {@code unit} (steps or epochs). When the following schedule counts in the other unit,
 * its clock starts when the warmup ends: events of its unit seen during the warmup are ignored (a plateau schedule does
 * not see the epochs of the warmup).
 *
 * @param warmup      warmup length in units, {@code >= 1}
 * @param unit        unit of the warmup
 * @param startFactor the factor of the first unit, in (0, 1] (torch's LinearLR default 1/3)
 * @param then        the schedule after the warmup; not {@link OneCycleLr}, which has its own warm-up phase (in
 *                    torch, a OneCycleLR built after a LinearLR changes the rates the LinearLR starts from)
 */
public record LinearWarmup(int warmup, ScheduleUnit unit, double startFactor, Schedule then) implements Schedule {
    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public LinearWarmup {
        if (warmup < 1) {
            throw new IllegalArgumentException("warmup schedule: invalid warmup " + warmup + ": must be >= 1");
        }
        ScheduleParser.notNull("warmup", "unit", unit);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("warmup schedule: invalid start_factor " + startFactor
                    + ": must be in (0, 1]");
        }
        ScheduleParser.notNull("warmup", "then", then);
        if (then instanceof OneCycleLr) {
            throw new IllegalArgumentException("warmup schedule: then=onecycle is not supported: onecycle sets the "
                    + "rates itself and has its own warm-up phase (pct_start)");
        }
        int depth = 2; // this schedule and then
        for (Schedule s = then; s instanceof LinearWarmup w; s = w.then) {
            depth++;
        }
        if (depth > MAX_NESTING) {
            throw new IllegalArgumentException("warmup schedule: then= nests schedules more than " + MAX_NESTING
                    + " deep");
        }
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "warmup(warmup=" + warmup + ", unit=" + unit.label() + ", start_factor=" + startFactor + ", then="
                + then.spec() + ")";
    }

    private static final class Running extends Scheduler {
        private final LinearWarmup s;
        private Scheduler inner;
        private long count;
        private boolean done;

        Running(LinearWarmup s, double[] baseLrs) {
            super(baseLrs);
            this.s = s;
            this.inner = s.then.start(baseLrs);
            resetWarmup();
        }

        @Override
        public Schedule schedule() {
            return s;
        }

        @Override
        public void step() {
            if (!done) {
                if (s.unit == ScheduleUnit.STEP) {
                    advance();
                }
            } else {
                inner.step();
                System.arraycopy(inner.lr, 0, lr, 0, lr.length);
            }
        }

        @Override
        public void endEpoch(double metric) {
            if (!done) {
                if (s.unit == ScheduleUnit.EPOCH) {
                    advance();
                }
            } else {
                inner.endEpoch(metric);
                System.arraycopy(inner.lr, 0, lr, 0, lr.length);
            }
        }

        private void advance() {
            count++;
            if (count >= s.warmup) {
                done = true;
                inner.startAtZero();
                System.arraycopy(inner.lr, 0, lr, 0, lr.length);
                return;
            }
            // torch LinearLR.get_lr with end_factor 1
            double sf = s.startFactor;
            double f = 1. + (1.0 - sf) / (s.warmup * sf + (count - 1) * (1.0 - sf));
            for (int g = 0; g < lr.length; g++) {
                lr[g] = lr[g] * f;
            }
        }

        @Override
        void startAtZero() {
            inner = s.then.start(base);
            resetWarmup();
        }

        private void resetWarmup() {
            count = 0;
            done = false;
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * s.startFactor;
            }
        }

        @Override
        void save(String prefix, Map<String, Double> out) {
            out.put(prefix + "warmup.count", (double) count);
            out.put(prefix + "warmup.done", done ? 1.0 : 0.0);
            saveLrs(prefix, out);
            inner.save(prefix + "then.", out);
        }

        @Override
        void load(String prefix, Map<String, Double> in) {
            count = (long) (double) in.get(prefix + "warmup.count");
            done = in.get(prefix + "warmup.done") != 0;
            loadLrs(prefix, in);
            inner.load(prefix + "then.", in);
        }
    }
}

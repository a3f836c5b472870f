package dev.descent.optim.schedule;

import java.util.Map;

/**
 * The running form of a schedule that counts the events of one {@link ScheduleUnit} (torch's {@code last_epoch}) and
 * moves the learning rates at each: StepLR, ExponentialLR, CosineAnnealingLR, MultiStepLR, LinearLR, PolynomialLR,
 * CyclicLR, OneCycleLR, LambdaLR. Subclasses set the rates of count 0 when they are created (torch's initial step),
 * and give the update at count {@code k} ({@link #advance(long)}) and the closed form at count 0 ({@link #atZero()});
 * counting, the unit's events and the saved state ({@code last_epoch} and the rates) are here.
 */
abstract class CountingScheduler extends Scheduler {
    private final Schedule schedule;
    private final ScheduleUnit unit;
    private long lastEpoch;

    CountingScheduler(Schedule schedule, ScheduleUnit unit, double[] baseLrs) {
        super(baseLrs);
        this.schedule = schedule;
        this.unit = unit;
    }

    /**
     * Moves {@link #lr} to the rates of count {@code k} (≥ 1) from those of count k − 1. The count becomes k after it
     * returns: an exception leaves the scheduler as it was.
     */
    abstract void advance(long k);

    /** Sets {@link #lr} to the schedule's closed form at count 0 (torch's {@code step(0)}). */
    abstract void atZero();

    @Override
    public final Schedule schedule() {
        return schedule;
    }

    @Override
    public final void step() {
        if (unit == ScheduleUnit.STEP) {
            advance(lastEpoch + 1);
            lastEpoch++;
        }
    }

    @Override
    public final void endEpoch(double metric) {
        if (unit == ScheduleUnit.EPOCH) {
            advance(lastEpoch + 1);
            lastEpoch++;
        }
    }

    @Override
    final void startAtZero() {
        lastEpoch = 0;
        atZero();
    }

    @Override
    final void save(String prefix, Map<String, Double> out) {
        out.put(prefix + "last_epoch", (double) lastEpoch);
        saveLrs(prefix, out);
    }

    @Override
    final void load(String prefix, Map<String, Double> in) {
        lastEpoch = (long) (double) in.get(prefix + "last_epoch");
        loadLrs(prefix, in);
    }
}

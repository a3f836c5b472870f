package dev.descent.optim.schedule;

/**
 * A learning-rate schedule: an immutable description that an optimizer turns into a running {@link Scheduler} for its
 * parameter groups. Each schedule scales each group's own base learning rate (the group's lr, or the optimizer's),
 * exactly as torch.optim.lr_scheduler does:
 * <ul>
 *   <li>{@link #constant()}: the base learning rate;
 *   <li>{@link #step(int, double, ScheduleUnit)}: torch's StepLR, ×γ every {@code step_size} units;
 *   <li>{@link #exponential(double, ScheduleUnit)}: torch's ExponentialLR, ×γ every unit;
 *   <li>{@link #cosine(int, double, ScheduleUnit)}: torch's CosineAnnealingLR (recursive form; past T_max it rises
 *       again, as torch's does);
 *   <li>{@link #warmup(int, ScheduleUnit, double, Schedule)}: torch's LinearLR from {@code start_factor} to 1 over the
 *       warmup, followed by another schedule (torch's SequentialLR with one milestone);
 *   <li>{@link #plateau()}: torch's ReduceLROnPlateau, fed the metric passed to
 *       {@link dev.descent.optim.Optimizer#endEpoch(double)}.
 * </ul>
 * Every schedule says in its {@link ScheduleUnit} whether it advances per optimizer step or per epoch (plateau: per
 * epoch). The learning rate of step k (k from 0) is the rate after k step events / after the epochs ended so far: the
 * first step uses the base rate (or {@code base × start_factor} under a warmup), as in torch where
 * {@code scheduler.step()} follows {@code optimizer.step()}.
 *
 * <p>{@link #spec()} gives a canonical text that {@link #parse(String)} reads back, e.g.
 * {@code warmup(warmup=500, unit=step, start_factor=0.1, then=cosine(t_max=20, eta_min=0.0, unit=epoch))}.
 */
public sealed interface Schedule
        permits ConstantLr, StepLr, ExponentialLr, CosineAnnealingLr, LinearWarmup, ReduceLrOnPlateau {

    /**
     * The most schedules one may hold, itself included: a warmup's {@code then=} chain is at most this long. Running,
     * saving and printing a schedule recurse once per level.
     */
    int MAX_NESTING = 32;

    /** Creates the running scheduler for parameter groups with these base learning rates. */
    Scheduler start(double[] baseLrs);

    /** The canonical text of this schedule (readable by {@link #parse}); also recorded in saved optimizer state. */
    String spec();

    /** The constant schedule. */
    static Schedule constant() {
        return ConstantLr.INSTANCE;
    }

    /** torch's StepLR: multiply by {@code gamma} every {@code stepSize} units. */
    static Schedule step(int stepSize, double gamma, ScheduleUnit unit) {
        return new StepLr(stepSize, gamma, unit);
    }

    /** torch's ExponentialLR: multiply by {@code gamma} every unit. */
    static Schedule exponential(double gamma, ScheduleUnit unit) {
        return new ExponentialLr(gamma, unit);
    }

    /** torch's CosineAnnealingLR with {@code T_max} units and minimum {@code eta_min}. */
    static Schedule cosine(int tMax, double etaMin, ScheduleUnit unit) {
        return new CosineAnnealingLr(tMax, etaMin, unit);
    }

    /** Linear warmup from {@code startFactor × base} over {@code warmup} units, then {@code then}. */
    static Schedule warmup(int warmup, ScheduleUnit unit, double startFactor, Schedule then) {
        return new LinearWarmup(warmup, unit, startFactor, then);
    }

    /** torch's ReduceLROnPlateau with its defaults (mode min, factor 0.1, patience 10, threshold 1e-4 rel). */
    static ReduceLrOnPlateau plateau() {
        return ReduceLrOnPlateau.defaults();
    }

    /**
     * Parses a schedule from text: {@code name(key=value, ...)}, parentheses optional when there are no settings.
     * Names and settings (defaults in brackets; units {@code step} or {@code epoch}):
     * <ul>
     *   <li>{@code constant}
     *   <li>{@code step(step_size, gamma [0.1], unit [epoch])}
     *   <li>{@code exponential(gamma, unit [epoch])}
     *   <li>{@code cosine(t_max, eta_min [0], unit [epoch])}
     *   <li>{@code warmup(warmup, unit [step], start_factor [1/3], then [constant])}
     *   <li>{@code plateau(mode [min], factor [0.1], patience [10], threshold [1e-4], threshold_mode [rel],
     *       cooldown [0], min_lr [0], eps [1e-8])}
     * </ul>
     *
     * <p>Schedules nest (through {@code then=}) at most {@value #MAX_NESTING} deep.
     *
     * @throws IllegalArgumentException naming the setting or the position that is wrong
     */
    static Schedule parse(String text) {
        return ScheduleParser.parse(text);
    }
}

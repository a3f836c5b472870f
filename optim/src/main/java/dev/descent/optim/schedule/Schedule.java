package dev.descent.optim.schedule;

import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * A learning-rate schedule: an immutable description that an optimizer turns into a running {@link Scheduler} for its
 * parameter groups. Each schedule scales each group's own base learning rate (the group's lr, or the optimizer's),
 * exactly as torch.optim.lr_scheduler does:
 * <ul>
 *   <li>{@link #constant()}: the base learning rate;
 *   <li>{@link #step(int, double, ScheduleUnit)}: torch's StepLR, ×γ every {@code step_size} units;
 *   <li>{@link #multiStep(List, double, ScheduleUnit)}: torch's MultiStepLR, ×γ at each milestone;
 *   <li>{@link #exponential(double, ScheduleUnit)}: torch's ExponentialLR, ×γ every unit;
 *   <li>{@link #cosine(int, double, ScheduleUnit)}: torch's CosineAnnealingLR (recursive form; past T_max it rises
 *       again, as torch's does);
 *   <li>{@link #cosineWarmRestarts(int, int, double, ScheduleUnit)}: torch's CosineAnnealingWarmRestarts (SGDR);
 *   <li>{@link #linear(double, double, int, ScheduleUnit)}: torch's LinearLR, the factor moving linearly from
 *       {@code start_factor} to {@code end_factor};
 *   <li>{@link #polynomial(int, double, ScheduleUnit)}: torch's PolynomialLR, to 0 over {@code total_iters} units;
 *   <li>{@link #warmup(int, ScheduleUnit, double, Schedule)}: torch's LinearLR from {@code start_factor} to 1 over the
 *       warmup, followed by another schedule (torch's SequentialLR with one milestone);
 *   <li>{@link #plateau()}: torch's ReduceLROnPlateau, fed the metric passed to
 *       {@link dev.descent.optim.Optimizer#endEpoch(double)};
 *   <li>{@link #lambda(String, ScheduleUnit, LongToDoubleFunction)}: a user-defined factor of the unit count,
 *       torch's LambdaLR.
 * </ul>
 * Two schedules set the rates themselves instead of scaling the base rates (as torch's do), and drive the learning
 * rate only (torch's {@code cycle_momentum=False}: momentum and β1 keep the optimizer's values):
 * <ul>
 *   <li>{@link #oneCycle(double, int, double, OneCycleLr.Anneal, double, double, boolean, ScheduleUnit)}: torch's
 *       OneCycleLR; every group peaks at {@code max_lr}, or without it at its own base rate; past
 *       {@code total_steps} it holds its final rate (torch raises an error);
 *   <li>{@link #cyclic(double, double, int, int, CyclicLr.Mode, double, ScheduleUnit)}: torch's CyclicLR, every group
 *       between {@code base_lr} and {@code max_lr}.
 * </ul>
 * Every schedule says in its {@link ScheduleUnit} whether it advances per optimizer step or per epoch (plateau: per
 * epoch). The learning rate of step k (k from 0) is the rate after k step events / after the epochs ended so far: the
 * first step uses the base rate (or {@code base × start_factor} under a warmup), as in torch where
 * {@code scheduler.step()} follows {@code optimizer.step()}.
 *
 * <p>{@link #spec()} gives a canonical text that {@link #parse(String)} reads back, e.g.
 * {@code warmup(warmup=500, unit=step, start_factor=0.1, then=cosine(t_max=20, eta_min=0.0, unit=epoch))}.
 *
 * <p>The interface is sealed: the schedules above are the ones whose arithmetic descent follows to the bit. A schedule
 * of one's own is a function of the unit count given to {@link #lambda(String, ScheduleUnit, LongToDoubleFunction)}.
 */
public sealed interface Schedule
        permits ConstantLr, StepLr, ExponentialLr, CosineAnnealingLr, LinearWarmup, ReduceLrOnPlateau, MultiStepLr,
        OneCycleLr, CosineAnnealingWarmRestarts, PolynomialLr, CyclicLr, LinearLr, LambdaLr {

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

    /** torch's MultiStepLR: multiply by {@code gamma} at each of the {@code milestones} (a repeated one: γⁿ). */
    static Schedule multiStep(List<Integer> milestones, double gamma, ScheduleUnit unit) {
        return new MultiStepLr(milestones, gamma, unit);
    }

    /** torch's ExponentialLR: multiply by {@code gamma} every unit. */
    static Schedule exponential(double gamma, ScheduleUnit unit) {
        return new ExponentialLr(gamma, unit);
    }

    /** torch's CosineAnnealingLR with {@code T_max} units and minimum {@code eta_min}. */
    static Schedule cosine(int tMax, double etaMin, ScheduleUnit unit) {
        return new CosineAnnealingLr(tMax, etaMin, unit);
    }

    /**
     * torch's CosineAnnealingWarmRestarts: cosine annealing to {@code etaMin} over {@code t0} units, then restarts,
     * each period {@code tMult} times the previous.
     */
    static Schedule cosineWarmRestarts(int t0, int tMult, double etaMin, ScheduleUnit unit) {
        return new CosineAnnealingWarmRestarts(t0, tMult, etaMin, unit);
    }

    /** torch's LinearLR: the factor moves from {@code startFactor} to {@code endFactor} over {@code totalIters}. */
    static Schedule linear(double startFactor, double endFactor, int totalIters, ScheduleUnit unit) {
        return new LinearLr(startFactor, endFactor, totalIters, unit);
    }

    /** torch's PolynomialLR: base × (1 − k/totalIters)^power, 0 from unit {@code totalIters} on. */
    static Schedule polynomial(int totalIters, double power, ScheduleUnit unit) {
        return new PolynomialLr(totalIters, power, unit);
    }

    /**
     * torch's OneCycleLR ({@code cycle_momentum=False}); {@code maxLr} NaN: each group peaks at its own base rate.
     * See {@link OneCycleLr}.
     */
    static Schedule oneCycle(double maxLr, int totalSteps, double pctStart, OneCycleLr.Anneal anneal,
            double divFactor, double finalDivFactor, boolean threePhase, ScheduleUnit unit) {
        return new OneCycleLr(maxLr, totalSteps, pctStart, anneal, divFactor, finalDivFactor, threePhase, unit);
    }

    /**
     * torch's OneCycleLR with its defaults (pct_start 0.3, cosine, div_factor 25, final_div_factor 1e4, two phases),
     * per step; {@code maxLr} NaN: each group peaks at its own base rate.
     */
    static Schedule oneCycle(double maxLr, int totalSteps) {
        return new OneCycleLr(maxLr, totalSteps, 0.3, OneCycleLr.Anneal.COS, 25, 1e4, false, ScheduleUnit.STEP);
    }

    /** torch's CyclicLR ({@code cycle_momentum=False}). See {@link CyclicLr}. */
    static Schedule cyclic(double baseLr, double maxLr, int stepSizeUp, int stepSizeDown, CyclicLr.Mode mode,
            double gamma, ScheduleUnit unit) {
        return new CyclicLr(baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, unit);
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
     * A user-defined schedule, torch's LambdaLR: unit k uses base × {@code factor(k)}. The name stands for the function
     * in the spec ({@code lambda(name=NAME, unit=...)}) and in saved state: see {@link LambdaLr}.
     */
    static Schedule lambda(String name, ScheduleUnit unit, LongToDoubleFunction factor) {
        return new LambdaLr(name, unit, factor);
    }

    /**
     * Parses a schedule from text: {@code name(key=value, ...)}, parentheses optional when there are no settings.
     * Names and settings (defaults in brackets; units {@code step} or {@code epoch}):
     * <ul>
     *   <li>{@code constant}
     *   <li>{@code step(step_size, gamma [0.1], unit [epoch])}
     *   <li>{@code multistep(milestones, gamma [0.1], unit [epoch])}: milestones a list in brackets,
     *       {@code milestones=[30, 80]} (a single one may be written {@code milestones=30})
     *   <li>{@code exponential(gamma, unit [epoch])}
     *   <li>{@code cosine(t_max, eta_min [0], unit [epoch])}
     *   <li>{@code cosine-warm-restarts(t_0, t_mult [1], eta_min [0], unit [epoch])}
     *   <li>{@code linear(start_factor [1/3], end_factor [1], total_iters [5], unit [epoch])}
     *   <li>{@code polynomial(total_iters [5], power [1], unit [epoch])}
     *   <li>{@code onecycle(max_lr [each group's base rate], total_steps, pct_start [0.3], anneal [cos] (cos|linear),
     *       div_factor [25], final_div_factor [1e4], three_phase [false], unit [step])}
     *   <li>{@code cyclic(base_lr, max_lr, step_size_up [2000], step_size_down [step_size_up],
     *       mode [triangular] (triangular|triangular2|exp_range), gamma [1], unit [step])}
     *   <li>{@code warmup(warmup, unit [step], start_factor [1/3], then [constant])}: {@code then} any schedule but
     *       onecycle
     *   <li>{@code plateau(mode [min], factor [0.1], patience [10], threshold [1e-4], threshold_mode [rel],
     *       cooldown [0], min_lr [0], eps [1e-8])}
     *   <li>{@code lambda(name, unit [epoch])}: only with {@link #parse(String, Map)}, which is given the functions
     * </ul>
     *
     * <p>Schedules nest (through {@code then=}) at most {@value #MAX_NESTING} deep.
     *
     * @throws IllegalArgumentException naming the setting or the position that is wrong
     */
    static Schedule parse(String text) {
        return ScheduleParser.parse(text, Map.of());
    }

    /**
     * Parses a schedule as {@link #parse(String)} does, with user-defined schedules: {@code lambda(name=NAME, unit=U)}
     * becomes {@link #lambda(String, ScheduleUnit, LongToDoubleFunction) lambda(NAME, U, functions.get(NAME))}.
     *
     * @throws IllegalArgumentException naming the setting or the position that is wrong, or a name not in
     *                                  {@code functions}
     */
    static Schedule parse(String text, Map<String, ? extends LongToDoubleFunction> functions) {
        return ScheduleParser.parse(text, functions);
    }
}

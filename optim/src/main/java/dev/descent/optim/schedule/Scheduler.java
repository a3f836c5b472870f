package dev.descent.optim.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A running learning-rate schedule: the per-group learning rates of one optimizer and the counters that move them,
 * created by {@link Schedule#start(double[])} from the groups' base learning rates. An optimizer owns one and calls
 * {@link #step()} after every update and {@link #endEpoch(double)} at the end of every epoch; the schedule advances on
 * the events of its {@link ScheduleUnit} and ignores the others.
 *
 * <p>The arithmetic follows torch 1.13's schedulers in double precision, in torch's operation order (their chainable,
 * recursive form where torch uses it, their closed form where torch computes one), so the learning rates equal torch's
 * {@code param_group['lr']} values to the last bit or within an ulp or two where {@code cos} or a rounded {@code pow}
 * is involved.
 *
 * <p>Not thread-safe.
 */
public abstract class Scheduler {
    final double[] base;
    final double[] lr;

    Scheduler(double[] baseLrs) {
        if (baseLrs.length == 0) {
            throw new IllegalArgumentException("a schedule needs at least one parameter group");
        }
        for (int g = 0; g < baseLrs.length; g++) {
            double v = baseLrs[g];
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("schedule: base learning rate of group " + g + " is " + v
                        + ", must be a finite number >= 0");
            }
        }
        this.base = baseLrs.clone();
        this.lr = baseLrs.clone();
    }

    /** Number of parameter groups. */
    public final int groups() {
        return lr.length;
    }

    /** The learning rate the next optimizer step uses for {@code group}. */
    public final double lr(int group) {
        return lr[group];
    }

    /**
     * The group's base learning rate, the one the schedule was started with (torch's {@code initial_lr}; onecycle with
     * a {@code max_lr} and cyclic set their rates without it).
     */
    public final double baseLr(int group) {
        return base[group];
    }

    /** The schedule this scheduler runs. */
    public abstract Schedule schedule();

    /** Called after every optimizer step; advances a {@link ScheduleUnit#STEP} schedule. */
    public abstract void step();

    /**
     * Called at the end of every epoch; advances a {@link ScheduleUnit#EPOCH} schedule. {@code metric} (the epoch's
     * loss) is used by reduce-on-plateau only; NaN counts as no improvement.
     */
    public abstract void endEpoch(double metric);

    /** Sets the learning rates to the schedule's closed form at its epoch 0 (torch's {@code step(0)}). */
    abstract void startAtZero();

    /** Writes the state, keys prefixed with {@code prefix}. */
    abstract void save(String prefix, Map<String, Double> out);

    /** Reads the state written by {@link #save}; every key was checked to be present. */
    abstract void load(String prefix, Map<String, Double> in);

    final void saveLrs(String prefix, Map<String, Double> out) {
        for (int g = 0; g < lr.length; g++) {
            out.put(prefix + "lr." + g, lr[g]);
        }
    }

    final void loadLrs(String prefix, Map<String, Double> in) {
        for (int g = 0; g < lr.length; g++) {
            lr[g] = in.get(prefix + "lr." + g);
        }
    }

    /**
     * The state (learning rates and counters) by name, in a fixed order: what an optimizer's saved state records for
     * its schedule.
     */
    public final Map<String, Double> state() {
        Map<String, Double> out = new LinkedHashMap<>();
        save("", out);
        return out;
    }

    /**
     * Restores a state returned by {@link #state()} of a scheduler of the same schedule and group count.
     *
     * @throws IllegalArgumentException naming a missing, unexpected or invalid entry; this scheduler is then unchanged
     */
    public final void restore(Map<String, Double> state) {
        Map<String, Double> expected = state();
        Set<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(state.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("schedule state lacks " + String.join(", ", missing));
        }
        Set<String> extra = new TreeSet<>(state.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("schedule state has unexpected " + String.join(", ", extra)
                    + " (another schedule or another number of parameter groups)");
        }
        for (Map.Entry<String, Double> e : state.entrySet()) {
            double v = e.getValue();
            String key = e.getKey();
            boolean isLr = key.equals("lr") || key.startsWith("lr.") || key.contains(".lr.");
            if (isLr && (!(v >= 0) || Double.isInfinite(v))) {
                throw new IllegalArgumentException("schedule state " + key + " = " + v + " is not a learning rate");
            }
            if (!isLr && !key.endsWith("best") && (Double.isNaN(v) || v != Math.rint(v))) {
                throw new IllegalArgumentException("schedule state " + key + " = " + v + " is not a whole count");
            }
        }
        load("", state);
    }
}

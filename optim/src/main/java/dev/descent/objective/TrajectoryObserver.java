package dev.descent.objective;

/**
 * Receives the rows of an {@link ObjectiveMinimizer} run as they are computed, so that a run of any length can be
 * written to a file or sampled without holding its path in memory (a {@link Trajectory} holds every row: 20 million
 * steps of a 2-D objective are 320 MB before anything is formatted).
 *
 * <p>Rows come in order: step 0 (the start) first, then one per optimizer step, from the minimizer's thread.
 */
@FunctionalInterface
public interface TrajectoryObserver {
    /**
     * One row: the parameters after {@code step} optimizer steps and the objective's value there (non-finite values
     * as they are).
     *
     * @param step       the row, from 0
     * @param parameters the parameters; the minimizer's own buffer, valid only during this call: copy what you keep,
     *                   and do not modify it
     * @param value      the objective's value at {@code parameters}
     */
    void row(int step, float[] parameters, double value);
}

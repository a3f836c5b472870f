package dev.descent.objective;

import java.util.Arrays;

/**
 * How an {@link ObjectiveMinimizer} run ended, without its path: what
 * {@link ObjectiveMinimizer#run(dev.descent.optim.Optimizer, int, boolean, TrajectoryObserver)} returns (the rows went
 * to the observer), and what {@link Trajectory#summary()} gives for a recorded run.
 *
 * @param dimension       length of each parameter row
 * @param rows            rows produced (steps + 1)
 * @param finalParameters the parameters of the last row
 * @param finalValue      the objective's value in the last row
 * @param divergedAt      the first row whose value or parameters are not finite, or beyond the threshold; −1 if none
 * @param stoppedEarly    whether the run stopped at {@code divergedAt} because it was asked to
 */
public record RunSummary(int dimension, int rows, float[] finalParameters, double finalValue, int divergedAt,
        boolean stoppedEarly) {
    /** Copies the parameters. */
    public RunSummary {
        finalParameters = finalParameters.clone();
        if (finalParameters.length != dimension) {
            throw new IllegalArgumentException("final parameters have " + finalParameters.length + " values, "
                    + "dimension is " + dimension);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
    }

    /** A copy of the parameters of the last row. */
    @Override
    public float[] finalParameters() {
        return finalParameters.clone();
    }

    /** Optimizer steps made: rows − 1. */
    public int steps() {
        return rows - 1;
    }

    /** Whether any row diverged. */
    public boolean diverged() {
        return divergedAt >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunSummary r && r.dimension == dimension && r.rows == rows
                && Arrays.equals(r.finalParameters, finalParameters)
                && Double.compare(r.finalValue, finalValue) == 0 && r.divergedAt == divergedAt
                && r.stoppedEarly == stoppedEarly;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(finalParameters) * 31 + Double.hashCode(finalValue) * 7 + rows + divergedAt;
    }

    @Override
    public String toString() {
        return "RunSummary[steps=" + steps() + ", final=" + Arrays.toString(finalParameters) + ", value="
                + finalValue + (diverged() ? ", diverged at step " + divergedAt : "") + "]";
    }
}

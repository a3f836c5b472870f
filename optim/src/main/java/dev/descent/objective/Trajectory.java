package dev.descent.objective;

import java.io.IOException;
import java.util.Arrays;

/**
 * The path of an {@link ObjectiveMinimizer} run: row {@code k} holds the parameters after {@code k} optimizer steps and
 * the objective's value there (row 0 is the start). Non-finite values and parameters are kept as they were.
 *
 * <p>A run that was asked to stop on divergence ends at the first diverged row; otherwise every requested step is
 * present and {@link #divergedAt()} still says where the run first diverged.
 *
 * <p>A trajectory holds every row in memory: fine for thousands of steps, not for millions. Long runs hand their rows
 * to a {@link TrajectoryObserver} instead (write them out, keep a bounded {@link TrajectorySample} to plot).
 */
public final class Trajectory {
    private final int dimension;
    private final int rows;
    private final float[] params;
    private final double[] values;
    private final int divergedAt;
    private final boolean stopped;

    Trajectory(int dimension, int rows, float[] params, double[] values, int divergedAt, boolean stopped) {
        this.dimension = dimension;
        this.rows = rows;
        this.params = params;
        this.values = values;
        this.divergedAt = divergedAt;
        this.stopped = stopped;
    }

    /** Length of each parameter row. */
    public int dimension() {
        return dimension;
    }

    /** Optimizer steps recorded: rows − 1. */
    public int steps() {
        return rows - 1;
    }

    /** Number of rows (steps + 1). */
    public int rows() {
        return rows;
    }

    /** A copy of the parameters after {@code k} steps. */
    public float[] parameters(int k) {
        checkRow(k);
        return Arrays.copyOfRange(params, k * dimension, (k + 1) * dimension);
    }

    /** Parameter {@code i} after {@code k} steps. */
    public float parameter(int k, int i) {
        checkRow(k);
        if (i < 0 || i >= dimension) {
            throw new IndexOutOfBoundsException("parameter " + i + " of " + dimension);
        }
        return params[k * dimension + i];
    }

    /** The objective's value after {@code k} steps. */
    public double value(int k) {
        checkRow(k);
        return values[k];
    }

    /** The parameters after the last recorded step. */
    public float[] finalParameters() {
        return parameters(rows - 1);
    }

    /** The value after the last recorded step. */
    public double finalValue() {
        return values[rows - 1];
    }

    /** Whether any recorded row diverged. */
    public boolean diverged() {
        return divergedAt >= 0;
    }

    /** The first row (= step count) whose value or parameters are not finite, or beyond the threshold; −1 if none. */
    public int divergedAt() {
        return divergedAt;
    }

    /** Whether the run stopped early because it diverged (only when asked to). */
    public boolean stoppedEarly() {
        return stopped;
    }

    /** How the run ended, without the path. */
    public RunSummary summary() {
        return new RunSummary(dimension, rows, finalParameters(), finalValue(), divergedAt, stopped);
    }

    /** Hands every row, in order, to {@code observer} (as a streamed run would have). */
    public void replay(TrajectoryObserver observer) {
        float[] row = new float[dimension];
        for (int k = 0; k < rows; k++) {
            System.arraycopy(params, k * dimension, row, 0, dimension);
            observer.row(k, row, values[k]);
        }
    }

    /** Writes {@code step,w1,…,wn,value} with a header line, one row per step. */
    public void writeCsv(Appendable out) throws IOException {
        out.append("step");
        for (int i = 1; i <= dimension; i++) {
            out.append(",w").append(Integer.toString(i));
        }
        out.append(",value\n");
        for (int k = 0; k < rows; k++) {
            out.append(Integer.toString(k));
            for (int i = 0; i < dimension; i++) {
                out.append(',').append(Float.toString(params[k * dimension + i]));
            }
            out.append(',').append(Double.toString(values[k])).append('\n');
        }
    }

    @Override
    public String toString() {
        return "Trajectory[steps=" + steps() + ", final=" + Arrays.toString(finalParameters()) + ", value="
                + finalValue() + (diverged() ? ", diverged at step " + divergedAt : "") + "]";
    }

    private void checkRow(int k) {
        if (k < 0 || k >= rows) {
            throw new IndexOutOfBoundsException("row " + k + " of " + rows);
        }
    }
}

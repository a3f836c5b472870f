package dev.descent.objective;

import java.util.Arrays;

/**
 * A bounded sample of a run's rows, to plot a run of any length: a {@link TrajectoryObserver} that keeps at most
 * {@link #bound()} rows however many it is given.
 *
 * <p>It keeps
 * <ul>
 * <li>every row before step {@code head} (the start, where the path moves most);</li>
 * <li>rows spaced evenly in log(step), {@code perDecade} per decade from there on, so that a loss curve on a log step
 * axis keeps its shape;</li>
 * <li>every {@code stride}-th row, the stride starting at 1 and doubling (halving the rows kept) whenever more than
 * {@code capacity} of these would be kept, so that the path is drawn evenly over the whole run;</li>
 * <li>the first row whose parameters or value are not finite, and the row before it (where a run diverged);</li>
 * <li>the last row, and the last row whose parameters are finite (where a diverged path ends on a plot).</li>
 * </ul>
 * A run of at most {@code head + capacity} rows is therefore kept whole. Rows are kept in step order.
 *
 * <p>Rows must come with increasing steps (as an {@link ObjectiveMinimizer} gives them). Taking a row allocates
 * nothing.
 */
public final class TrajectorySample implements TrajectoryObserver {
    /** Rows always kept at the start. */
    public static final int DEFAULT_HEAD = 1000;
    /** Evenly strided rows kept beyond the head. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** Log-spaced rows per decade of steps. */
    public static final int DEFAULT_PER_DECADE = 50;

    private final int dimension;
    private final int head;
    private final int capacity;
    private final double ratio;
    private final int bound;

    private final int[] steps;
    private final float[] params;
    private final double[] values;
    private final boolean[] pinned;
    private int size;
    private int strided;
    private int stride = 1;
    private long nextLogPin;
    private long seen;
    private boolean nonFiniteSeen;

    private int lastStep = -1;
    private final float[] lastParams;
    private double lastValue;
    private int finiteStep = -1;
    private final float[] finiteParams;
    private double finiteValue;

    private int[] viewSteps;
    private float[] viewParams;
    private double[] viewValues;

    /** A sample with the default head, capacity and log spacing. */
    public TrajectorySample(int dimension) {
        this(dimension, DEFAULT_HEAD, DEFAULT_CAPACITY, DEFAULT_PER_DECADE);
    }

    /**
     * A sample of rows of {@code dimension} parameters.
     *
     * @param head      rows 0 .. head−1 are all kept (at least 1: the start)
     * @param capacity  at most this many evenly strided rows are kept beyond the head (at least 2)
     * @param perDecade log-spaced rows per decade of steps (at least 1)
     */
    public TrajectorySample(int dimension, int head, int capacity, int perDecade) {
        if (dimension < 1 || head < 1 || capacity < 2 || perDecade < 1) {
            throw new IllegalArgumentException("dimension, head and perDecade must be >= 1 and capacity >= 2, got "
                    + dimension + ", " + head + ", " + capacity + ", " + perDecade);
        }
        this.dimension = dimension;
        this.head = head;
        this.capacity = capacity;
        this.ratio = Math.pow(10, 1.0 / perDecade);
        int logPins = 0;
        for (long s = head; s <= Integer.MAX_VALUE; s = nextPin(s)) {
            logPins++;
        }
        // + 1: the strided count may pass the capacity by one before it is compacted; + 2: the divergence rows
        long entries = (long) head + logPins + capacity + 1 + 2;
        if (entries > Integer.MAX_VALUE / Math.max(1, dimension) - 8) {
            throw new IllegalArgumentException("a sample of " + entries + " rows of " + dimension
                    + " parameters is too large");
        }
        int n = (int) entries;
        this.steps = new int[n];
        this.params = new float[n * dimension];
        this.values = new double[n];
        this.pinned = new boolean[n];
        // at rest at most n − 1 entries (the strided rows are compacted back to the capacity), and the view adds the
        // last row and the last finite row
        this.bound = n - 1 + 2;
        this.nextLogPin = head;
        this.lastParams = new float[dimension];
        this.finiteParams = new float[dimension];
    }

    private long nextPin(long s) {
        return Math.max(s + 1, (long) Math.ceil(s * ratio));
    }

    @Override
    public void row(int step, float[] parameters, double value) {
        if (step < 0 || step <= lastStep) {
            throw new IllegalArgumentException("rows must come with increasing steps >= 0: step " + step + " after "
                    + lastStep);
        }
        if (parameters.length < dimension) {
            throw new IllegalArgumentException("row of " + parameters.length + " parameters, the sample has "
                    + dimension);
        }
        seen++;
        viewSteps = null;
        boolean finite = true;
        for (int i = 0; i < dimension; i++) {
            finite &= Float.isFinite(parameters[i]);
        }
        if (!nonFiniteSeen && !(finite && Double.isFinite(value))) {
            nonFiniteSeen = true;
            // the last row before it went wrong
            if (size > 0 && steps[size - 1] == lastStep) {
                if (!pinned[size - 1]) {
                    pinned[size - 1] = true;
                    strided--;
                }
            } else if (lastStep >= 0) {
                add(lastStep, lastParams, lastValue, true);
            }
            add(step, parameters, value, true);
        } else if (step < head) {
            add(step, parameters, value, true);
        } else if (step >= nextLogPin) {
            add(step, parameters, value, true);
            nextLogPin = nextPin(step);
        } else if (step % stride == 0) {
            add(step, parameters, value, false);
            while (strided > capacity) {
                stride *= 2;
                compact();
            }
        }
        lastStep = step;
        System.arraycopy(parameters, 0, lastParams, 0, dimension);
        lastValue = value;
        if (finite) {
            finiteStep = step;
            System.arraycopy(parameters, 0, finiteParams, 0, dimension);
            finiteValue = value;
        }
    }

    private void add(int step, float[] p, double v, boolean pin) {
        steps[size] = step;
        System.arraycopy(p, 0, params, size * dimension, dimension);
        values[size] = v;
        pinned[size] = pin;
        size++;
        if (!pin) {
            strided++;
        }
    }

    /** Drops the strided rows that are not on the (doubled) stride. */
    private void compact() {
        int out = 0;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (pinned[i] || steps[i] % stride == 0) {
                if (out != i) {
                    steps[out] = steps[i];
                    System.arraycopy(params, i * dimension, params, out * dimension, dimension);
                    values[out] = values[i];
                    pinned[out] = pinned[i];
                }
                if (!pinned[out]) {
                    kept++;
                }
                out++;
            }
        }
        size = out;
        strided = kept;
    }

    private void view() {
        if (viewSteps != null) {
            return;
        }
        boolean addFinite = finiteStep >= 0 && finiteStep != lastStep
                && Arrays.binarySearch(steps, 0, size, finiteStep) < 0;
        boolean addLast = lastStep >= 0 && (size == 0 || steps[size - 1] != lastStep);
        int n = size + (addFinite ? 1 : 0) + (addLast ? 1 : 0);
        int[] s = new int[n];
        float[] p = new float[n * dimension];
        double[] v = new double[n];
        int at = 0;
        for (int i = 0; i < size; i++) {
            if (addFinite && steps[i] > finiteStep) {
                s[at] = finiteStep;
                System.arraycopy(finiteParams, 0, p, at * dimension, dimension);
                v[at++] = finiteValue;
                addFinite = false;
            }
            s[at] = steps[i];
            System.arraycopy(params, i * dimension, p, at * dimension, dimension);
            v[at++] = values[i];
        }
        if (addFinite) {
            s[at] = finiteStep;
            System.arraycopy(finiteParams, 0, p, at * dimension, dimension);
            v[at++] = finiteValue;
        }
        if (addLast) {
            s[at] = lastStep;
            System.arraycopy(lastParams, 0, p, at * dimension, dimension);
            v[at] = lastValue;
        }
        viewSteps = s;
        viewParams = p;
        viewValues = v;
    }

    /** Length of each parameter row. */
    public int dimension() {
        return dimension;
    }

    /** Rows kept (at most {@link #bound()}). */
    public int size() {
        view();
        return viewSteps.length;
    }

    /** The most rows this sample ever keeps. */
    public int bound() {
        return bound;
    }

    /** Rows given to it so far. */
    public long rowsSeen() {
        return seen;
    }

    /** The current stride of the evenly spaced rows (1 while every row is kept). */
    public int stride() {
        return stride;
    }

    /** Whether every row given so far is kept. */
    public boolean complete() {
        return size() == seen;
    }

    /** The step of kept row {@code i} (increasing with {@code i}). */
    public int step(int i) {
        view();
        return viewSteps[i];
    }

    /** The objective's value in kept row {@code i}. */
    public double value(int i) {
        view();
        return viewValues[i];
    }

    /** Parameter {@code j} of kept row {@code i}. */
    public float parameter(int i, int j) {
        view();
        if (j < 0 || j >= dimension) {
            throw new IndexOutOfBoundsException("parameter " + j + " of " + dimension);
        }
        return viewParams[i * dimension + j];
    }

    /** The kept rows' steps. */
    public int[] steps() {
        view();
        return viewSteps.clone();
    }

    /** The kept rows' values. */
    public double[] values() {
        view();
        return viewValues.clone();
    }

    /** Parameter {@code j} of every kept row, as doubles (for plotting). */
    public double[] parameters(int j) {
        view();
        if (j < 0 || j >= dimension) {
            throw new IndexOutOfBoundsException("parameter " + j + " of " + dimension);
        }
        double[] out = new double[viewSteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = viewParams[i * dimension + j];
        }
        return out;
    }

    @Override
    public String toString() {
        return "TrajectorySample[" + size() + " of " + seen + " rows, stride " + stride + "]";
    }
}

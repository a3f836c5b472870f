package dev.descent.objective;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.Closure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Parameter;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs any {@link Optimizer} on an {@link Objective}: the parameters live on a backend as one float32 tensor
 * [1, n]; each step downloads w, computes the gradient on the host, uploads it into the parameter's gradient tensor
 * and calls {@link Optimizer#step(Closure)} with the objective as the closure: an optimizer that updates from the
 * gradient uses the value and gradient just computed (one evaluation per step, as {@link Optimizer#step()}), one that
 * evaluates the objective itself ({@link dev.descent.optim.Lbfgs}: one step is up to max_iter iterations) gets them
 * as its first evaluation and calls the objective again for the points it visits. Either way row k is the point
 * after k steps. The trajectory records every point (row 0 the start); for long runs, give a
 * {@link TrajectoryObserver} instead ({@link #run(Optimizer, int, boolean, TrajectoryObserver)}), which receives each
 * row as it is computed and keeps whatever it likes (a file, a {@link TrajectorySample}), in constant memory.
 *
 * <pre>{@code
 * try (ObjectiveMinimizer m = new ObjectiveMinimizer(backend, Rosenbrock.lecture(), new float[] {-1.5f, 2f})) {
 *     Optimizer sgd = ...;                        // built over m.parameters()
 *     Trajectory t = m.run(sgd, 1000);
 *     if (t.diverged()) System.out.println("diverged at step " + t.divergedAt());
 * }
 * }</pre>
 *
 * <p><b>Divergence</b> is a result, not an error: a row whose value or parameters are not finite (or whose value's
 * magnitude exceeds {@link #divergenceThreshold(double)}) is reported by {@link Trajectory#divergedAt()}. The run stops
 * there only when asked ({@code stopOnDivergence}); otherwise non-finite rows are kept.
 *
 * <p>A step allocates nothing: the host arrays and the trajectory are allocated before the loop. {@code run} may be
 * called again and continues from the current parameters.
 */
public final class ObjectiveMinimizer implements AutoCloseable {
    private final Backend backend;
    private final Objective objective;
    private final int n;
    private final Tensor value;
    private final Tensor grad;
    private final Parameter parameter;
    private final float[] w;
    private final float[] g;
    // the closure handed to the optimizer: its first call returns the row's value (the gradient is uploaded already),
    // later calls evaluate the objective at the parameters' current values
    private final float[] cw;
    private final float[] cg;
    private final Closure closure = this::evaluate;
    private boolean primed;
    private double primedValue;
    private double threshold = Double.POSITIVE_INFINITY;
    private boolean closed;

    /**
     * Uploads the start point.
     *
     * @param start the initial parameters, of length {@code objective.dimension()}
     */
    public ObjectiveMinimizer(Backend backend, Objective objective, float[] start) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.objective = Objects.requireNonNull(objective, "objective");
        this.n = objective.dimension();
        if (start.length != n) {
            throw new IllegalArgumentException(objective.describe() + ": start point has " + start.length
                    + " values, expected " + n);
        }
        this.value = backend.upload(start.clone(), 1, n);
        this.grad = backend.allocate(1, n);
        this.parameter = new Parameter("w", value, grad);
        this.w = new float[n];
        this.g = new float[n];
        this.cw = new float[n];
        this.cg = new float[n];
    }

    /**
     * Builds the minimizer and an optimizer over its parameter, runs {@code steps} steps, closes both.
     *
     * @param optimizerFactory creates the optimizer from the parameter list (one tensor [1, n] named {@code w})
     */
    public static Trajectory minimize(Backend backend, Objective objective, float[] start,
            Function<List<Parameter>, Optimizer> optimizerFactory, int steps, boolean stopOnDivergence) {
        try (ObjectiveMinimizer m = new ObjectiveMinimizer(backend, objective, start);
                Optimizer optimizer = optimizerFactory.apply(m.parameters())) {
            return m.run(optimizer, steps, stopOnDivergence);
        }
    }

    /**
     * As {@link #minimize(Backend, Objective, float[], Function, int, boolean)}, handing each row to {@code observer}
     * instead of recording it.
     */
    public static RunSummary minimize(Backend backend, Objective objective, float[] start,
            Function<List<Parameter>, Optimizer> optimizerFactory, int steps, boolean stopOnDivergence,
            TrajectoryObserver observer) {
        try (ObjectiveMinimizer m = new ObjectiveMinimizer(backend, objective, start);
                Optimizer optimizer = optimizerFactory.apply(m.parameters())) {
            return m.run(optimizer, steps, stopOnDivergence, observer);
        }
    }

    /** The parameter tensor [1, n] and its gradient, named {@code w}. */
    public Parameter parameter() {
        return parameter;
    }

    /** The one-element parameter list to build an optimizer from. */
    public List<Parameter> parameters() {
        return List.of(parameter);
    }

    /** The objective. */
    public Objective objective() {
        return objective;
    }

    /** Counts a row as diverged when |value| exceeds {@code threshold} (default: only non-finite rows). */
    public ObjectiveMinimizer divergenceThreshold(double threshold) {
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("divergence threshold must be > 0, got " + threshold);
        }
        this.threshold = threshold;
        return this;
    }

    /** Runs {@code steps} steps without stopping on divergence. */
    public Trajectory run(Optimizer optimizer, int steps) {
        return run(optimizer, steps, false);
    }

    /**
     * Runs {@code steps} optimizer steps from the current parameters and records every row.
     *
     * @param stopOnDivergence end at the first diverged row instead of running every step
     * @throws IllegalArgumentException when the rows would not fit in one array (use an observer then)
     */
    public Trajectory run(Optimizer optimizer, int steps, boolean stopOnDivergence) {
        check(optimizer, steps);
        long size = Math.multiplyExact((long) steps + 1, (long) n);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("trajectory of " + steps + " steps x " + n + " parameters is too large "
                    + "to record; pass a TrajectoryObserver to run(optimizer, steps, stopOnDivergence, observer)");
        }
        float[] path = new float[(int) size];
        double[] values = new double[steps + 1];
        RunSummary s = run(optimizer, steps, stopOnDivergence, (k, p, v) -> {
            System.arraycopy(p, 0, path, k * n, n);
            values[k] = v;
        });
        return new Trajectory(n, s.rows(), path, values, s.divergedAt(), s.stoppedEarly());
    }

    /**
     * Runs {@code steps} optimizer steps from the current parameters, handing each row (step 0, the current
     * parameters, first) to {@code observer} as soon as it is computed; keeps nothing of the path. A step allocates
     * nothing. An exception from the observer ends the run and propagates.
     *
     * @param stopOnDivergence end at the first diverged row instead of running every step
     * @return how the run ended
     */
    public RunSummary run(Optimizer optimizer, int steps, boolean stopOnDivergence, TrajectoryObserver observer) {
        check(optimizer, steps);
        Objects.requireNonNull(observer, "observer");
        int divergedAt = -1;
        int rows = 0;
        boolean stopped = false;
        double last = Double.NaN;
        for (int k = 0; ; k++) {
            backend.download(value, w, 0);
            double f = k < steps ? objective.valueAndGradient(w, g) : objective.value(w);
            observer.row(k, w, f);
            last = f;
            rows = k + 1;
            if (divergedAt < 0 && diverged(f)) {
                divergedAt = k;
                if (stopOnDivergence) {
                    stopped = k < steps;
                    break;
                }
            }
            if (k == steps) {
                break;
            }
            backend.upload(g, 0, grad);
            primed = true;
            primedValue = f;
            optimizer.step(closure);
            primed = false;
        }
        return new RunSummary(n, rows, w, last, divergedAt, stopped);
    }

    /** The optimizer's closure: the primed row value first, then the objective at the current parameters. */
    private double evaluate() {
        if (primed) {
            primed = false;
            return primedValue;
        }
        backend.download(value, cw, 0);
        double f = objective.valueAndGradient(cw, cg);
        backend.upload(cg, 0, grad);
        return f;
    }

    private void check(Optimizer optimizer, int steps) {
        Objects.requireNonNull(optimizer, "optimizer");
        if (closed) {
            throw new IllegalStateException("objective minimizer is closed");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        if (!optimizer.parameters().contains(parameter)) {
            throw new IllegalArgumentException("optimizer " + optimizer.name()
                    + " does not update this minimizer's parameter; build it over parameters()");
        }
    }

    private boolean diverged(double f) {
        if (!Double.isFinite(f) || Math.abs(f) > threshold) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(w[i])) {
                return true;
            }
        }
        return false;
    }

    /** Closes the parameter tensors (not the backend). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            value.close();
            grad.close();
        }
    }
}

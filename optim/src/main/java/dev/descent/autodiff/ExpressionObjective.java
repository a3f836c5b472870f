package dev.descent.autodiff;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.objective.Objective;
import dev.descent.optim.Parameter;
import java.util.Objects;
import java.util.function.Function;

/**
 * An {@link Objective} written as an expression: its gradient comes from reverse-mode differentiation, not from the
 * user. The expression is built once, on a {@link Tape}, from the parameter vector {@code w}; each evaluation copies the
 * point in, replays the tape and differentiates it.
 *
 * <pre>{@code
 * try (ExpressionObjective beale = ExpressionObjective.of(backend, 2, "beale", w -> {
 *         Var x = w.get(0), y = w.get(1);
 *         return x.rsub(1.5).add(x.mul(y)).pow(2)
 *                 .add(x.rsub(2.25).add(x.mul(y.pow(2))).pow(2))
 *                 .add(x.rsub(2.625).add(x.mul(y.pow(3))).pow(2));
 *     })) {
 *     Trajectory t = ObjectiveMinimizer.minimize(backend, beale, new float[] {1, 1}, optimizer, 1000);
 * }
 * }</pre>
 *
 * <p>The arithmetic is float32 with torch's formulas, so that the lecture's Rosenbrock written as
 * {@code (1 - w1)^2 + 10*(w2 - w1^2)^2} gives exactly the gradients of the hand-written
 * {@link dev.descent.objective.Rosenbrock}. Evaluations allocate nothing after the first. Not thread-safe.
 *
 * <p><b>Where it runs.</b> The expression is recorded on the backend. A small expression (at most 65,536 elements over
 * all its values) made only of element-wise, broadcasting, reduction, indexing, reshaping and transposing operations
 * is then evaluated on the host, replaying the same recording and backward plan on Java arrays with the same
 * per-element formulas ({@link dev.descent.backend.Elementwise}): an objective of a few scalars would otherwise cost
 * dozens of backend calls, each a dispatch and its checks, per step. An expression of scalars only (elements of w,
 * numbers, element-wise functions: what {@code descent minimize} records) runs as a flat list of instructions. Anything else (matmul, softmax, larger values)
 * replays on the backend. {@link #onBackend} always uses the backend; {@link #evaluatesOnHost()} says which.
 */
public final class ExpressionObjective implements Objective, AutoCloseable {
    private final int dimension;
    private final String description;
    private final Backend backend;
    private final Tape tape;
    private final Tensor w;
    private final Tensor grad;
    private final Var loss;
    /** The same computation on the host, for small expressions; null when it runs on the backend. */
    private final HostEvaluator host;

    private ExpressionObjective(Backend backend, int dimension, String description, Function<Var, Var> expression,
            boolean allowHost) {
        this.backend = backend;
        this.dimension = dimension;
        this.description = description;
        this.tape = new Tape(backend);
        try {
            this.w = tape.own(backend.allocate(dimension));
            this.grad = tape.own(backend.allocate(dimension));
            Var wv = tape.parameter(new Parameter("w", w, grad));
            Var result = expression.apply(wv);
            if (result == null || result.tape() != tape) {
                throw new IllegalArgumentException("the expression must return a value built from w");
            }
            if (result.size() != 1) {
                throw new IllegalArgumentException("the expression must have one element, got "
                        + java.util.Arrays.toString(result.shape()));
            }
            this.loss = result;
            this.host = allowHost ? onHost(tape, result, wv) : null;
        } catch (RuntimeException e) {
            tape.close();
            throw e;
        }
    }

    /**
     * An objective of {@code dimension} parameters whose value is what {@code expression} builds from the parameter
     * vector (a rank-1 {@link Var} of that length); the result must have one element.
     */
    public static ExpressionObjective of(Backend backend, int dimension, String description,
            Function<Var, Var> expression) {
        return create(backend, dimension, description, expression, true);
    }

    /**
     * As {@link #of}, but every evaluation replays the tape on the backend, also for a small expression that
     * {@link #of} would evaluate on the host (for comparisons and benchmarks).
     */
    public static ExpressionObjective onBackend(Backend backend, int dimension, String description,
            Function<Var, Var> expression) {
        return create(backend, dimension, description, expression, false);
    }

    private static ExpressionObjective create(Backend backend, int dimension, String description,
            Function<Var, Var> expression, boolean allowHost) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(expression, "expression");
        if (dimension < 1) {
            throw new IllegalArgumentException("objective dimension must be >= 1, got " + dimension);
        }
        return new ExpressionObjective(backend, dimension, description == null ? "expression" : description,
                expression, allowHost);
    }

    /** Whether evaluations run on the host (a small expression of element-wise operations), not on the backend. */
    public boolean evaluatesOnHost() {
        return host != null;
    }

    /** A scalar program when the tape is one, else a host program when it is small, else null (the backend). */
    private static HostEvaluator onHost(Tape tape, Var loss, Var w) {
        HostEvaluator scalar = ScalarProgram.of(tape, loss, w);
        return scalar != null ? scalar : HostProgram.of(tape, loss, w);
    }

    /** The tape holding the expression. */
    public Tape tape() {
        return tape;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public double value(float[] point) {
        check(point, "w");
        if (host != null) {
            return host.value(point);
        }
        backend.upload(point, 0, w);
        tape.forward();
        return tape.item(loss);
    }

    @Override
    public void gradient(float[] point, float[] g) {
        valueAndGradient(point, g);
    }

    @Override
    public double valueAndGradient(float[] point, float[] g) {
        check(point, "w");
        check(g, "g");
        if (host != null) {
            return host.valueAndGradient(point, g);
        }
        backend.upload(point, 0, w);
        tape.forward();
        tape.backward(loss);
        backend.download(grad, g, 0);
        return tape.item(loss);
    }

    @Override
    public String describe() {
        return description;
    }

    private void check(float[] a, String name) {
        if (a.length != dimension) {
            throw new IllegalArgumentException(description + ": " + name + " has " + a.length + " elements, expected "
                    + dimension);
        }
    }

    @Override
    public void close() {
        tape.close();
    }
}

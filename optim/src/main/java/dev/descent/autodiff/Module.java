package dev.descent.autodiff;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * A model written by the user: it holds its parameters on a backend and says, as an expression, how inputs become
 * outputs. Train it with {@link ExpressionModel} and {@link dev.descent.train.Trainer} like a built-in model.
 *
 * <pre>{@code
 * final class TanhMlp extends Module {
 *     private final Parameter w1, b1, w2, b2;
 *
 *     TanhMlp(Backend backend, int inputs, int hidden, int classes, long seed) {
 *         super(backend);
 *         Random random = new Random(seed);
 *         w1 = uniform("W1", random, inputs, inputs, hidden);
 *         b1 = uniform("b1", random, inputs, hidden);
 *         w2 = uniform("W2", random, hidden, hidden, classes);
 *         b2 = uniform("b2", random, hidden, classes);
 *     }
 *
 *     @Override
 *     public Var forward(Tape tape, Var x) {
 *         Var h = x.matmul(tape.parameter(w1)).add(tape.parameter(b1)).tanh();
 *         return h.matmul(tape.parameter(w2)).add(tape.parameter(b2));
 *     }
 * }
 * }</pre>
 *
 * <p>The parameters are created in the constructor, in a fixed order (the order of checkpoints and saved files), with
 * unique names. {@link #forward} is called once per batch shape, to record the computation; it must build the same
 * computation every time and must not read values back.
 */
public abstract class Module implements AutoCloseable {
    private final Backend backend;
    private final List<Parameter> parameters = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean closed;

    protected Module(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** The backend holding the parameters. */
    public final Backend backend() {
        return backend;
    }

    /** The parameters, in the order they were created. */
    public final List<Parameter> parameters() {
        return List.copyOf(parameters);
    }

    /**
     * The outputs for the inputs {@code x} ([rows, inputs]): a matrix [rows, outputs] (logits for a classifier,
     * predictions for regression). Use {@code tape.parameter(p)} for each parameter.
     */
    public abstract Var forward(Tape tape, Var x);

    /** One line for logs and checkpoints; the class name and the parameter shapes by default. */
    public String describe() {
        StringBuilder s = new StringBuilder(getClass().getSimpleName());
        for (Parameter p : parameters) {
            s.append(' ').append(p.name()).append(java.util.Arrays.toString(p.value().shape()));
        }
        return s.toString();
    }

    /** A new parameter of the given shape ({@code [n]} or {@code [rows, cols]}) holding {@code values}. */
    protected final Parameter parameter(String name, float[] values, int... shape) {
        if (closed) {
            throw new IllegalStateException("module is closed");
        }
        Objects.requireNonNull(name, "name");
        if (!names.add(name)) {
            throw new IllegalArgumentException("module " + getClass().getSimpleName() + ": two parameters named '"
                    + name + "'");
        }
        Tensor value = backend.upload(values.clone(), shape);
        Tensor grad = backend.allocate(shape);
        Parameter p = new Parameter(name, value, grad);
        parameters.add(p);
        return p;
    }

    /** A new parameter of zeros. */
    protected final Parameter zeros(String name, int... shape) {
        long n = shape.length == 2 ? (long) shape[0] * shape[1] : shape[0];
        return parameter(name, new float[Math.toIntExact(n)], shape);
    }

    /**
     * A new parameter drawn as torch initialises {@code nn.Linear}: uniform in ±1/√fanIn, each value
     * {@code (float) ((2u − 1) · bound)} with {@code u = random.nextDouble()}, row-major (the built-in models' rule,
     * see {@link dev.descent.model.Init#TORCH}).
     */
    protected final Parameter uniform(String name, Random random, int fanIn, int... shape) {
        long n = shape.length == 2 ? (long) shape[0] * shape[1] : shape[0];
        float[] v = new float[Math.toIntExact(n)];
        double bound = 1.0 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2.0 * random.nextDouble() - 1.0) * (float) bound);
        }
        return parameter(name, v, shape);
    }

    /** Releases the parameters. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Parameter p : parameters) {
            p.value().close();
            p.grad().close();
        }
    }
}

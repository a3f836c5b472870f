package dev.descent.optim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Updates a set of {@link Parameter}s from their gradients, one fused backend kernel per parameter tensor, with the
 * exact rules of torch.optim (see the package documentation). An optimizer owns its state tensors (momentum buffers,
 * moments) and its learning-rate schedule, and closes them with {@link #close()}.
 *
 * <p>The training loop calls {@link #step()} after the gradients are complete (and, in a data-parallel run, averaged
 * across processes), and {@link #endEpoch(double)} once per epoch.
 *
 * <p><b>Closures.</b> {@link #step(Closure)} is torch's {@code optimizer.step(closure)}: the optimizer evaluates the
 * objective itself. For every optimizer but {@link Lbfgs} it evaluates the closure once and calls {@link #step()};
 * {@link Lbfgs} evaluates it as often as its iterations and line search need, and {@link #needsClosure()} tells a
 * training loop that it must be driven that way ({@link Lbfgs#step()} without a closure is refused).
 */
public interface Optimizer extends AutoCloseable {
    /** Applies gradient clipping (if configured) and one update to every parameter; advances per-step schedules. */
    void step();

    /**
     * One step that evaluates the objective itself, as torch's {@code optimizer.step(closure)}: returns the loss the
     * closure gave at the parameters as they were before the step. This default evaluates the closure once (the loss
     * and the gradients) and then calls {@link #step()}.
     */
    default double step(Closure closure) {
        Objects.requireNonNull(closure, "closure");
        double loss = closure.evaluate();
        step();
        return loss;
    }

    /**
     * Whether a step must re-evaluate the objective, so that only {@link #step(Closure)} can drive this optimizer
     * ({@link Lbfgs}); false for the optimizers that update from the gradients alone.
     */
    default boolean needsClosure() {
        return false;
    }

    /** Ends an epoch: advances epoch-based schedules; {@code metric} feeds reduce-on-plateau (the epoch's loss). */
    void endEpoch(double metric);

    /** Number of {@link #step()} calls so far. */
    long stepCount();

    /** The learning rate the next step of group 0 will use. */
    double learningRate();

    /** Every parameter, in group order. */
    List<Parameter> parameters();

    /** A short name, e.g. {@code adam}. */
    String name();

    /** Writes the optimizer and schedule state (versioned, documented in the package docs). */
    void saveState(DataOutputStream out) throws IOException;

    /**
     * Restores state written by {@link #saveState}; afterwards the run continues bit-identically.
     *
     * @throws IOException with a message naming what does not match (format version, optimizer, shapes)
     */
    void loadState(DataInputStream in) throws IOException;

    /** Releases the state tensors. Idempotent. */
    @Override
    void close();
}

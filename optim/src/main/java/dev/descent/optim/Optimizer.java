package dev.descent.optim;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Updates a set of {@link Parameter}s from their gradients, one fused backend kernel per parameter tensor, with the
 * exact rules of torch.optim (see the package documentation). An optimizer owns its state tensors (momentum buffers,
 * moments) and its learning-rate schedule, and closes them with {@link #close()}.
 *
 * <p>The training loop calls {@link #step()} after the gradients are complete (and, in a data-parallel run, averaged
 * across processes), and {@link #endEpoch(double)} once per epoch.
 */
public interface Optimizer extends AutoCloseable {
    /** Applies gradient clipping (if configured) and one update to every parameter; advances per-step schedules. */
    void step();

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

package dev.descent.data;

/**
 * Iterates minibatches, epoch by epoch. The order of an epoch is a pure function of (seed, epoch); the position
 * (epoch, next batch index) can be saved and restored, so that a resumed run sees exactly the same batches.
 */
public interface Loader extends AutoCloseable {
    /** Number of samples in the (global) data set. */
    int samples();

    /** Batches in one epoch. */
    int batchesPerEpoch();

    /** Starts epoch {@code epoch} (counted from 1) at its first batch. */
    void startEpoch(int epoch);

    /** Whether the current epoch has another batch. */
    boolean hasNext();

    /** The next batch of the current epoch, gathered into reusable buffers. */
    Batch next();

    /** The current epoch (0 before the first {@link #startEpoch}). */
    int epoch();

    /** Index of the batch that {@link #next()} will return. */
    int position();

    /** Positions the loader at batch {@code batchIndex} of epoch {@code epoch} (for resume). */
    void seek(int epoch, int batchIndex);

    /** Releases the batch buffers (not the data set). */
    @Override
    void close();
}

package dev.descent.data;

/**
 * How a {@link DataLoader} cuts an epoch into batches.
 *
 * <pre>{@code
 * LoaderOptions opts = LoaderOptions.batches(128).withSeed(42);            // shuffled, keeps the last partial batch
 * LoaderOptions full = LoaderOptions.fullBatch();                          // one batch holding every sample
 * LoaderOptions dp = LoaderOptions.batches(256).withShard(rank, worldSize); // data-parallel: this rank's share
 * }</pre>
 *
 * @param batchSize rows of a (global) batch; 0 means the full data set in one batch
 * @param shuffle   whether each epoch visits the samples in a fresh order ({@link EpochOrder}); otherwise in file order
 * @param dropLast  whether to drop the final batch when it is smaller than {@code batchSize}
 * @param seed      seed of the epoch orders
 * @param rank      this process's rank in a data-parallel run, in {@code [0, worldSize)}
 * @param worldSize number of processes sharing each global batch (1 for a single process)
 */
public record LoaderOptions(int batchSize, boolean shuffle, boolean dropLast, long seed, int rank, int worldSize) {
    /** Validates the ranges. */
    public LoaderOptions {
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size must be >= 1 (or 0 for the full batch), got " + batchSize);
        }
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank must be in [0, " + worldSize + "), got " + rank);
        }
    }

    /** Shuffled batches of {@code batchSize} rows, last partial batch kept, seed 0, one process. */
    public static LoaderOptions batches(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        return new LoaderOptions(batchSize, true, false, 0L, 0, 1);
    }

    /** The whole data set as one batch per epoch, in file order (the order does not matter for a full batch). */
    public static LoaderOptions fullBatch() {
        return new LoaderOptions(0, false, false, 0L, 0, 1);
    }

    /** Whether each epoch is a single batch of every sample. */
    public boolean isFullBatch() {
        return batchSize == 0;
    }

    /** With shuffling on or off. */
    public LoaderOptions withShuffle(boolean on) {
        return new LoaderOptions(batchSize, on, dropLast, seed, rank, worldSize);
    }

    /** With drop-last on or off. */
    public LoaderOptions withDropLast(boolean on) {
        return new LoaderOptions(batchSize, shuffle, on, seed, rank, worldSize);
    }

    /** With another seed. */
    public LoaderOptions withSeed(long newSeed) {
        return new LoaderOptions(batchSize, shuffle, dropLast, newSeed, rank, worldSize);
    }

    /** As rank {@code newRank} of {@code newWorldSize} data-parallel processes. */
    public LoaderOptions withShard(int newRank, int newWorldSize) {
        return new LoaderOptions(batchSize, shuffle, dropLast, seed, newRank, newWorldSize);
    }
}

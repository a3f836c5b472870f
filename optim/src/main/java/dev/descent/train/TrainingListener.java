package dev.descent.train;

import java.nio.file.Path;

/**
 * Callbacks from a {@link Trainer}, all on the training thread and all optional. A data-parallel run calls them on
 * every process with identical values; print from rank 0 only.
 *
 * <p>{@link #onBatch} reports a step's loss when the trainer reads the losses back from the backend, which happens
 * every {@link Trainer.Builder#lossReadInterval(int) loss-read interval} steps (by default once per epoch), so batch
 * callbacks arrive in bursts; its arguments are primitives, so a listener that does not allocate keeps the step
 * allocation-free.
 */
public interface TrainingListener {

    /**
     * Training starts (or resumes).
     *
     * @param firstEpoch the epoch it starts in
     * @param firstStep  the step within that epoch it starts after (0 unless resuming mid-epoch)
     * @param epochs     the last epoch it will run
     * @param resumed    whether it continues from a checkpoint
     */
    default void onStart(int firstEpoch, int firstStep, int epochs, boolean resumed) {
    }

    /** An epoch starts (not called when a run resumes in the middle of this epoch). */
    default void onEpochStart(int epoch, int stepsInEpoch) {
    }

    /**
     * A step's loss was read back.
     *
     * @param epoch        the epoch, from 1
     * @param step         the step within the epoch, from 1
     * @param stepsInEpoch steps the epoch has
     * @param globalStep   steps since the start of training, from 1
     * @param loss         the batch's loss (all processes together), before its update
     */
    default void onBatch(int epoch, int step, int stepsInEpoch, long globalStep, double loss) {
    }

    /** An epoch ended; its metrics (including the test evaluation, if any). */
    default void onEpochEnd(EpochMetrics metrics) {
    }

    /** The run diverged; the trainer stops and returns a {@link TrainingResult.Status#DIVERGED} result. */
    default void onDivergence(Divergence divergence) {
    }

    /** A checkpoint was written (on rank 0, the process that writes them). */
    default void onCheckpoint(Path file, int epoch, int step) {
    }

    /** The run ended. */
    default void onEnd(TrainingResult result) {
    }
}

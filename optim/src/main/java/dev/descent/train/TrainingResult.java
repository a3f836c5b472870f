package dev.descent.train;

import java.nio.file.Path;
import java.util.List;

/**
 * How a training run ended.
 *
 * @param status          why it ended
 * @param epochsCompleted epochs fully completed (including those before a resume)
 * @param steps           optimizer steps since the start of training
 * @param history         metrics of every completed epoch, in order
 * @param divergence      where it diverged, when {@code status == DIVERGED}; else null
 * @param message         one line for the user
 * @param lastCheckpoint  the last checkpoint written by this process, or null
 * @param best            with early stopping, the best epoch and whether the model holds its weights again; null
 *                        without early stopping or before an epoch improved
 */
public record TrainingResult(Status status, int epochsCompleted, long steps, List<EpochMetrics> history,
        Divergence divergence, String message, Path lastCheckpoint, BestEpoch best) {

    /** Why a run ended. */
    public enum Status {
        /** Every epoch ran. */
        COMPLETED,
        /** A loss (or the parameters) became non-finite; see {@link #divergence()}. */
        DIVERGED,
        /** Early stopping: the monitored loss stopped improving. */
        EARLY_STOPPED,
        /** Stopped on request ({@link Trainer#requestStop()}), after writing a checkpoint when configured. */
        STOPPED
    }

    public TrainingResult {
        history = List.copyOf(history);
    }

    /** A result without early stopping. */
    public TrainingResult(Status status, int epochsCompleted, long steps, List<EpochMetrics> history,
            Divergence divergence, String message, Path lastCheckpoint) {
        this(status, epochsCompleted, steps, history, divergence, message, lastCheckpoint, null);
    }

    /** Whether the run diverged. */
    public boolean diverged() {
        return status == Status.DIVERGED;
    }

    /** The last epoch's metrics, or null before the first epoch completed. */
    public EpochMetrics last() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}

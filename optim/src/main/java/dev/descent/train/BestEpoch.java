package dev.descent.train;

/**
 * The best epoch that early stopping found, in a {@link TrainingResult}.
 *
 * @param monitor  the metric watched (resolved: never {@link EarlyStopping.Monitor#AUTO})
 * @param epoch    the epoch with the best value, from 1
 * @param value    its value of the monitored metric
 * @param restored whether the model was given this epoch's weights back at the end of the run
 */
public record BestEpoch(EarlyStopping.Monitor monitor, int epoch, double value, boolean restored) {

    @Override
    public String toString() {
        return "best " + monitor.label() + " " + value + " at epoch " + epoch + (restored ? " (weights restored)" : "");
    }
}

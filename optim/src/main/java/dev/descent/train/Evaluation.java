package dev.descent.train;

/**
 * A model's metrics on a data set, reduced over every process.
 *
 * @param samples   samples evaluated
 * @param loss      the training loss's mean over the samples (Σ batch loss × batch size / samples)
 * @param accuracy  fraction classified correctly; NaN for regression
 * @param mse       mean squared error over all output elements; NaN for classifiers
 * @param mae       mean absolute error over all output elements; NaN for classifiers
 * @param confusion k×k counts for classifiers; null for regression
 */
public record Evaluation(long samples, double loss, double accuracy, double mse, double mae,
        ConfusionMatrix confusion) {

    /** Whether this is a classifier's evaluation. */
    public boolean classification() {
        return confusion != null;
    }

    @Override
    public String toString() {
        return classification()
                ? String.format("loss %.6f, accuracy %.4f (%d samples)", loss, accuracy, samples)
                : String.format("loss %.6f, mse %.6f, mae %.6f (%d samples)", loss, mse, mae, samples);
    }
}

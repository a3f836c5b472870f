package dev.descent.train;

/**
 * A model's metrics on a data set, reduced over every process.
 *
 * <p>The loss, accuracy, confusion matrix, MSE and MAE are always there; the log loss, top-k accuracy and R² only
 * from an {@link Evaluator} with {@link EvaluationOptions#detailed()} (otherwise NaN, and {@code topK} 0).
 * {@link #metrics()} gives precision, recall and F1 per class and averaged.
 *
 * @param samples       samples evaluated
 * @param loss          the training loss's mean over the samples (Σ batch loss × batch size / samples)
 * @param accuracy      fraction classified correctly; NaN for regression
 * @param mse           mean squared error over all output elements; NaN for classifiers
 * @param mae           mean absolute error over all output elements; NaN for classifiers
 * @param confusion     k×k counts for classifiers; null for regression
 * @param logLoss       mean −log of the probability given to the true class, clipped as scikit-learn's
 *                      {@code log_loss} ({@link dev.descent.model.Probabilities#logLoss}); NaN when not computed
 * @param topK          k of {@code topKAccuracy}; 0 when not computed
 * @param topKAccuracy  fraction of samples whose true class is among the k classes of highest probability (ties
 *                      broken towards the lower class index, as the argmax of {@code accuracy}); NaN when not computed
 * @param r2            coefficient of determination 1 − SSE/SST per output, averaged over the outputs
 *                      (scikit-learn's {@code r2_score}, {@code multioutput='uniform_average'}; an output with constant
 *                      targets scores 1 if predicted exactly, else 0); NaN for classifiers or when not computed
 */
public record Evaluation(long samples, double loss, double accuracy, double mse, double mae,
        ConfusionMatrix confusion, double logLoss, int topK, double topKAccuracy, double r2) {

    /** The basic metrics: no log loss, top-k accuracy or R². */
    public Evaluation(long samples, double loss, double accuracy, double mse, double mae, ConfusionMatrix confusion) {
        this(samples, loss, accuracy, mse, mae, confusion, Double.NaN, 0, Double.NaN, Double.NaN);
    }

    /** Whether this is a classifier's evaluation. */
    public boolean classification() {
        return confusion != null;
    }

    /**
     * Precision, recall and F1 per class and their macro and weighted averages, from the confusion matrix.
     *
     * @throws IllegalStateException for a regression model's evaluation
     */
    public ClassificationMetrics metrics() {
        if (confusion == null) {
            throw new IllegalStateException("a regression model's evaluation has no class metrics");
        }
        return ClassificationMetrics.of(confusion);
    }

    @Override
    public String toString() {
        return classification()
                ? String.format("loss %.6f, accuracy %.4f (%d samples)", loss, accuracy, samples)
                : String.format("loss %.6f, mse %.6f, mae %.6f (%d samples)", loss, mse, mae, samples);
    }
}

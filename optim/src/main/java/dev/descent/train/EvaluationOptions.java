package dev.descent.train;

/**
 * What an {@link Evaluator} computes beyond the loss, the accuracy and confusion matrix (from which
 * {@link ClassificationMetrics} follow) and MSE/MAE, all of which it always computes.
 *
 * <p>{@link #detailed()} adds, for a classifier, the log loss and the top-k accuracy, and for a regression model R²:
 * the evaluator then reads each batch's outputs back to the host, which a training run's per-epoch test evaluation
 * ({@link #basic()}) does not.
 *
 * @param details  whether to compute the log loss, the top-k accuracy and R²
 * @param topK     k of the top-k accuracy: 0 for none, {@link #DEFAULT_TOP_K} for {@link #defaultTopK(int) the
 *                 default} (5 for a model of more than 5 classes, else none)
 */
public record EvaluationOptions(boolean details, int topK) {
    /** {@link #topK} value meaning "5 when the model has more than 5 classes, else none". */
    public static final int DEFAULT_TOP_K = -1;

    /** Validates {@code topK}. */
    public EvaluationOptions {
        if (topK < DEFAULT_TOP_K) {
            throw new IllegalArgumentException("top-k must be >= 1 (0 for none), got " + topK);
        }
    }

    /** Loss, accuracy and confusion matrix, or MSE and MAE: what a training run evaluates every epoch. */
    public static EvaluationOptions basic() {
        return new EvaluationOptions(false, 0);
    }

    /** Also log loss and top-k accuracy (k by the default rule), or R². */
    public static EvaluationOptions detailed() {
        return new EvaluationOptions(true, DEFAULT_TOP_K);
    }

    /** With top-k accuracy for this k (0: none); implies {@link #details}. */
    public EvaluationOptions withTopK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("top-k must be >= 1 (0 for none), got " + k);
        }
        return new EvaluationOptions(true, k);
    }

    /** The default k for a model of {@code classes} classes: 5 when there are more than 5, else 0 (none). */
    public static int defaultTopK(int classes) {
        return classes > 5 ? 5 : 0;
    }

    /** The k used for a model of {@code classes} classes (0: no top-k accuracy). */
    public int topKFor(int classes) {
        if (!details) {
            return 0;
        }
        return topK == DEFAULT_TOP_K ? defaultTopK(classes) : topK;
    }
}

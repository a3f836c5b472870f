package dev.descent.model;

/**
 * Class probabilities from a classifier's outputs, on the host in double precision: the softmax of each row of
 * logits, or for a model with one logit (logistic regression) the pair {@code (1 − σ(z), σ(z))}. Also the log-loss
 * term of one sample, with the clipping scikit-learn's {@code log_loss} applies.
 *
 * <pre>{@code
 * Tensor logits = model.forward(features);              // [rows, outputs]
 * float[] z = model.backend().download(logits);
 * double[] p = new double[model.classes()];
 * Probabilities.of(z, row * model.outputs(), model.outputs(), p);
 * }</pre>
 */
public final class Probabilities {
    /**
     * The clipping of {@link #logLoss}: probabilities are taken in [ε, 1 − ε] with ε = 2⁻⁵², the machine epsilon of
     * double ({@code np.finfo(np.float64).eps}, scikit-learn's {@code eps="auto"} for float64 probabilities), so that a
     * true class given probability 0 costs −log ε ≈ 36.04 instead of infinity.
     */
    public static final double LOG_LOSS_EPSILON = Math.ulp(1.0);

    private Probabilities() {
    }

    /**
     * The class probabilities of one row of outputs.
     *
     * @param outputs a model's outputs, row-major
     * @param offset  where the row starts
     * @param width   the model's output width: k logits (k ≥ 2 classes), or 1 logit for 2 classes
     * @param out     receives {@code max(width, 2)} probabilities, summing to 1 up to rounding
     */
    public static void of(float[] outputs, int offset, int width, double[] out) {
        if (width == 1) {
            double z = outputs[offset];
            out[1] = sigmoid(z);
            out[0] = sigmoid(-z);
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            max = Math.max(max, outputs[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
            double e = Math.exp(outputs[offset + j] - max);
            out[j] = e;
            sum += e;
        }
        for (int j = 0; j < width; j++) {
            out[j] /= sum;
        }
    }

    /** σ(z) = 1 / (1 + e^−z), without overflow for large |z|. */
    public static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /**
     * One sample's log loss: {@code −log(clip(p, ε, 1 − ε))} with p the probability given to its true class and ε
     * {@link #LOG_LOSS_EPSILON}. (scikit-learn also renormalises each row after clipping; for probabilities that sum
     * to 1 that changes the result by no more than about ε.)
     */
    public static double logLoss(double p) {
        double q = p < LOG_LOSS_EPSILON ? LOG_LOSS_EPSILON : Math.min(p, 1.0 - LOG_LOSS_EPSILON);
        return -Math.log(q);
    }
}

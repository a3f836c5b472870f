package dev.descent.train;

/**
 * Where and how a training run diverged.
 *
 * @param epoch      the epoch, from 1
 * @param step       the step within the epoch, from 1 (the batch whose loss was not finite)
 * @param globalStep the step since the start of training, from 1
 * @param loss       the non-finite loss (or the last loss, when the parameters went non-finite)
 * @param reason     what was not finite, e.g. {@code loss is NaN}
 */
public record Divergence(int epoch, int step, long globalStep, double loss, String reason) {

    /** E.g. {@code diverged at epoch 3, step 117: loss is NaN}. */
    public String message() {
        return "diverged at epoch " + epoch + ", step " + step + ": " + reason;
    }

    /** {@code loss is NaN}, {@code loss is +Infinity}, ... */
    static String describeLoss(double loss) {
        if (Double.isNaN(loss)) {
            return "loss is NaN";
        }
        return "loss is " + (loss > 0 ? "+Infinity" : "-Infinity");
    }

    @Override
    public String toString() {
        return message();
    }
}

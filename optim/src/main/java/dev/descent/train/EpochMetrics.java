package dev.descent.train;

/**
 * What one epoch produced. All values are identical on every process of a data-parallel run.
 *
 * @param epoch        the epoch, from 1
 * @param trainLoss    Σ(batch loss × batch size) / samples over the epoch, each batch's loss taken before its step
 *                     (the lecture's definition)
 * @param trainSamples samples seen in the epoch (all processes; with drop-last, without the dropped rows)
 * @param steps        optimizer steps since the start of training, at the end of the epoch
 * @param learningRate the learning rate at the start of the epoch
 * @param test         the evaluation on the test set after the epoch, or null
 * @param validation   the evaluation on the validation set after the epoch, or null
 */
public record EpochMetrics(int epoch, double trainLoss, long trainSamples, long steps, double learningRate,
        Evaluation test, Evaluation validation) {

    /** An epoch without a validation set. */
    public EpochMetrics(int epoch, double trainLoss, long trainSamples, long steps, double learningRate,
            Evaluation test) {
        this(epoch, trainLoss, trainSamples, steps, learningRate, test, null);
    }

    @Override
    public String toString() {
        return String.format("epoch %d: train loss %.6f, lr %.6g%s%s", epoch, trainLoss, learningRate,
                validation == null ? "" : ", validation " + validation, test == null ? "" : ", test " + test);
    }
}

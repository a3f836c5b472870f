package dev.descent.autodiff;

/**
 * A training loss written as an expression: from a model's outputs [rows, outputs] and the batch's labels (an int32
 * rank-1 value, for a classifier) or targets (a float [rows, cols] value, for regression) to a one-element value.
 *
 * <p>It must be the mean over the batch's rows of a per-row loss (as torch's {@code reduction='mean'}): the trainer
 * rescales it for data-parallel runs, where each process holds part of the global batch.
 *
 * <pre>{@code
 * // Huber loss with threshold δ, torch's HuberLoss(delta=δ): 0.5·r² where |r| ≤ δ, else δ·(|r| − 0.5·δ)
 * ExpressionLoss huber = (out, target) -> {
 *     Var a = out.sub(target).abs();
 *     Var q = a.add(delta).sub(a.sub(delta).abs()).mul(0.5);   // min(|r|, δ)
 *     return q.pow(2).mul(0.5).add(a.sub(q).mul(delta)).mean();
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ExpressionLoss {

    /** The batch's loss (one element). */
    Var loss(Var outputs, Var labelsOrTargets);

    /** Softmax cross-entropy from logits and int32 labels: {@code −mean(logSoftmax(out)[i, y_i])}. */
    static ExpressionLoss crossEntropy() {
        return (out, labels) -> out.logSoftmax().pick(labels).mean().neg();
    }

    /** Mean squared error over all elements. */
    static ExpressionLoss meanSquaredError() {
        return (out, targets) -> out.sub(targets).pow(2).mean();
    }

    /** torch's {@code HuberLoss(delta)}: quadratic within δ of the target, linear beyond. */
    static ExpressionLoss huber(double delta) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huber delta must be positive and finite, got " + delta);
        }
        return (out, targets) -> {
            Var a = out.sub(targets).abs();
            Var q = a.add(delta).sub(a.sub(delta).abs()).mul(0.5);
            return q.pow(2).mul(0.5).add(a.sub(q).mul(delta)).mean();
        };
    }
}

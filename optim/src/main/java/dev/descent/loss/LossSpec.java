package dev.descent.loss;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;

import java.util.Arrays;
import java.util.Objects;

/**
 * A training loss with its settings: one of the fused {@link Loss} kernels ({@code ce}, {@code bce}, {@code mse},
 * {@code mae}, which have none), or a loss with parameters, each defined as its torch 1.13 namesake with
 * {@code reduction='mean'}:
 *
 * <table>
 *   <caption>The losses</caption>
 *   <tr><th>text</th><th>torch</th><th>per element or row, and the mean</th></tr>
 *   <tr><td>{@code ce}, {@code bce}, {@code mse}, {@code mae}</td><td>CrossEntropyLoss, BCEWithLogitsLoss, MSELoss,
 *       L1Loss</td><td>see {@link Loss}</td></tr>
 *   <tr><td>{@code huber(delta=δ)}</td><td>{@code HuberLoss(delta=δ)}</td><td>{@code z = |x − t|}:
 *       {@code ½z²} where {@code z < δ}, else {@code δ(z − ½δ)}; the mean over all elements</td></tr>
 *   <tr><td>{@code smooth-l1(beta=β)}</td><td>{@code SmoothL1Loss(beta=β)}</td><td>{@code ½z²/β} where
 *       {@code z < β}, else {@code z − ½β}: Huber's divided by δ = β; β = 0 is {@code mae}</td></tr>
 *   <tr><td>{@code ce(label_smoothing=ε, weight=[w₀, ...])}</td><td>{@code CrossEntropyLoss(weight=w,
 *       label_smoothing=ε)}</td><td>with {@code p = log_softmax(x)}:
 *       {@code (1 − ε)·Σᵢ w_{yᵢ}(−p_{i,yᵢ}) / Σᵢ w_{yᵢ} + (ε/k)·Σᵢ Σ_c w_c(−p_{ic}) / Σᵢ w_{yᵢ}} (all w = 1 without
 *       weights: the means over the rows)</td></tr>
 *   <tr><td>{@code nll(weight=[w₀, ...])}</td><td>{@code NLLLoss(weight=w)}</td><td>the outputs taken as
 *       log-probabilities: {@code Σᵢ w_{yᵢ}(−x_{i,yᵢ}) / Σᵢ w_{yᵢ}}</td></tr>
 * </table>
 *
 * <p>The text form is {@code name} or {@code name(key=value, ...)} as a {@link dev.descent.optim.schedule.Schedule}'s
 * (names and keys ignore case; {@code -} and {@code _} are the same in them); a list of class weights is written in
 * brackets, {@code ce(label_smoothing=0.1, weight=[1, 2.5, 1])}. {@link #spec()} gives the canonical text, which
 * {@link #parse} reads back to an equal spec. A loss without settings, or with its defaults, is the {@link Loss}
 * constant: {@code parse("ce")} and {@code crossEntropy(0)} are {@link Loss#CROSS_ENTROPY}.
 *
 * <p>The losses with parameters are {@link ExpressionLoss}es: a model differentiates them on an autodiff
 * {@link Tape} (the built-in models do, for the outputs' gradient; {@link dev.descent.autodiff.ExpressionModel} takes
 * them as they are). {@link #fused()} names the fused kernel that computes a spec, where one does: cross-entropy
 * without smoothing and weights is {@code ce}'s fused kernel whichever way it is written.
 *
 * <p><b>Data-parallel runs</b> scale a process's loss by its share of the global batch (rows / global size), as the
 * fused kernels do. For the losses that are means over rows or elements the processes' losses then sum to the global
 * batch's loss. With class weights each process's part is its own rows' weighted mean scaled by its share of the rows,
 * not of the weights (the weights on the other processes are not known to it): the sum is torch's weighted mean only
 * where each process's rows carry the same average weight, and exactly torch's in one process.
 */
public sealed interface LossSpec permits Loss, LossSpec.Huber, LossSpec.SmoothL1, LossSpec.CrossEntropy,
        LossSpec.Nll {

    /** The names {@link #parse} knows. */
    String NAMES = "ce, bce, mse, mae, huber, smooth-l1, nll";

    /**
     * The loss's name: {@code ce}, {@code bce}, {@code mse}, {@code mae}, {@code huber}, {@code smooth-l1},
     * {@code nll}.
     */
    String shortName();

    /** The canonical text, e.g. {@code huber(delta=0.5)}; {@link #parse} reads it back. */
    String spec();

    /** {@link #spec()}, with a list of more than 8 class weights shortened; for descriptions and titles. */
    default String describe() {
        return spec();
    }

    /** Whether the loss takes int32 class labels (ce, nll) rather than float targets. */
    boolean usesClassLabels();

    /** The fused kernel that computes this loss, or null when it is differentiated on a tape. */
    Loss fused();

    /** Whether this is a regression loss (float targets, any values): mse, mae, huber, smooth-l1. */
    default boolean regression() {
        return !usesClassLabels() && this != Loss.BINARY_CROSS_ENTROPY;
    }

    /**
     * The loss written as {@code text}: a name ({@code huber}, its settings at their defaults) or
     * {@code name(key=value, ...)}.
     *
     * @throws IllegalArgumentException quoting the text and naming what is wrong (an unknown loss or setting, a bad
     *                                  value)
     */
    static LossSpec parse(String text) {
        return LossParser.parse(text);
    }

    /** torch's {@code HuberLoss(delta)}. */
    static Huber huber(double delta) {
        return new Huber(delta);
    }

    /** torch's {@code SmoothL1Loss(beta)}; {@code beta = 0} is {@code mae} (its {@link #fused()}). */
    static SmoothL1 smoothL1(double beta) {
        return new SmoothL1(beta);
    }

    /**
     * torch's {@code CrossEntropyLoss(weight, label_smoothing)}: {@link Loss#CROSS_ENTROPY} when
     * {@code labelSmoothing} is 0 and no weights are given.
     *
     * @param weight one weight per class, or none
     */
    static LossSpec crossEntropy(double labelSmoothing, float... weight) {
        CrossEntropy ce = new CrossEntropy(labelSmoothing, weight == null || weight.length == 0 ? null : weight);
        return ce.fused() != null ? Loss.CROSS_ENTROPY : ce;
    }

    /**
     * torch's {@code NLLLoss(weight)}: the outputs are log-probabilities.
     *
     * @param weight one weight per class, or none
     */
    static Nll nll(float... weight) {
        return new Nll(weight == null || weight.length == 0 ? null : weight);
    }

    // ================================================================ the losses with settings

    /**
     * torch's {@code HuberLoss(delta=δ)}: {@code ½z²} for {@code z = |x − t| < δ}, {@code δ(z − ½δ)} beyond, the mean
     * over every element. Gradient {@code (x − t)/N} within δ, {@code ±δ/N} beyond.
     *
     * @param delta δ, positive and finite (torch's default 1)
     */
    record Huber(double delta) implements LossSpec, ExpressionLoss {
        public Huber {
            if (!(delta > 0) || Double.isInfinite(delta)) {
                throw new IllegalArgumentException("huber: delta must be positive and finite, got " + delta);
            }
        }

        @Override
        public String shortName() {
            return "huber";
        }

        @Override
        public String spec() {
            return "huber(delta=" + delta + ")";
        }

        @Override
        public boolean usesClassLabels() {
            return false;
        }

        @Override
        public Loss fused() {
            return null;
        }

        /** The mean Huber loss of {@code outputs} against {@code targets} (same shape). */
        @Override
        public Var loss(Var outputs, Var targets) {
            // With z = |x − t|, r = relu(z − δ) and q = z − r = min(z, δ): ½q² + δ·r. Within δ, q is z itself (r is an
            // exact 0) and ½q² is torch's 0.5·z·z to the bit; beyond, the gradient through q cancels and δ remains.
            Var z = outputs.sub(targets).abs();
            Var r = z.sub(delta).relu();
            Var q = z.sub(r);
            return q.pow(2).mul(0.5).add(r.mul(delta)).mean();
        }
    }

    /**
     * torch's {@code SmoothL1Loss(beta=β)}: {@code ½z²/β} for {@code z = |x − t| < β}, {@code z − ½β} beyond, the
     * mean over every element; Huber's loss with δ = β, divided by β. {@code β = 0} is the L1 loss ({@link Loss#MAE}),
     * as torch's forward is; torch's backward then gives −1/N where x = t, descent's {@code mae} 0 (torch's L1Loss's).
     *
     * @param beta β, zero or positive and finite (torch's default 1)
     */
    record SmoothL1(double beta) implements LossSpec, ExpressionLoss {
        public SmoothL1 {
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("smooth-l1: beta must be >= 0 and finite, got " + beta);
            }
        }

        @Override
        public String shortName() {
            return "smooth-l1";
        }

        @Override
        public String spec() {
            return "smooth-l1(beta=" + beta + ")";
        }

        @Override
        public boolean usesClassLabels() {
            return false;
        }

        /** {@link Loss#MAE} for β = 0, else null. */
        @Override
        public Loss fused() {
            return beta == 0 ? Loss.MAE : null;
        }

        /** The mean smooth L1 loss of {@code outputs} against {@code targets} (same shape). */
        @Override
        public Var loss(Var outputs, Var targets) {
            Var z = outputs.sub(targets).abs();
            if (beta == 0) {
                return z.mean();
            }
            // r = relu(z − β), q = z − r = min(z, β): ½q²/β + r, torch's 0.5·z·z/β within β to the bit.
            Var r = z.sub(beta).relu();
            Var q = z.sub(r);
            return q.pow(2).mul(0.5).div(beta).add(r).mean();
        }
    }

    /**
     * torch's {@code CrossEntropyLoss(weight=w, label_smoothing=ε)} from logits [n, k] and int32 labels [n]. With
     * {@code p = log_softmax(x)}, {@code nll = Σᵢ w_{yᵢ}(−p_{i,yᵢ}) / Σᵢ w_{yᵢ}} and
     * {@code smooth = Σᵢ Σ_c w_c(−p_{ic}) / Σᵢ w_{yᵢ}} (w = 1 without weights, so both are means over the rows), the
     * loss is {@code (1 − ε)·nll + (ε/k)·smooth}, as torch 1.13 computes it (its smoothing term is divided by the
     * labels' weights too). Without smoothing and weights it is {@link Loss#CROSS_ENTROPY} (see {@link #fused()}).
     *
     * @param labelSmoothing ε in [0, 1)
     * @param weight         one non-negative weight per class, not all 0; null for none
     */
    record CrossEntropy(double labelSmoothing, float[] weight) implements LossSpec, ExpressionLoss {
        public CrossEntropy {
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw new IllegalArgumentException("ce: label_smoothing must be in [0, 1), got " + labelSmoothing);
            }
            weight = checkWeights("ce", weight);
        }

        /** The class weights (a copy), or null. */
        @Override
        public float[] weight() {
            return weight == null ? null : weight.clone();
        }

        @Override
        public String shortName() {
            return "ce";
        }

        @Override
        public String spec() {
            return spec(false);
        }

        @Override
        public String describe() {
            return spec(true);
        }

        private String spec(boolean shorten) {
            if (labelSmoothing == 0 && weight == null) {
                return "ce";
            }
            StringBuilder sb = new StringBuilder("ce(");
            if (labelSmoothing != 0) {
                sb.append("label_smoothing=").append(labelSmoothing);
            }
            if (weight != null) {
                sb.append(labelSmoothing != 0 ? ", " : "").append("weight=").append(weights(weight, shorten));
            }
            return sb.append(')').toString();
        }

        @Override
        public boolean usesClassLabels() {
            return true;
        }

        /** {@link Loss#CROSS_ENTROPY} without smoothing and weights, else null. */
        @Override
        public Loss fused() {
            return labelSmoothing == 0 && weight == null ? Loss.CROSS_ENTROPY : null;
        }

        /** The loss of logits [n, k] against int32 labels [n] ({@link Tape#labels}). */
        @Override
        public Var loss(Var logits, Var labels) {
            int k = classes("ce", logits, weight);
            Var logp = logits.logSoftmax();
            if (weight == null) {
                Var nll = logp.pick(labels).mean().neg();
                if (labelSmoothing == 0) {
                    return nll;
                }
                Var smooth = logp.sum(1).mean().neg();
                return nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / k));
            }
            Var[] w = labelWeights(logits, labels, weight);
            Var nll = logp.pick(labels).mul(w[0]).sum().neg().div(w[1]);
            if (labelSmoothing == 0) {
                return nll;
            }
            Var smooth = logp.mul(logits.tape().constant(weight, k)).sum(1).sum().neg().div(w[1]);
            return nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / k));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CrossEntropy c && Double.compare(c.labelSmoothing, labelSmoothing) == 0
                    && Arrays.equals(c.weight, weight);
        }

        @Override
        public int hashCode() {
            return 31 * Double.hashCode(labelSmoothing) + Arrays.hashCode(weight);
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    /**
     * torch's {@code NLLLoss(weight=w)}: the outputs [n, k] are taken as log-probabilities (a model whose last
     * operation is a log-softmax); the loss is {@code Σᵢ w_{yᵢ}(−x_{i,yᵢ}) / Σᵢ w_{yᵢ}}, the mean over the rows without
     * weights. On unnormalised logits (the built-in models' outputs) it is unbounded below: log-softmax followed by
     * nll is {@code ce}.
     *
     * @param weight one non-negative weight per class, not all 0; null for none
     */
    record Nll(float[] weight) implements LossSpec, ExpressionLoss {
        public Nll {
            weight = checkWeights("nll", weight);
        }

        /** The class weights (a copy), or null. */
        @Override
        public float[] weight() {
            return weight == null ? null : weight.clone();
        }

        @Override
        public String shortName() {
            return "nll";
        }

        @Override
        public String spec() {
            return weight == null ? "nll" : "nll(weight=" + weights(weight, false) + ")";
        }

        @Override
        public String describe() {
            return weight == null ? "nll" : "nll(weight=" + weights(weight, true) + ")";
        }

        @Override
        public boolean usesClassLabels() {
            return true;
        }

        @Override
        public Loss fused() {
            return null;
        }

        /** The loss of log-probabilities [n, k] against int32 labels [n] ({@link Tape#labels}). */
        @Override
        public Var loss(Var logProbabilities, Var labels) {
            classes("nll", logProbabilities, weight);
            Var picked = logProbabilities.pick(labels);
            if (weight == null) {
                return picked.mean().neg();
            }
            Var[] w = labelWeights(logProbabilities, labels, weight);
            return picked.mul(w[0]).sum().neg().div(w[1]);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Nll n && Arrays.equals(n.weight, weight);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(weight);
        }

        @Override
        public String toString() {
            return spec();
        }
    }

    // ================================================================ helpers

    /** A copy of the class weights, checked: each finite and >= 0, not all 0; null stays null. */
    private static float[] checkWeights(String loss, float[] weight) {
        if (weight == null) {
            return null;
        }
        if (weight.length == 0) {
            throw new IllegalArgumentException(loss + ": weight is empty (give one weight per class, or none)");
        }
        float[] w = weight.clone();
        boolean positive = false;
        for (int c = 0; c < w.length; c++) {
            if (!(w[c] >= 0) || Float.isInfinite(w[c])) {
                throw new IllegalArgumentException(loss + ": weight of class " + c + " must be >= 0 and finite, got "
                        + w[c]);
            }
            positive |= w[c] > 0;
        }
        if (!positive) {
            throw new IllegalArgumentException(loss + ": every class weight is 0");
        }
        return w;
    }

    /** The number of classes of [n, k] outputs, checked against the weights. */
    private static int classes(String loss, Var outputs, float[] weight) {
        if (outputs.rank() != 2) {
            throw new IllegalArgumentException(loss + ": needs outputs [rows, classes], got " + outputs);
        }
        int k = outputs.shape()[1];
        if (weight != null && weight.length != k) {
            throw new IllegalArgumentException(loss + ": " + weight.length + " class weights for " + k + " classes");
        }
        return k;
    }

    /**
     * Each row's label weight {@code w_{yᵢ}} [n] and their sum (not differentiated): the weights as a constant
     * [n, k] matrix, one row per sample, picked by the labels.
     */
    private static Var[] labelWeights(Var outputs, Var labels, float[] weight) {
        Objects.requireNonNull(labels, "labels");
        int n = outputs.shape()[0];
        int k = weight.length;
        float[] rows = new float[Math.multiplyExact(n, k)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(weight, 0, rows, i * k, k);
        }
        Var wy = outputs.tape().constant(rows, n, k).pick(labels);
        return new Var[] {wy, wy.sum()};
    }

    /** A list of weights in brackets; shortened to its first 4 and last one when {@code shorten} and more than 8. */
    private static String weights(float[] w, boolean shorten) {
        StringBuilder sb = new StringBuilder("[");
        boolean cut = shorten && w.length > 8;
        for (int c = 0; c < w.length; c++) {
            if (cut && c == 4) {
                sb.append(", ...");
                c = w.length - 1;
            }
            sb.append(c == 0 ? "" : ", ").append(w[c]);
        }
        sb.append(']');
        if (cut) {
            sb.append(" (").append(w.length).append(" classes)");
        }
        return sb.toString();
    }
}

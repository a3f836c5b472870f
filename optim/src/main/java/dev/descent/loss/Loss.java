package dev.descent.loss;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.SafeText;

import java.util.Locale;

/**
 * The losses computed (forward and gradient in one pass) by a fused backend kernel, with torch's mean reduction:
 * the loss is the sum of per-element losses divided by {@code normalizer · cols} (cross-entropy: by
 * {@code normalizer}, one loss per row), and the gradient with respect to the model's outputs is scaled the same way.
 * {@code normalizer} is the batch's row count, or the global batch size of a data-parallel run
 * ({@link dev.descent.data.Batch#globalSize()}).
 *
 * <p>Names, for configuration files and the command line: {@code ce} (cross-entropy), {@code bce}, {@code mse},
 * {@code mae}; see {@link #fromName(String)}. Each is a {@link LossSpec} without settings; the losses with settings
 * (Huber, smooth L1, cross-entropy with label smoothing or class weights, NLL) are the other {@link LossSpec}s.
 */
public enum Loss implements LossSpec {
    /**
     * Softmax cross-entropy from logits [n, k] and int32 labels [n]: {@code torch.nn.CrossEntropyLoss()}, computed with
     * a max-subtracted log-sum-exp (no log(0) on raw inputs).
     */
    CROSS_ENTROPY("ce", true) {
        @Override
        public void compute(Backend backend, Tensor outputs, Tensor labels, Tensor targets, Tensor grad,
                int normalizer, Tensor lossOut, int lossIndex) {
            require(labels, "int32 class labels");
            backend.softmaxCrossEntropy(outputs, labels, grad, normalizer, lossOut, lossIndex);
        }
    },
    /**
     * Binary cross-entropy from logits and float targets in [0, 1] of the same shape:
     * {@code torch.nn.BCEWithLogitsLoss()}, computed as {@code max(x,0) − x·t + log(1 + e^−|x|)}.
     */
    BINARY_CROSS_ENTROPY("bce", false) {
        @Override
        public void compute(Backend backend, Tensor outputs, Tensor labels, Tensor targets, Tensor grad,
                int normalizer, Tensor lossOut, int lossIndex) {
            require(targets, "float targets");
            backend.sigmoidBinaryCrossEntropy(outputs, targets, grad, normalizer, lossOut, lossIndex);
        }
    },
    /** Mean squared error: {@code torch.nn.MSELoss()}. */
    MSE("mse", false) {
        @Override
        public void compute(Backend backend, Tensor outputs, Tensor labels, Tensor targets, Tensor grad,
                int normalizer, Tensor lossOut, int lossIndex) {
            require(targets, "float targets");
            backend.meanSquaredError(outputs, targets, grad, normalizer, lossOut, lossIndex);
        }
    },
    /** Mean absolute error: {@code torch.nn.L1Loss()}; its gradient is sign(p − t), 0 where p = t. */
    MAE("mae", false) {
        @Override
        public void compute(Backend backend, Tensor outputs, Tensor labels, Tensor targets, Tensor grad,
                int normalizer, Tensor lossOut, int lossIndex) {
            require(targets, "float targets");
            backend.meanAbsoluteError(outputs, targets, grad, normalizer, lossOut, lossIndex);
        }
    };

    private final String shortName;
    private final boolean classLabels;

    Loss(String shortName, boolean classLabels) {
        this.shortName = shortName;
        this.classLabels = classLabels;
    }

    /** The short name: {@code ce}, {@code bce}, {@code mse}, {@code mae}. */
    @Override
    public String shortName() {
        return shortName;
    }

    /** The short name: a fused loss has no settings. */
    @Override
    public String spec() {
        return shortName;
    }

    /** Whether the loss takes int32 class labels (cross-entropy) rather than float targets. */
    @Override
    public boolean usesClassLabels() {
        return classLabels;
    }

    /** This loss: it is its own fused kernel. */
    @Override
    public Loss fused() {
        return this;
    }

    /**
     * Computes the loss into {@code lossOut[lossIndex]} and, when {@code grad} is not null, its gradient with respect
     * to {@code outputs} into {@code grad} (same shape as outputs).
     *
     * @param outputs    the model's outputs (logits or predictions), float32 [n, cols]
     * @param labels     int32 [n] class labels (cross-entropy), else ignored
     * @param targets    float32 [n, cols] targets (bce, mse, mae), else ignored
     * @param normalizer the mean's denominator in rows (the batch size, or the global batch size)
     */
    public abstract void compute(Backend backend, Tensor outputs, Tensor labels, Tensor targets, Tensor grad,
            int normalizer, Tensor lossOut, int lossIndex);

    /**
     * The loss with this name: {@code ce}/{@code cross-entropy}/{@code crossentropy}, {@code bce}/
     * {@code binary-cross-entropy}, {@code mse}, {@code mae}/{@code l1}; case-insensitive.
     *
     * @throws IllegalArgumentException naming the unknown loss and listing the known ones
     */
    public static Loss fromName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "ce", "cross-entropy", "crossentropy", "softmax-cross-entropy" -> CROSS_ENTROPY;
            case "bce", "binary-cross-entropy", "bce-with-logits" -> BINARY_CROSS_ENTROPY;
            case "mse", "mean-squared-error", "l2" -> MSE;
            case "mae", "mean-absolute-error", "l1" -> MAE;
            default -> throw new IllegalArgumentException("unknown loss '" + SafeText.of(name)
                    + "'; known: ce, bce, mse, mae");
        };
    }

    final void require(Tensor t, String what) {
        if (t == null) {
            throw new IllegalArgumentException("loss " + shortName + " needs " + what + ", got none");
        }
    }
}

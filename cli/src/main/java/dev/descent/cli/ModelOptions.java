package dev.descent.cli;

import dev.descent.data.Dataset;
import dev.descent.data.SafeText;
import dev.descent.loss.Loss;
import dev.descent.loss.LossSpec;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The model and its loss: {@code --model}, {@code --loss} and the loss's settings ({@code --huber-delta},
 * {@code --smooth-l1-beta}, {@code --label-smoothing}, {@code --class-weights}), {@code --hidden},
 * {@code --bias}/{@code --no-bias}, {@code --init}.
 */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "softmax|logistic|linear|mlp", defaultValue = "softmax",
            converter = Converters.Name.class,
            description = "Model: softmax regression (default; the lecture's), logistic regression (2 classes), "
                    + "linear regression, or an MLP with ReLU hidden layers.")
    String model;

    @Option(names = "--loss", paramLabel = "ce|nll|bce|mse|mae|huber|smooth-l1", converter = Converters.Name.class,
            description = "Loss, torch's with the mean: ce (CrossEntropyLoss) or nll (NLLLoss on the outputs taken as "
                    + "log-probabilities) for softmax and mlp; bce (BCEWithLogitsLoss) for logistic; mse, mae "
                    + "(L1Loss), huber (HuberLoss) or smooth-l1 (SmoothL1Loss) for linear. Settings with the options "
                    + "below, or in the text: 'huber(delta=0.5)', 'ce(label_smoothing=0.1, weight=[1, 2])'. Default: "
                    + "ce for softmax and mlp, bce for logistic, mse for linear.")
    String loss;

    @Option(names = "--huber-delta", paramLabel = "D", converter = Converters.Finite.class,
            description = "huber: δ > 0, where the loss turns from quadratic to linear (default 1).")
    Double huberDelta;

    @Option(names = "--smooth-l1-beta", paramLabel = "B", converter = Converters.Finite.class,
            description = "smooth-l1: β >= 0, where the loss turns from quadratic to linear (default 1; 0 is mae).")
    Double smoothL1Beta;

    @Option(names = "--label-smoothing", paramLabel = "E", converter = Converters.Finite.class,
            description = "ce: label smoothing ε in [0, 1), torch's: (1-ε)·the cross-entropy + ε·the mean over the "
                    + "classes of -log p (default 0).")
    Double labelSmoothing;

    @Option(names = "--class-weights", paramLabel = "W0,W1,...|balanced",
            description = "ce, nll: a weight per class (>= 0), the loss being torch's weighted mean Σ w_y·l / Σ w_y; "
                    + "balanced: n / (k · count of the class) from the training labels, as scikit-learn's.")
    String classWeights;

    /** {@code --class-weights balanced}. */
    static final String BALANCED = "balanced";

    @Option(names = "--hidden", paramLabel = "N,N,...", split = ",", hideParamSyntax = true,
            description = "Hidden layer widths of the MLP (default 256,128).")
    List<Integer> hidden;

    @Option(names = "--bias", negatable = true,
            description = "Learn a bias per output (--no-bias: none). Default: off for softmax (the lecture's "
                    + "logits = X·W), on for the others.")
    Boolean bias;

    @Option(names = "--init", paramLabel = "zero|torch", converter = Converters.Name.class,
            description = "Initial weights: zero (default for the linear models; the lecture's) or torch "
                    + "(PyTorch's uniform init from --seed; default for mlp).")
    String init;

    void validate() {
        if (!List.of("softmax", "logistic", "linear", "mlp").contains(model)) {
            throw new UsageException("unknown --model '" + model + "'; known: softmax, logistic, linear, mlp");
        }
        LossSpec spec = baseLoss();
        checkLossFitsModel(spec);
        checkLossSettings(spec);
        if (hidden != null) {
            if (!model.equals("mlp")) {
                throw new UsageException("--hidden applies to --model mlp only");
            }
            for (int h : hidden) {
                if (h < 1) {
                    throw new UsageException("--hidden widths must be >= 1, got " + h);
                }
            }
        }
        if (init != null && !List.of("zero", "zeros", "torch", "default").contains(init)) {
            throw new UsageException("unknown --init '" + init + "'; known: zero, torch");
        }
    }

    /** The loss's name in effect: {@code --loss}'s, or the model's default. */
    String lossName() {
        return baseLoss().shortName();
    }

    /** {@code --loss} (name or text) as written, or the model's default, without the loss options. */
    private LossSpec baseLoss() {
        if (loss == null) {
            return switch (model) {
                case "logistic" -> Loss.BINARY_CROSS_ENTROPY;
                case "linear" -> Loss.MSE;
                default -> Loss.CROSS_ENTROPY;
            };
        }
        try {
            return LossSpec.parse(loss);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new UsageException("--loss: " + (m.startsWith("loss ") ? m.substring(5) : m), e);
        }
    }

    private void checkLossFitsModel(LossSpec spec) {
        String name = spec.shortName();
        switch (model) {
            case "linear" -> {
                if (!spec.regression()) {
                    throw new UsageException("--loss " + name + " is for " + (name.equals("bce") ? "--model logistic"
                            : "classifiers (--model softmax or mlp)") + "; --model linear trains with mse, mae, huber "
                            + "or smooth-l1");
                }
            }
            case "logistic" -> {
                if (spec != Loss.BINARY_CROSS_ENTROPY) {
                    throw new UsageException("--model logistic trains with bce, not " + name
                            + (spec.usesClassLabels() ? " (use --model softmax for ce or nll)" : ""));
                }
            }
            default -> {
                if (!spec.usesClassLabels()) {
                    throw new UsageException("--loss " + name + " is for " + (spec.regression()
                            ? "regression (--model linear, with real-valued targets)" : "--model logistic")
                            + "; --model " + model + " trains with ce or nll");
                }
            }
        }
    }

    /** The loss options: each needs its loss, a valid value, and no setting given twice. */
    private void checkLossSettings(LossSpec spec) {
        String name = spec.shortName();
        boolean textSettings = loss != null && loss.contains("(");
        option("--huber-delta", huberDelta, name.equals("huber"), "huber", textSettings);
        option("--smooth-l1-beta", smoothL1Beta, name.equals("smooth-l1"), "smooth-l1", textSettings);
        option("--label-smoothing", labelSmoothing, name.equals("ce"), "ce", textSettings);
        option("--class-weights", classWeights, spec.usesClassLabels(), "ce and nll", textSettings);
        if (huberDelta != null && !(huberDelta > 0)) {
            throw new UsageException("--huber-delta must be > 0, got " + huberDelta);
        }
        if (smoothL1Beta != null && !(smoothL1Beta >= 0)) {
            throw new UsageException("--smooth-l1-beta must be >= 0, got " + smoothL1Beta);
        }
        if (labelSmoothing != null && !(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new UsageException("--label-smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (classWeights != null && !classWeights.trim().equalsIgnoreCase(BALANCED)) {
            listedWeights();
        }
    }

    private void option(String option, Object value, boolean applies, String loss, boolean textSettings) {
        if (value == null) {
            return;
        }
        if (!applies) {
            throw new UsageException(option + " applies to --loss " + loss + " only (the loss is " + lossName() + ")");
        }
        if (textSettings) {
            throw new UsageException(option + " and settings in --loss '" + SafeText.of(this.loss) + "': give the "
                    + "loss's settings one way, not both");
        }
    }

    /** {@code --class-weights W0,W1,...}, checked: numbers, each finite and >= 0, not all 0. */
    private float[] listedWeights() {
        String[] parts = classWeights.split(",", -1);
        float[] w = new float[parts.length];
        boolean positive = false;
        for (int c = 0; c < parts.length; c++) {
            String t = parts[c].trim();
            float v;
            try {
                v = Float.parseFloat(t);
            } catch (NumberFormatException e) {
                throw new UsageException("--class-weights: weight " + (c + 1) + " ('" + SafeText.of(t) + "') is not a "
                        + "number; give one weight per class, W0,W1,..., or balanced");
            }
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new UsageException("--class-weights: the weight of class " + c + " must be >= 0 and finite, got "
                        + t);
            }
            positive |= v > 0;
            w[c] = v;
        }
        if (!positive) {
            throw new UsageException("--class-weights: every weight is 0");
        }
        return w;
    }

    /**
     * The loss in effect with its settings, for training on {@code train}: {@code --loss} and the loss options, the
     * class weights checked against (or, {@code balanced}, computed from) the training labels.
     *
     * @throws UsageException for settings that do not fit the data
     */
    LossSpec lossSpec(Dataset train) {
        LossSpec spec = baseLoss();
        checkLossFitsModel(spec);
        checkLossSettings(spec);
        try {
            return switch (spec.shortName()) {
                case "huber" -> huberDelta != null ? LossSpec.huber(huberDelta) : spec;
                case "smooth-l1" -> smoothL1Beta != null ? LossSpec.smoothL1(smoothL1Beta) : spec;
                case "ce" -> labelSmoothing == null && classWeights == null ? spec
                        : LossSpec.crossEntropy(labelSmoothing != null ? labelSmoothing : 0, classWeights(train));
                case "nll" -> classWeights == null ? spec : LossSpec.nll(classWeights(train));
                default -> spec;
            };
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    /** The class weights for {@code train}'s classes, or null without {@code --class-weights}. */
    private float[] classWeights(Dataset train) {
        if (classWeights == null) {
            return null;
        }
        int k = train.classes();
        if (classWeights.trim().equalsIgnoreCase(BALANCED)) {
            return balanced(train.labelCounts(), k);
        }
        float[] w = listedWeights();
        if (w.length != k) {
            throw new UsageException("--class-weights has " + w.length + " weight" + (w.length == 1 ? "" : "s") + "; "
                    + train.source() + " has " + k + " classes (give one weight per class, 0 to " + (k - 1) + ")");
        }
        return w;
    }

    /**
     * scikit-learn's {@code compute_class_weight('balanced')}: {@code n / (m · count_c)} for each of the m classes
     * present among the n labels; a class without samples (one the model has an output for but the training data does
     * not use) gets weight 1.
     */
    static float[] balanced(int[] counts, int classes) {
        long n = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            long count = c < counts.length ? counts[c] : 0;
            n += count;
            present += count > 0 ? 1 : 0;
        }
        float[] w = new float[classes];
        for (int c = 0; c < classes; c++) {
            long count = c < counts.length ? counts[c] : 0;
            w[c] = count > 0 ? (float) ((double) n / ((double) present * count)) : 1f;
        }
        return w;
    }

    /** Hidden widths in effect (MLP). */
    List<Integer> hiddenWidths() {
        if (!model.equals("mlp")) {
            return List.of();
        }
        return hidden != null ? hidden : List.of(256, 128);
    }

    /** Whether the model predicts classes. */
    boolean classifier() {
        return !model.equals("linear");
    }
}

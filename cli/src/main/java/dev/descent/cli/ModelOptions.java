package dev.descent.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The model and its loss: {@code --model}, {@code --loss}, {@code --hidden}, {@code --bias}/{@code --no-bias}. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "softmax|logistic|linear|mlp", defaultValue = "softmax",
            converter = Converters.Name.class,
            description = "Model: softmax regression (default; the lecture's), logistic regression (2 classes), "
                    + "linear regression, or an MLP with ReLU hidden layers.")
    String model;

    @Option(names = "--loss", paramLabel = "ce|bce|mse|mae", converter = Converters.Name.class,
            description = "Loss: ce (softmax cross-entropy), bce (binary cross-entropy), mse, mae. Default: ce for "
                    + "softmax and mlp, bce for logistic, mse for linear.")
    String loss;

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
        if (loss != null && !List.of("ce", "bce", "mse", "mae").contains(loss)) {
            throw new UsageException("unknown --loss '" + loss + "'; known: ce, bce, mse, mae");
        }
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

    /** The loss in effect. */
    String lossName() {
        if (loss != null) {
            return loss;
        }
        return switch (model) {
            case "logistic" -> "bce";
            case "linear" -> "mse";
            default -> "ce";
        };
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

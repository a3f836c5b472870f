package dev.descent.model;

import dev.descent.backend.Backend;
import dev.descent.data.SafeText;
import dev.descent.loss.Loss;
import dev.descent.loss.LossSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What model to build: its kind, sizes, bias, loss and initialisation. Built by name with {@link #builder(String)};
 * {@link #create(Backend)} makes the model.
 *
 * <table>
 *   <caption>Kinds and their defaults</caption>
 *   <tr><th>kind (aliases)</th><th>outputs</th><th>loss</th><th>bias</th><th>init</th></tr>
 *   <tr><td>{@code linear} ({@code linear-regression})</td><td>targets (default 1)</td><td>mse (or mae, huber,
 *       smooth-l1)</td><td>yes</td><td>zero</td></tr>
 *   <tr><td>{@code logistic} ({@code logistic-regression})</td><td>1 logit, 2 classes</td><td>bce</td><td>yes</td>
 *       <td>zero</td></tr>
 *   <tr><td>{@code softmax} ({@code softmax-regression})</td><td>k classes</td><td>ce (or nll)</td><td>no (the
 *       lecture's logits = X·W)</td><td>zero</td></tr>
 *   <tr><td>{@code mlp}</td><td>k classes</td><td>ce (or nll)</td><td>yes</td><td>torch</td></tr>
 * </table>
 *
 * <p>The loss is a {@link LossSpec}: a fused {@link Loss}, or one with settings ({@code huber(delta=0.5)},
 * {@code ce(label_smoothing=0.1, weight=[...])} with one weight per class), differentiated on an autodiff tape.
 *
 * <pre>{@code
 * Model mlp = ModelSpec.builder("mlp").inputs(784).hidden(256, 128).outputs(24).seed(42).build().create(backend);
 * Model lecture = ModelSpec.builder("softmax").inputs(784).outputs(24).build().create(backend);
 * Model robust = ModelSpec.builder("linear").inputs(13).loss(LossSpec.huber(0.5)).build().create(backend);
 * }</pre>
 *
 * @param kind    {@code linear}, {@code logistic}, {@code softmax} or {@code mlp}
 * @param inputs  features per sample
 * @param outputs output columns: regression targets, 1 for logistic regression, classes for softmax and MLP
 * @param hidden  hidden layer widths (MLP only), ReLU after each
 * @param bias    whether every layer has a bias
 * @param init    initialisation
 * @param seed    seed of the initialisation (unused for {@link Init#ZERO})
 * @param loss    training loss and its settings
 */
public record ModelSpec(String kind, int inputs, int outputs, List<Integer> hidden, boolean bias, Init init, long seed,
        LossSpec loss) {

    /** The model kinds. */
    public static final List<String> KINDS = List.of("linear", "logistic", "softmax", "mlp");

    /**
     * The most elements one layer's weight matrix may have: about what a Java array holds, on every backend (the
     * initial values and a saved model pass through one).
     */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;

    public ModelSpec {
        kind = canonicalKind(kind);
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(loss, "loss");
        hidden = List.copyOf(hidden);
        if (inputs < 1) {
            throw new IllegalArgumentException(kind + " model: inputs must be >= 1, got " + inputs);
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException(kind + " model: hidden layer width must be >= 1, got " + h);
            }
        }
        if (!hidden.isEmpty() && !kind.equals("mlp")) {
            throw new IllegalArgumentException(kind + " model has no hidden layers (only mlp has), got " + hidden);
        }
        switch (kind) {
            case "linear" -> {
                if (outputs < 1) {
                    throw new IllegalArgumentException("linear model: outputs must be >= 1, got " + outputs);
                }
                if (!loss.regression()) {
                    throw new IllegalArgumentException("linear model trains with mse, mae, huber or smooth-l1, not "
                            + loss.shortName());
                }
            }
            case "logistic" -> {
                if (outputs != 1) {
                    throw new IllegalArgumentException("logistic model has one output (a logit), got " + outputs);
                }
                if (loss != Loss.BINARY_CROSS_ENTROPY) {
                    throw new IllegalArgumentException("logistic model trains with bce, not " + loss.shortName());
                }
            }
            default -> {
                if (outputs < 2) {
                    throw new IllegalArgumentException(kind + " model needs >= 2 classes, got " + outputs);
                }
                if (!loss.usesClassLabels()) {
                    throw new IllegalArgumentException(kind + " model trains with ce or nll, not " + loss.shortName());
                }
                float[] weight = switch (loss) {
                    case LossSpec.CrossEntropy ce -> ce.weight();
                    case LossSpec.Nll nll -> nll.weight();
                    default -> null;
                };
                if (weight != null && weight.length != outputs) {
                    throw new IllegalArgumentException(kind + " model: " + loss.shortName() + " has " + weight.length
                            + " class weights for " + outputs + " classes");
                }
            }
        }
        int[] w = widths(inputs, hidden, outputs);
        for (int l = 0; l + 1 < w.length; l++) {
            long elements = (long) w[l] * w[l + 1];
            if (elements > MAX_TENSOR_ELEMENTS) {
                throw new IllegalArgumentException(kind + " model: layer " + (l + 1) + "'s weights would be " + w[l]
                        + " x " + w[l + 1] + " (" + elements + " elements), more than an array holds ("
                        + MAX_TENSOR_ELEMENTS + ")");
            }
        }
        if (init == Init.ZERO && !hidden.isEmpty()) {
            throw new IllegalArgumentException("mlp with hidden layers cannot start at zero (every hidden unit would"
                    + " stay identical and ReLU(0) passes no gradient); use init torch");
        }
    }

    /** A builder for a model of this kind (or alias); see the class table for defaults. */
    public static Builder builder(String kind) {
        return new Builder(canonicalKind(kind));
    }

    /** Builds the model, allocating its parameters on {@code backend}. */
    public Model create(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        return switch (kind) {
            case "linear" -> new LinearRegression(backend, this);
            case "logistic" -> new LogisticRegression(backend, this);
            case "softmax" -> new SoftmaxRegression(backend, this);
            default -> new Mlp(backend, this);
        };
    }

    /** Layer widths from input to output, e.g. [784, 256, 128, 24]. */
    public int[] widths() {
        return widths(inputs, hidden, outputs);
    }

    private static int[] widths(int inputs, List<Integer> hidden, int outputs) {
        int[] w = new int[hidden.size() + 2];
        w[0] = inputs;
        for (int i = 0; i < hidden.size(); i++) {
            w[i + 1] = hidden.get(i);
        }
        w[w.length - 1] = outputs;
        return w;
    }

    /** The number of parameters: every layer's weights, and its biases if it has them. */
    public long parameterCount() {
        int[] w = widths();
        long n = 0;
        for (int l = 0; l + 1 < w.length; l++) {
            n += (long) w[l] * w[l + 1] + (bias ? w[l + 1] : 0);
        }
        return n;
    }

    /** Number of classes for a classifier (2 for logistic), 0 for linear regression. */
    public int classes() {
        return switch (kind) {
            case "linear" -> 0;
            case "logistic" -> 2;
            default -> outputs;
        };
    }

    /** One line, e.g. {@code mlp 784-256-128-24, relu, bias, ce, init torch (seed 42)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(kind).append(' ');
        int[] w = widths();
        for (int i = 0; i < w.length; i++) {
            sb.append(i == 0 ? "" : "-").append(w[i]);
        }
        if (!hidden.isEmpty()) {
            sb.append(", relu");
        }
        sb.append(bias ? ", bias" : ", no bias").append(", ").append(loss.describe()).append(", init ")
                .append(init.shortName());
        if (init != Init.ZERO) {
            sb.append(" (seed ").append(seed).append(')');
        }
        return sb.toString();
    }

    /**
     * Parses hidden layer widths written as {@code 256,128} (or {@code 256-128}; empty for none).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static int[] parseHidden(String text) {
        if (text == null || text.isBlank()) {
            return new int[0];
        }
        String[] parts = text.trim().split("[,\\-x ]+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("hidden layer sizes '" + text + "': entry " + (i + 1) + " ('"
                        + parts[i] + "') is not an integer");
            }
            if (out[i] < 1) {
                throw new IllegalArgumentException("hidden layer sizes '" + text + "': entry " + (i + 1)
                        + " must be >= 1, got " + out[i]);
            }
        }
        return out;
    }

    static String canonicalKind(String kind) {
        String k = kind == null ? "" : kind.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (k) {
            case "linear", "linear-regression", "linreg" -> "linear";
            case "logistic", "logistic-regression", "logreg", "binary-logistic" -> "logistic";
            case "softmax", "softmax-regression", "multinomial-logistic" -> "softmax";
            case "mlp", "perceptron", "multilayer-perceptron" -> "mlp";
            default -> throw new IllegalArgumentException("unknown model '" + SafeText.of(kind) + "'; known: "
                    + String.join(", ", KINDS));
        };
    }

    /** Collects a {@link ModelSpec}; unset fields take the kind's defaults. */
    public static final class Builder {
        private final String kind;
        private int inputs = -1;
        private int outputs = -1;
        private final List<Integer> hidden = new ArrayList<>();
        private Boolean bias;
        private Init init;
        private long seed;
        private LossSpec loss;

        private Builder(String kind) {
            this.kind = kind;
        }

        /** Features per sample (required). */
        public Builder inputs(int inputs) {
            this.inputs = inputs;
            return this;
        }

        /** Output columns: classes for softmax/MLP, targets for linear regression (default 1). */
        public Builder outputs(int outputs) {
            this.outputs = outputs;
            return this;
        }

        /** Same as {@link #outputs(int)}, for classifiers. */
        public Builder classes(int classes) {
            return outputs(classes);
        }

        /** Hidden layer widths (MLP). */
        public Builder hidden(int... widths) {
            hidden.clear();
            for (int w : widths) {
                hidden.add(w);
            }
            return this;
        }

        /** Whether layers have a bias. */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** The initialisation. */
        public Builder init(Init init) {
            this.init = Objects.requireNonNull(init, "init");
            return this;
        }

        /** The initialisation seed (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The loss: a {@link Loss} or a {@link LossSpec} with settings (linear regression: mse, mae, huber,
         * smooth-l1; logistic regression: bce; softmax and mlp: ce, nll).
         */
        public Builder loss(LossSpec loss) {
            this.loss = Objects.requireNonNull(loss, "loss");
            return this;
        }

        /** Validates and builds. */
        public ModelSpec build() {
            if (inputs < 0) {
                throw new IllegalArgumentException(kind + " model: inputs not set");
            }
            int out = outputs;
            if (out < 0) {
                if (kind.equals("linear") || kind.equals("logistic")) {
                    out = 1;
                } else {
                    throw new IllegalArgumentException(kind + " model: number of classes (outputs) not set");
                }
            }
            boolean b = bias != null ? bias : !kind.equals("softmax");
            Init i = init != null ? init : kind.equals("mlp") ? Init.TORCH : Init.ZERO;
            LossSpec l = loss != null ? loss : switch (kind) {
                case "linear" -> Loss.MSE;
                case "logistic" -> Loss.BINARY_CROSS_ENTROPY;
                default -> Loss.CROSS_ENTROPY;
            };
            return new ModelSpec(kind, inputs, out, hidden, b, i, seed, l);
        }
    }
}

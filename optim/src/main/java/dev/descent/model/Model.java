package dev.descent.model;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.loss.LossSpec;
import dev.descent.optim.Parameter;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A trainable model on a {@link Backend}: parameters, a forward pass into preallocated buffers, and one fused call that
 * computes a batch's loss and writes the gradients into the {@link Parameter#grad()} tensors.
 *
 * <p>Intermediate buffers (activations, outputs, gradients) are allocated once per batch row count and cached, so
 * after the first batch of each shape {@link #lossAndGradients} allocates nothing. A model owns its parameter tensors
 * and buffers and releases them with {@link #close()}.
 *
 * <pre>{@code
 * Model model = ModelSpec.builder("mlp").inputs(784).hidden(256, 128).outputs(24).seed(1).build().create(backend);
 * Optimizer opt = ...;                            // over model.parameters()
 * model.lossAndGradients(batch, lossOut, step);   // loss into lossOut[step], gradients into the parameters
 * opt.step();
 * }</pre>
 */
public interface Model extends AutoCloseable {

    /** The model kind: {@code linear}, {@code logistic}, {@code softmax}, {@code mlp}; {@code expression} for a user's. */
    String name();

    /**
     * The specification the model was built from; null for a model written as an expression
     * ({@link dev.descent.autodiff.ExpressionModel}).
     */
    ModelSpec spec();

    /** One line, e.g. {@code mlp 784-256-128-24, relu, bias, ce, init torch (seed 1)}. */
    String describe();

    /** The backend holding the parameters. */
    Backend backend();

    /** Number of input features. */
    int inputs();

    /** Columns of the output (logits, predictions): k for softmax/MLP, 1 for logistic, targets for linear. */
    int outputs();

    /** Number of classes for a classifier (2 for logistic regression); 0 for a regression model. */
    int classes();

    /** Whether the model predicts class labels (its batches carry int32 labels). */
    default boolean classifier() {
        return classes() > 0;
    }

    /**
     * The training loss and its settings; null when it is written as an expression
     * ({@link dev.descent.autodiff.ExpressionLoss}) that is not a {@link LossSpec}.
     */
    LossSpec loss();

    /** The parameters, in a fixed order (the order of checkpoints and saved files). */
    List<Parameter> parameters();

    /** Total number of scalar parameters. */
    default long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.value().size();
        }
        return n;
    }

    /**
     * Forward pass into a caller-owned buffer.
     *
     * @param features float32 [rows, inputs]
     * @param out      float32 [rows, outputs]: logits for classifiers, predictions for regression
     */
    void forward(Tensor features, Tensor out);

    /**
     * Forward pass into the model's cached buffer for this row count, which is returned. It stays valid until the
     * next call with the same row count; do not close it.
     */
    Tensor forward(Tensor features);

    /**
     * Computes the batch's loss into {@code lossOut[lossIndex]} and overwrites every parameter's gradient, using
     * {@link Batch#globalSize()} as the mean's denominator (so in a data-parallel run the gradients of all processes
     * sum to the gradient of the global batch). A batch with no rows on this process writes zero gradients and leaves
     * {@code lossOut} untouched (its loss is 0).
     */
    void lossAndGradients(Batch batch, Tensor lossOut, int lossIndex);

    /**
     * The batch's loss only (no gradients), into {@code lossOut[lossIndex]}, normalised by {@link Batch#globalSize()};
     * returns the cached output buffer (as {@link #forward(Tensor)}). Nothing is written for an empty batch and null
     * is returned.
     */
    Tensor loss(Batch batch, Tensor lossOut, int lossIndex);

    /**
     * Class predictions from outputs computed by {@link #forward}: argmax of the logits, or for logistic regression
     * {@code logit > 0} (probability above one half).
     *
     * @param outputs     float32 [rows, outputs]
     * @param predictions int32 [rows]
     * @throws IllegalStateException for a regression model
     */
    void classify(Tensor outputs, Tensor predictions);

    /** {@link #forward} then {@link #classify}. */
    default void predict(Tensor features, Tensor predictions) {
        classify(forward(features), predictions);
    }

    /** Sets every gradient to zero. */
    void zeroGradients();

    /** Writes the parameter values (count, then name, rows, cols, floats of each). */
    void writeParameters(DataOutputStream out) throws IOException;

    /**
     * Reads parameter values written by {@link #writeParameters} into this model's tensors.
     *
     * @param source names the file in error messages
     * @throws IOException naming the source and the parameter whose name or shape does not match
     */
    void readParameters(DataInputStream in, String source) throws IOException;

    /** Saves the parameter values to a file, atomically (see {@link ParameterFile}). */
    default void save(Path file) throws IOException {
        ParameterFile.write(file, this);
    }

    /** Loads parameter values saved by {@link #save}; the file must match this model's parameters. */
    default void load(Path file) throws IOException {
        ParameterFile.read(file, this);
    }

    /** Releases the parameters and every cached buffer. Idempotent. */
    @Override
    void close();
}

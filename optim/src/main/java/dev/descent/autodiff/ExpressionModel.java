package dev.descent.autodiff;

import dev.descent.backend.Backend;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.loss.LossSpec;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.model.ParameterFile;
import dev.descent.optim.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Model} from a user's {@link Module} and {@link ExpressionLoss}: gradients by reverse-mode differentiation,
 * so it trains with {@link dev.descent.train.Trainer}, every optimizer, schedule and gradient clipping, and saves,
 * checkpoints and resumes like a built-in model.
 *
 * <pre>{@code
 * Model model = ExpressionModel.classifier(new TanhMlp(backend, 784, 128, 10, 1), 784, 10,
 *         ExpressionLoss.crossEntropy());
 * }</pre>
 *
 * <p>For each batch shape (row count, and global batch size in a data-parallel run) it records the module's forward
 * expression and the loss on a {@link Tape} once and replays it afterwards, allocation-free; a few shapes are kept
 * (a training batch, the last partial batch, the evaluation batch). The loss is the loss expression's value scaled by
 * {@code rows / globalSize} (the whole batch's mean in a data-parallel run). {@link #spec()} is null: the model is
 * defined by code, not by a specification.
 */
public final class ExpressionModel implements Model {
    private static final int CACHED_SHAPES = 4;

    private final Module module;
    private final Backend backend;
    private final int inputs;
    private final int outputs;
    private final int classes;
    private final ExpressionLoss loss;
    private final LossSpec builtInLoss;
    private final List<Parameter> parameters;
    private final Graph[] trainGraphs = new Graph[CACHED_SHAPES];
    private final Graph[] evalGraphs = new Graph[CACHED_SHAPES];
    private long clock;
    private float[] hostLogits = new float[0];
    private int[] hostClasses = new int[0];
    private boolean closed;

    private ExpressionModel(Module module, int inputs, int outputs, int classes, ExpressionLoss loss) {
        this.module = Objects.requireNonNull(module, "module");
        this.backend = module.backend();
        this.loss = Objects.requireNonNull(loss, "loss");
        this.builtInLoss = loss instanceof LossSpec s ? s : null;
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("expression model needs inputs and outputs >= 1, got " + inputs + " and "
                    + outputs);
        }
        this.inputs = inputs;
        this.outputs = outputs;
        this.classes = classes;
        this.parameters = module.parameters();
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("module " + module.describe() + " has no parameters");
        }
    }

    /**
     * A classifier: outputs [rows, classes] logits (or one logit for two classes), trained on int32 labels with
     * {@code loss} (for example {@link ExpressionLoss#crossEntropy()}, or a {@link LossSpec} with settings:
     * {@code LossSpec.crossEntropy(0.1, weights)}, {@code LossSpec.nll()} after a log-softmax); predictions are the
     * argmax (one logit: > 0).
     */
    public static ExpressionModel classifier(Module module, int inputs, int classes, ExpressionLoss loss) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        return new ExpressionModel(module, inputs, classes, classes, loss);
    }

    /**
     * A regression model: outputs [rows, outputs] trained on float targets with {@code loss} (for example
     * {@code LossSpec.huber(0.5)}).
     */
    public static ExpressionModel regression(Module module, int inputs, int outputs, ExpressionLoss loss) {
        return new ExpressionModel(module, inputs, outputs, 0, loss);
    }

    /** The module. */
    public Module module() {
        return module;
    }

    @Override
    public String name() {
        return "expression";
    }

    /** Null: an expression model is defined by its code. */
    @Override
    public ModelSpec spec() {
        return null;
    }

    @Override
    public String describe() {
        return "expression " + module.describe() + ", " + inputs + " inputs, " + outputs + " outputs"
                + (classes > 0 ? ", " + classes + " classes" : "");
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int inputs() {
        return inputs;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public int classes() {
        return classes;
    }

    /**
     * The loss when it is a {@link LossSpec} ({@code LossSpec.huber(0.5)}, {@code LossSpec.nll()}, ... are
     * {@link ExpressionLoss}es), or null for a loss written as an expression.
     */
    @Override
    public LossSpec loss() {
        return builtInLoss;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    // ================================================================ forward

    @Override
    public void forward(Tensor features, Tensor out) {
        checkOpen();
        if (out.rows() != features.rows() || out.cols() != outputs || out.dtype() != DType.F32) {
            throw new IllegalArgumentException("expression model forward: output buffer is [" + out.rows() + ", "
                    + out.cols() + "], expected [" + features.rows() + ", " + outputs + "]");
        }
        backend.copy(forward(features), out);
    }

    @Override
    public Tensor forward(Tensor features) {
        checkFeatures(features, features.rows());
        Graph g = evalGraph(features.rows(), features);
        g.tape.bind(g.x, features);
        g.tape.forward();
        return g.out.value;
    }

    // ================================================================ loss and gradients

    @Override
    public void lossAndGradients(Batch batch, Tensor lossOut, int lossIndex) {
        int rows = checkBatch(batch);
        if (rows == 0) {
            zeroGradients();
            return;
        }
        Graph g = trainGraph(batch);
        bind(g, batch);
        g.tape.forward();
        g.tape.backward(g.loss);
        backend.copyBlock(g.loss.value, 0, 0, lossOut, lossIndex, 0, 1, 1, 0f);
    }

    @Override
    public Tensor loss(Batch batch, Tensor lossOut, int lossIndex) {
        int rows = checkBatch(batch);
        if (rows == 0) {
            return null;
        }
        Graph g = trainGraph(batch);
        bind(g, batch);
        g.tape.forward();
        backend.copyBlock(g.loss.value, 0, 0, lossOut, lossIndex, 0, 1, 1, 0f);
        return g.out.value;
    }

    private void bind(Graph g, Batch batch) {
        g.tape.bind(g.x, batch.features());
        g.tape.bind(g.y, target(batch));
    }

    private Tensor target(Batch batch) {
        if (classes > 0) {
            if (batch.labels() == null) {
                throw new IllegalArgumentException("expression classifier needs int32 class labels, the batch has "
                        + "none");
            }
            return batch.labels();
        }
        if (batch.targets() == null) {
            throw new IllegalArgumentException("expression regression model needs float targets, the batch has none");
        }
        return batch.targets();
    }

    @Override
    public void classify(Tensor outputsTensor, Tensor predictions) {
        checkOpen();
        if (classes == 0) {
            throw new IllegalStateException("expression regression model predicts values, not classes");
        }
        int rows = outputsTensor.rows();
        if (outputsTensor.cols() != outputs || predictions.size() != rows || predictions.dtype() != DType.I32) {
            throw new IllegalArgumentException("expression model classify: outputs [" + outputsTensor.rows() + ", "
                    + outputsTensor.cols() + "] and predictions " + java.util.Arrays.toString(predictions.shape())
                    + ", expected [" + rows + ", " + outputs + "] and int32 [" + rows + "]");
        }
        if (outputs > 1) {
            backend.argmaxRows(outputsTensor, predictions);
            return;
        }
        if (hostLogits.length < rows) {
            hostLogits = new float[rows];
            hostClasses = new int[rows];
        }
        backend.download(outputsTensor, hostLogits, 0);
        for (int i = 0; i < rows; i++) {
            hostClasses[i] = hostLogits[i] > 0f ? 1 : 0;
        }
        backend.uploadInt(hostClasses, 0, predictions);
    }

    @Override
    public void zeroGradients() {
        checkOpen();
        for (Parameter p : parameters) {
            backend.fill(p.grad(), 0f);
        }
    }

    // ================================================================ parameter values

    @Override
    public void writeParameters(DataOutputStream out) throws IOException {
        ParameterFile.writeValues(out, backend, parameters);
    }

    @Override
    public void readParameters(DataInputStream in, String source) throws IOException {
        ParameterFile.readValues(in, source, backend, parameters, describe());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < CACHED_SHAPES; i++) {
            closeGraph(trainGraphs, i);
            closeGraph(evalGraphs, i);
        }
        module.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    // ================================================================ graphs per shape

    /** A recorded computation for one batch shape. */
    private static final class Graph {
        final int rows;
        final int globalSize;
        final Tape tape;
        Var x;
        Var y;
        Var out;
        Var loss;
        long lastUse;

        Graph(Backend backend, int rows, int globalSize) {
            this.rows = rows;
            this.globalSize = globalSize;
            this.tape = new Tape(backend);
        }
    }

    private Graph trainGraph(Batch batch) {
        int rows = batch.size();
        int global = batch.globalSize();
        long now = ++clock;
        for (Graph g : trainGraphs) {
            if (g != null && g.rows == rows && g.globalSize == global) {
                g.lastUse = now;
                return g;
            }
        }
        Graph g = new Graph(backend, rows, global);
        try {
            g.x = g.tape.input("x", batch.features());
            g.y = classes > 0 ? g.tape.labels("labels", target(batch)) : g.tape.input("targets", target(batch));
            g.out = record(g, rows);
            Var l = loss.loss(g.out, g.y);
            if (l == null || l.tape() != g.tape || l.size() != 1) {
                throw new IllegalArgumentException("the loss expression must give one element built from the outputs"
                        + (l == null ? "" : ", got " + l));
            }
            g.loss = rows == global ? l : l.mul((double) rows / global);
        } catch (RuntimeException e) {
            g.tape.close();
            throw e;
        }
        g.lastUse = now;
        store(trainGraphs, g);
        return g;
    }

    private Graph evalGraph(int rows, Tensor features) {
        long now = ++clock;
        for (Graph g : evalGraphs) {
            if (g != null && g.rows == rows) {
                g.lastUse = now;
                return g;
            }
        }
        Graph g = new Graph(backend, rows, rows);
        try {
            g.x = g.tape.input("x", features);
            g.out = record(g, rows);
        } catch (RuntimeException e) {
            g.tape.close();
            throw e;
        }
        g.lastUse = now;
        store(evalGraphs, g);
        return g;
    }

    private Var record(Graph g, int rows) {
        Var out = module.forward(g.tape, g.x);
        if (out == null || out.tape() != g.tape) {
            throw new IllegalArgumentException("module " + module.describe() + ": forward must return a value built "
                    + "on the tape it is given");
        }
        if (out.rank() != 2 || out.shape()[0] != rows || out.shape()[1] != outputs) {
            throw new IllegalArgumentException("module " + module.describe() + ": forward gave "
                    + java.util.Arrays.toString(out.shape()) + ", expected [" + rows + ", " + outputs + "]");
        }
        return out;
    }

    private static void store(Graph[] cache, Graph g) {
        int slot = -1;
        for (int i = 0; i < cache.length; i++) {
            if (cache[i] == null) {
                slot = i;
                break;
            }
            if (slot < 0 || cache[i].lastUse < cache[slot].lastUse) {
                slot = i;
            }
        }
        closeGraph(cache, slot);
        cache[slot] = g;
    }

    private static void closeGraph(Graph[] cache, int i) {
        if (cache[i] != null) {
            cache[i].tape.close();
            cache[i] = null;
        }
    }

    // ================================================================ checks

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("expression model is closed");
        }
    }

    private int checkBatch(Batch batch) {
        checkOpen();
        int rows = batch.size();
        if (rows < 0 || batch.globalSize() < rows || batch.globalSize() < 1) {
            throw new IllegalArgumentException("expression model: batch of " + rows + " rows with global size "
                    + batch.globalSize());
        }
        if (rows > 0) {
            checkFeatures(batch.features(), rows);
        }
        return rows;
    }

    private void checkFeatures(Tensor features, int rows) {
        checkOpen();
        if (features.rows() != rows || features.cols() != inputs || features.dtype() != DType.F32) {
            throw new IllegalArgumentException("expression model: features are [" + features.rows() + ", "
                    + features.cols() + "] " + features.dtype() + ", expected float32 [" + rows + ", " + inputs
                    + "]");
        }
    }
}

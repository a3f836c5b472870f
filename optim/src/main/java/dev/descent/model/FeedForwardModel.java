package dev.descent.model;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.backend.Backend;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.loss.Loss;
import dev.descent.loss.LossSpec;
import dev.descent.optim.Parameter;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A stack of dense layers with ReLU between them, the common implementation of every built-in model.
 *
 * <p>Layer {@code l} maps width {@code w_l} to {@code w_{l+1}} with a weight {@code W} of shape [w_l, w_{l+1}] (torch's
 * {@code nn.Linear.weight} transposed) and an optional bias [w_{l+1}]: {@code Z = A·W + b}, {@code A' = relu(Z)} for
 * every layer but the last, whose Z are the outputs. Parameters are named {@code W}, {@code b} for a single layer and
 * {@code layer1.W}, {@code layer1.b}, … otherwise.
 *
 * <p>Backward pass, with δ the loss gradient with respect to a layer's Z (the fused loss kernel gives the last one):
 * {@code ∂W = Aᵀ·δ} (gemm with transposed A), {@code ∂b = column sums of δ}, and for the layer below
 * {@code δ' = (δ·Wᵀ) ⊙ [A > 0]} (gemm with transposed W, then reluBackward). The input's gradient is never formed.
 * With the cross-entropy loss the last layer's forward pass, the loss and that layer's ∂W and ∂b are one
 * {@link Backend#linearSoftmaxCrossEntropy} call (the same results as the separate calls; the CPU backend fuses it).
 *
 * <p>A loss with settings (a {@link LossSpec} without a {@link LossSpec#fused() fused} kernel: Huber, smooth L1,
 * cross-entropy with label smoothing or class weights, NLL) is differentiated on an autodiff
 * {@link dev.descent.autodiff.Tape} whose one parameter is the output buffer, with the last layer's δ as its gradient:
 * {@code backward} writes dL/dZ into δ and the layers' backward pass continues from there. The tape is recorded once
 * per batch shape (with the buffers) and replayed, allocation-free.
 *
 * <p>Activation and δ buffers are cached per batch row count (up to {@value #MAX_SHAPES} row counts, least recently
 * used evicted), typically the full batch and the epoch's final partial batch.
 */
public abstract sealed class FeedForwardModel implements Model
        permits LinearRegression, LogisticRegression, SoftmaxRegression, Mlp {

    /** Row counts whose buffers are kept. */
    static final int MAX_SHAPES = 6;

    private final Backend backend;
    private final ModelSpec spec;
    private final int[] widths;
    private final int layers;
    private final Tensor[] weight;
    private final Tensor[] bias;
    private final Tensor[] weightGrad;
    private final Tensor[] biasGrad;
    private final List<Parameter> parameters;
    /** {0, 1} as float32 [2, 1]: gathers int32 labels into float targets for binary cross-entropy. */
    private final Tensor labelValues;
    /** The loss's fused kernel, or null when the loss is differentiated on a tape ({@link #tapeLoss}). */
    private final Loss fused;
    /** The loss as an expression, when it has no fused kernel. */
    private final ExpressionLoss tapeLoss;
    private final Buffers[] cache = new Buffers[MAX_SHAPES];
    private long useClock;
    private boolean closed;

    FeedForwardModel(Backend backend, ModelSpec spec, String expectedKind) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.spec = Objects.requireNonNull(spec, "spec");
        if (!spec.kind().equals(expectedKind)) {
            throw new IllegalArgumentException("a " + expectedKind + " model cannot be built from a " + spec.kind()
                    + " spec");
        }
        this.widths = spec.widths();
        this.layers = widths.length - 1;
        this.fused = spec.loss().fused();
        this.tapeLoss = fused == null ? (ExpressionLoss) spec.loss() : null;
        this.weight = new Tensor[layers];
        this.bias = new Tensor[layers];
        this.weightGrad = new Tensor[layers];
        this.biasGrad = new Tensor[layers];
        List<Parameter> params = new ArrayList<>();
        Random random = spec.init() == Init.TORCH ? new Random(spec.seed()) : null;
        try {
            for (int l = 0; l < layers; l++) {
                String prefix = layers == 1 ? "" : "layer" + (l + 1) + ".";
                int in = widths[l];
                int out = widths[l + 1];
                float bound = (float) (1.0 / Math.sqrt(in));
                weight[l] = random == null ? backend.allocate(in, out)
                        : backend.upload(uniform(random, in * out, bound), in, out);
                weightGrad[l] = backend.allocate(in, out);
                params.add(new Parameter(prefix + "W", weight[l], weightGrad[l]));
                if (spec.bias()) {
                    bias[l] = random == null ? backend.allocate(out) : backend.upload(uniform(random, out, bound), out);
                    biasGrad[l] = backend.allocate(out);
                    params.add(new Parameter(prefix + "b", bias[l], biasGrad[l]));
                }
            }
            labelValues = spec.loss() == Loss.BINARY_CROSS_ENTROPY ? backend.upload(new float[] {0f, 1f}, 2, 1)
                    : null;
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
        this.parameters = Collections.unmodifiableList(params);
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((2.0 * random.nextDouble() - 1.0) * bound);
        }
        return v;
    }

    @Override
    public String name() {
        return spec.kind();
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public String describe() {
        return spec.describe();
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int inputs() {
        return widths[0];
    }

    @Override
    public int outputs() {
        return widths[layers];
    }

    @Override
    public int classes() {
        return spec.classes();
    }

    @Override
    public LossSpec loss() {
        return spec.loss();
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Number of dense layers. */
    public int layers() {
        return layers;
    }

    // ------------------------------------------------------------------ forward

    @Override
    public void forward(Tensor features, Tensor out) {
        int rows = checkFeatures(features, features.rows());
        if (out.rows() != rows || out.cols() != outputs() || out.dtype() != DType.F32) {
            throw new IllegalArgumentException(name() + " forward: output buffer is " + shape(out) + ", expected ["
                    + rows + ", " + outputs() + "]");
        }
        forwardInto(features, buffers(rows), out);
    }

    @Override
    public Tensor forward(Tensor features) {
        int rows = checkFeatures(features, features.rows());
        Buffers buf = buffers(rows);
        Tensor out = buf.output();
        forwardInto(features, buf, out);
        return out;
    }

    private void forwardInto(Tensor x, Buffers buf, Tensor out) {
        forwardInto(x, buf, layers, out);
    }

    /** Runs the first {@code count} layers; the last layer (if run) writes into {@code out}. */
    private void forwardInto(Tensor x, Buffers buf, int count, Tensor out) {
        Tensor in = x;
        for (int l = 0; l < count; l++) {
            Tensor z = l == layers - 1 ? out : buf.act[l];
            backend.gemm(false, false, 1f, in, weight[l], 0f, z);
            if (bias[l] != null) {
                backend.addRowVector(z, bias[l]);
            }
            if (l < layers - 1) {
                backend.relu(z, z);
            }
            in = z;
        }
    }

    // ------------------------------------------------------------------ loss and gradients

    @Override
    public void lossAndGradients(Batch batch, Tensor lossOut, int lossIndex) {
        int rows = checkBatch(batch);
        if (rows == 0) {
            zeroGradients();
            return;
        }
        Tensor x = batch.features();
        Buffers buf = buffers(rows);
        int top = layers - 1;
        if (fused == Loss.CROSS_ENTROPY) {
            // The last layer, the loss and the last layer's gradients in one backend call (the same results as the
            // calls below; the CPU backend reads the layer's input once instead of twice). The logits are not needed
            // afterwards, so they go into δ, which the softmax then overwrites in place: one [rows, classes] buffer
            // written per step instead of two.
            targets(batch, buf);
            forwardInto(x, buf, top, null);
            backend.linearSoftmaxCrossEntropy(top == 0 ? x : buf.act[top - 1], weight[top], bias[top],
                    batch.labels(), buf.delta[top], buf.delta[top], weightGrad[top], biasGrad[top],
                    batch.globalSize(), lossOut, lossIndex);
        } else {
            Tensor out = buf.output();
            forwardInto(x, buf, layers, out);
            if (fused != null) {
                fused.compute(backend, out, batch.labels(), targets(batch, buf), buf.delta[top], batch.globalSize(),
                        lossOut, lossIndex);
            } else {
                buf.lossTape(batch, targets(batch, buf)).run(true, lossOut, lossIndex);
            }
        }
        for (int l = top; l >= 0; l--) {
            Tensor in = l == 0 ? x : buf.act[l - 1];
            if (l < top || fused != Loss.CROSS_ENTROPY) {
                backend.gemm(true, false, 1f, in, buf.delta[l], 0f, weightGrad[l]);
                if (biasGrad[l] != null) {
                    backend.columnSums(1f, buf.delta[l], 0f, biasGrad[l]);
                }
            }
            if (l > 0) {
                backend.gemm(false, true, 1f, buf.delta[l], weight[l], 0f, buf.delta[l - 1]);
                backend.reluBackward(buf.delta[l - 1], buf.act[l - 1], buf.delta[l - 1]);
            }
        }
    }

    @Override
    public Tensor loss(Batch batch, Tensor lossOut, int lossIndex) {
        int rows = checkBatch(batch);
        if (rows == 0) {
            return null;
        }
        Buffers buf = buffers(rows);
        Tensor out = buf.output();
        forwardInto(batch.features(), buf, out);
        if (fused != null) {
            fused.compute(backend, out, batch.labels(), targets(batch, buf), null, batch.globalSize(), lossOut,
                    lossIndex);
        } else {
            buf.lossTape(batch, targets(batch, buf)).run(false, lossOut, lossIndex);
        }
        return out;
    }

    /** The batch's int32 labels for a classification loss, its float targets otherwise (bce: from 0/1 labels). */
    private Tensor targets(Batch batch, Buffers buf) {
        if (fused == Loss.BINARY_CROSS_ENTROPY && batch.targets() == null && batch.labels() != null) {
            // int32 labels 0/1 -> float targets on the backend; a label outside {0, 1} is an index error there.
            backend.gatherRows(labelValues, batch.labels(), 0, buf.targets());
            return buf.targets();
        }
        if (!spec.loss().usesClassLabels() && batch.targets() == null) {
            throw new IllegalArgumentException(name() + " model (" + spec.loss().shortName()
                    + ") needs float targets, the batch has none");
        }
        if (spec.loss().usesClassLabels()) {
            if (batch.labels() == null) {
                throw new IllegalArgumentException(name() + " model (" + spec.loss().shortName()
                        + ") needs int32 class labels, the batch has none");
            }
            return batch.labels();
        }
        return batch.targets();
    }

    @Override
    public void classify(Tensor outputs, Tensor predictions) {
        if (!classifier()) {
            throw new IllegalStateException(name() + " model predicts values, not classes");
        }
        int rows = outputs.rows();
        if (outputs.cols() != outputs() || predictions.size() != rows || predictions.dtype() != DType.I32) {
            throw new IllegalArgumentException(name() + " classify: outputs " + shape(outputs) + " and predictions "
                    + shape(predictions) + " (" + predictions.dtype() + "), expected [" + rows + ", " + outputs()
                    + "] and int32 [" + rows + "]");
        }
        if (outputs() > 1) {
            backend.argmaxRows(outputs, predictions);
            return;
        }
        // One logit: class 1 where the probability exceeds one half. No backend kernel thresholds, so do it here
        // (evaluation only, not a training step).
        Buffers buf = buffers(rows);
        float[] logits = buf.hostLogits();
        int[] classes = buf.hostClasses();
        backend.download(outputs, logits, 0);
        for (int i = 0; i < rows; i++) {
            classes[i] = logits[i] > 0f ? 1 : 0;
        }
        backend.uploadInt(classes, 0, predictions);
    }

    @Override
    public void zeroGradients() {
        for (int l = 0; l < layers; l++) {
            backend.fill(weightGrad[l], 0f);
            if (biasGrad[l] != null) {
                backend.fill(biasGrad[l], 0f);
            }
        }
    }

    private int checkBatch(Batch batch) {
        if (closed) {
            throw new IllegalStateException(name() + " model is closed");
        }
        int rows = batch.size();
        if (rows < 0 || batch.globalSize() < rows || batch.globalSize() < 1) {
            throw new IllegalArgumentException(name() + " model: batch of " + rows + " rows with global size "
                    + batch.globalSize());
        }
        if (rows > 0) {
            checkFeatures(batch.features(), rows);
        }
        return rows;
    }

    private int checkFeatures(Tensor features, int rows) {
        if (closed) {
            throw new IllegalStateException(name() + " model is closed");
        }
        if (features.rows() != rows || features.cols() != inputs() || features.dtype() != DType.F32) {
            throw new IllegalArgumentException(name() + " model: features are " + shape(features) + " "
                    + features.dtype() + ", expected float32 [" + rows + ", " + inputs() + "]");
        }
        return rows;
    }

    private static String shape(Tensor t) {
        return "[" + t.rows() + ", " + t.cols() + "]";
    }

    // ------------------------------------------------------------------ buffers

    /** The buffers for a row count, allocated on first use; allocation-free once cached. */
    private Buffers buffers(int rows) {
        long now = ++useClock;
        int free = -1;
        int oldest = -1;
        for (int i = 0; i < cache.length; i++) {
            Buffers b = cache[i];
            if (b == null) {
                if (free < 0) {
                    free = i;
                }
            } else if (b.rows == rows) {
                b.lastUse = now;
                return b;
            } else if (oldest < 0 || b.lastUse < cache[oldest].lastUse) {
                oldest = i;
            }
        }
        int slot = free >= 0 ? free : oldest;
        if (cache[slot] != null) {
            cache[slot].close();
        }
        Buffers b = new Buffers(rows);
        b.lastUse = now;
        cache[slot] = b;
        return b;
    }

    /** Activations (act[l] is layer l's output, after ReLU for hidden layers) and δ for one row count. */
    private final class Buffers {
        final int rows;
        final Tensor[] act = new Tensor[layers];
        final Tensor[] delta = new Tensor[layers];
        private Tensor targets;
        private LossTape lossTape;
        private float[] hostLogits;
        private int[] hostClasses;
        long lastUse;

        Buffers(int rows) {
            this.rows = rows;
            try {
                for (int l = 0; l < layers; l++) {
                    if (l < layers - 1) {
                        act[l] = backend.allocate(rows, widths[l + 1]);
                    }
                    delta[l] = backend.allocate(rows, widths[l + 1]);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /**
         * The last layer's output, allocated on first use: a training step with cross-entropy never needs it (its
         * logits go into δ).
         */
        Tensor output() {
            if (act[layers - 1] == null) {
                act[layers - 1] = backend.allocate(rows, widths[layers]);
            }
            return act[layers - 1];
        }

        Tensor targets() {
            if (targets == null) {
                targets = backend.allocate(rows, 1);
            }
            return targets;
        }

        /**
         * The loss's tape for this row count and the batch's global size, recorded on first use (and again when the
         * global size changes, which a data-parallel run's last batch may do), bound to the batch's labels or targets.
         */
        LossTape lossTape(Batch batch, Tensor target) {
            if (lossTape == null || lossTape.globalSize != batch.globalSize()) {
                if (lossTape != null) {
                    lossTape.close();
                    lossTape = null;
                }
                lossTape = new LossTape(backend, tapeLoss, spec.loss().usesClassLabels(), output(), delta[layers - 1],
                        target, rows, batch.globalSize());
            }
            lossTape.bind(target);
            return lossTape;
        }

        float[] hostLogits() {
            if (hostLogits == null) {
                hostLogits = new float[rows];
            }
            return hostLogits;
        }

        int[] hostClasses() {
            if (hostClasses == null) {
                hostClasses = new int[rows];
            }
            return hostClasses;
        }

        void close() {
            if (lossTape != null) {
                lossTape.close();
                lossTape = null;
            }
            for (int l = 0; l < layers; l++) {
                closeQuietly(act[l]);
                closeQuietly(delta[l]);
            }
            closeQuietly(targets);
        }
    }

    // ------------------------------------------------------------------ parameter values

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
        if (!closed) {
            closed = true;
            closeAll();
        }
    }

    private void closeAll() {
        for (int i = 0; i < cache.length; i++) {
            if (cache[i] != null) {
                cache[i].close();
                cache[i] = null;
            }
        }
        for (int l = 0; l < layers; l++) {
            closeQuietly(weight[l]);
            closeQuietly(bias[l]);
            closeQuietly(weightGrad[l]);
            closeQuietly(biasGrad[l]);
        }
        closeQuietly(labelValues);
    }

    private static void closeQuietly(Tensor t) {
        if (t != null) {
            t.close();
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}

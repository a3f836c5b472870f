package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.Loader;
import dev.descent.dist.Communicator;
import dev.descent.loss.Loss;
import dev.descent.model.Model;

import java.util.Arrays;
import java.util.Objects;

/**
 * Evaluates a model on a data set: the loss, and accuracy with a confusion matrix for classifiers or MSE and MAE for
 * regression. Batch losses stay on the backend and are read back once at the end; class predictions
 * ({@code argmaxRows}, or the logit's sign for logistic regression) are compared with the labels on the host.
 *
 * <p>In a data-parallel run every process evaluates its shard (the loader must shard the test set like the training
 * set, with {@link Batch#globalSize()} the global batch size) and the sums and counts are reduced with one
 * {@code allreduceSum}, so every process gets the same {@link Evaluation}.
 *
 * <pre>{@code
 * try (Evaluator eval = new Evaluator(model, testLoader, Communicator.single())) {
 *     Evaluation e = eval.evaluate();
 *     System.out.println(e + "\n" + e.confusion().format());
 * }
 * }</pre>
 */
public final class Evaluator implements AutoCloseable {
    private final Model model;
    private final Loader loader;
    private final Communicator communicator;
    private final Backend backend;
    private final boolean classifier;
    private final int classes;
    private final Tensor losses;
    private final Tensor mse;
    private final Tensor mae;
    private final float[] hostLosses;
    private final float[] hostMse;
    private final float[] hostMae;
    private final int[] globalSizes;
    private final boolean[] empty;
    private final double[] reduce;
    private final Tensor[] predictions = new Tensor[4];
    private int[] hostPredictions = new int[0];
    private int[] hostLabels = new int[0];
    private float[] hostTargets = new float[0];
    private boolean closed;

    /** Allocates the evaluation buffers for {@code loader}'s batches. */
    public Evaluator(Model model, Loader loader, Communicator communicator) {
        this.model = Objects.requireNonNull(model, "model");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.communicator = Objects.requireNonNull(communicator, "communicator");
        this.backend = model.backend();
        this.classifier = model.classifier();
        this.classes = model.classes();
        int batches = Math.max(1, loader.batchesPerEpoch());
        this.losses = backend.allocate(batches);
        this.mse = classifier ? null : backend.allocate(batches);
        this.mae = classifier ? null : backend.allocate(batches);
        this.hostLosses = new float[batches];
        this.hostMse = classifier ? null : new float[batches];
        this.hostMae = classifier ? null : new float[batches];
        this.globalSizes = new int[batches];
        this.empty = new boolean[batches];
        this.reduce = new double[4 + (classifier ? classes * classes : 0)];
    }

    /** Evaluates the model on the loader's data (its epoch 1 order). */
    public Evaluation evaluate() {
        if (closed) {
            throw new IllegalStateException("evaluator is closed");
        }
        Arrays.fill(reduce, 0.0);
        loader.startEpoch(1);
        int b = 0;
        long localSamples = 0;
        while (loader.hasNext()) {
            Batch batch = loader.next();
            if (b >= globalSizes.length) {
                throw new IllegalStateException("evaluation loader returned more than its " + globalSizes.length
                        + " batches per epoch");
            }
            globalSizes[b] = batch.globalSize();
            empty[b] = batch.size() == 0;
            if (!empty[b]) {
                localSamples += batch.size();
                Tensor out = model.loss(batch, losses, b);
                if (classifier) {
                    countPredictions(batch, out);
                } else {
                    Loss.MSE.compute(backend, out, null, batch.targets(), null, batch.globalSize(), mse, b);
                    Loss.MAE.compute(backend, out, null, batch.targets(), null, batch.globalSize(), mae, b);
                }
            }
            b++;
        }
        int batches = b;
        backend.download(losses, hostLosses, 0);
        if (!classifier) {
            backend.download(mse, hostMse, 0);
            backend.download(mae, hostMae, 0);
        }
        long globalRows = 0;
        for (int i = 0; i < batches; i++) {
            globalRows += globalSizes[i];
            if (!empty[i]) {
                reduce[0] += (double) hostLosses[i] * globalSizes[i];
                if (!classifier) {
                    reduce[1] += (double) hostMse[i] * globalSizes[i];
                    reduce[2] += (double) hostMae[i] * globalSizes[i];
                }
            }
        }
        reduce[3] = localSamples;
        communicator.allreduceSum(reduce, 0, reduce.length);
        long samples = (long) reduce[3];
        double denom = globalRows;
        double loss = reduce[0] / denom;
        if (!classifier) {
            return new Evaluation(samples, loss, Double.NaN, reduce[1] / denom, reduce[2] / denom, null);
        }
        long[] counts = new long[classes * classes];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = (long) reduce[4 + i];
        }
        ConfusionMatrix confusion = new ConfusionMatrix(classes, counts);
        return new Evaluation(samples, loss, confusion.accuracy(), Double.NaN, Double.NaN, confusion);
    }

    private void countPredictions(Batch batch, Tensor out) {
        int rows = batch.size();
        Tensor pred = predictionBuffer(rows);
        if (hostPredictions.length < rows) {
            hostPredictions = new int[rows];
            hostLabels = new int[rows];
            hostTargets = new float[rows];
        }
        model.classify(out, pred);
        backend.downloadInt(pred, hostPredictions, 0);
        if (batch.labels() != null) {
            backend.downloadInt(batch.labels(), hostLabels, 0);
        } else {
            // Logistic regression with float targets: the class is target > 1/2.
            backend.download(batch.targets(), hostTargets, 0);
            for (int i = 0; i < rows; i++) {
                hostLabels[i] = hostTargets[i] > 0.5f ? 1 : 0;
            }
        }
        for (int i = 0; i < rows; i++) {
            int t = hostLabels[i];
            int p = hostPredictions[i];
            if (t < 0 || t >= classes) {
                throw new IllegalArgumentException("label " + t + " of row " + i + " in test batch "
                        + batch.index() + " is outside [0, " + classes + ")");
            }
            reduce[4 + t * classes + p] += 1.0;
        }
    }

    /** An int32 [rows] buffer, cached for the few row counts a loader produces. */
    private Tensor predictionBuffer(int rows) {
        for (Tensor t : predictions) {
            if (t != null && t.size() == rows) {
                return t;
            }
        }
        for (int i = 0; i < predictions.length; i++) {
            if (predictions[i] == null) {
                return predictions[i] = backend.allocateInt(rows);
            }
        }
        predictions[0].close();
        System.arraycopy(predictions, 1, predictions, 0, predictions.length - 1);
        return predictions[predictions.length - 1] = backend.allocateInt(rows);
    }

    /** Releases the evaluation buffers (not the model or loader). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            losses.close();
            if (mse != null) {
                mse.close();
                mae.close();
            }
            for (Tensor t : predictions) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }
}

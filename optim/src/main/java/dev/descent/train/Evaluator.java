package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.Loader;
import dev.descent.dist.Communicator;
import dev.descent.loss.Loss;
import dev.descent.model.Model;
import dev.descent.model.Probabilities;

import java.util.Arrays;
import java.util.Objects;

/**
 * Evaluates a model on a data set: the loss, and accuracy with a confusion matrix for classifiers or MSE and MAE for
 * regression. Batch losses stay on the backend and are read back once at the end; class predictions
 * ({@code argmaxRows}, or the logit's sign for logistic regression) are compared with the labels on the host.
 * With {@link EvaluationOptions#detailed()} it also computes the log loss and top-k accuracy of a classifier, or R² of
 * a regression model, from each batch's outputs read back to the host (probabilities in double precision, see
 * {@link Probabilities}).
 *
 * <p>In a data-parallel run every process evaluates its shard (the loader must shard the test set like the training
 * set, with {@link Batch#globalSize()} the global batch size) and the sums and counts are reduced with one
 * {@code allreduceSum} (R² takes a second one: its total sum of squares is combined from each process's mean and sum of
 * squared deviations, never from raw sums of squares), so every process gets the same {@link Evaluation}. Only counts
 * and sums are reduced, never ratios; the ratios are taken afterwards.
 *
 * <pre>{@code
 * try (Evaluator eval = new Evaluator(model, testLoader, Communicator.single(), EvaluationOptions.detailed())) {
 *     Evaluation e = eval.evaluate();
 *     System.out.println(e + "\n" + e.metrics() + "\n" + e.confusion().format());
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
    private final boolean detailed;
    private final int topK;
    /** Where the detailed sums start in {@link #reduce}. */
    private final int extra;
    private float[] hostOutputs = new float[0];
    private float[] hostTargetValues = new float[0];
    private final double[] probabilities;
    /** Per output of a regression model: the running mean and sum of squared deviations of this process's targets. */
    private final double[] localMean;
    private final double[] localM2;
    private final Tensor[] predictions = new Tensor[4];
    private int[] hostPredictions = new int[0];
    private int[] hostLabels = new int[0];
    private float[] hostTargets = new float[0];
    private boolean closed;

    /** Allocates the evaluation buffers for {@code loader}'s batches; {@link EvaluationOptions#basic()} metrics. */
    public Evaluator(Model model, Loader loader, Communicator communicator) {
        this(model, loader, communicator, EvaluationOptions.basic());
    }

    /**
     * Allocates the evaluation buffers for {@code loader}'s batches.
     *
     * @throws IllegalArgumentException for a top-k accuracy asked of a regression model, or with k above the model's
     *                                  class count
     */
    public Evaluator(Model model, Loader loader, Communicator communicator, EvaluationOptions options) {
        Objects.requireNonNull(options, "options");
        this.model = Objects.requireNonNull(model, "model");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.communicator = Objects.requireNonNull(communicator, "communicator");
        this.backend = model.backend();
        this.classifier = model.classifier();
        this.classes = model.classes();
        this.detailed = options.details();
        if (!classifier && options.details() && options.topK() > 0) {
            throw new IllegalArgumentException("top-k accuracy needs a classifier; the " + model.name()
                    + " model predicts values");
        }
        this.topK = classifier ? options.topKFor(classes) : 0;
        if (topK > classes) {
            throw new IllegalArgumentException("top-k accuracy with k = " + topK + " for a model of " + classes
                    + " classes (k must be at most the class count)");
        }
        int batches = Math.max(1, loader.batchesPerEpoch());
        this.losses = backend.allocate(batches);
        this.mse = classifier ? null : backend.allocate(batches);
        this.mae = classifier ? null : backend.allocate(batches);
        this.hostLosses = new float[batches];
        this.hostMse = classifier ? null : new float[batches];
        this.hostMae = classifier ? null : new float[batches];
        this.globalSizes = new int[batches];
        this.empty = new boolean[batches];
        this.extra = 4 + (classifier ? classes * classes : 0);
        int outputs = model.outputs();
        this.probabilities = detailed && classifier ? new double[Math.max(2, outputs)] : null;
        this.localMean = detailed && !classifier ? new double[outputs] : null;
        this.localM2 = detailed && !classifier ? new double[outputs] : null;
        this.reduce = new double[extra + (!detailed ? 0 : classifier ? 2 : 3 * outputs)];
    }

    /** Evaluates the model on the loader's data (its epoch 1 order). */
    public Evaluation evaluate() {
        if (closed) {
            throw new IllegalStateException("evaluator is closed");
        }
        Arrays.fill(reduce, 0.0);
        if (localMean != null) {
            Arrays.fill(localMean, 0.0);
            Arrays.fill(localM2, 0.0);
        }
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
                    if (detailed) {
                        accumulateRegression(batch, out, localSamples - batch.size());
                    }
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
        if (localM2 != null) {
            for (int j = 0; j < localM2.length; j++) {
                reduce[extra + 3 * j + 1] = localM2[j];
            }
        }
        communicator.allreduceSum(reduce, 0, reduce.length);
        long samples = (long) reduce[3];
        double denom = globalRows;
        double loss = reduce[0] / denom;
        if (!classifier) {
            double r2 = detailed ? r2(localSamples, samples) : Double.NaN;
            return new Evaluation(samples, loss, Double.NaN, reduce[1] / denom, reduce[2] / denom, null, Double.NaN,
                    0, Double.NaN, r2);
        }
        long[] counts = new long[classes * classes];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = (long) reduce[4 + i];
        }
        ConfusionMatrix confusion = new ConfusionMatrix(classes, counts);
        double logLoss = Double.NaN;
        double topKAccuracy = Double.NaN;
        if (detailed && samples > 0) {
            logLoss = reduce[extra + 1] / samples;
            topKAccuracy = topK > 0 ? reduce[extra] / samples : Double.NaN;
        }
        return new Evaluation(samples, loss, confusion.accuracy(), Double.NaN, Double.NaN, confusion, logLoss, topK,
                topKAccuracy, Double.NaN);
    }

    /**
     * Adds a regression batch to this process's per-output sums: Σ y and the squared error, and (Welford's update) the
     * running mean and sum of squared deviations of y over the {@code seen} rows before it and this batch's.
     */
    private void accumulateRegression(Batch batch, Tensor out, long seen) {
        int rows = batch.size();
        int m = model.outputs();
        int n = rows * m;
        if (hostOutputs.length < n) {
            hostOutputs = new float[n];
            hostTargetValues = new float[n];
        }
        backend.download(out, hostOutputs, 0);
        backend.download(batch.targets(), hostTargetValues, 0);
        long count = seen;
        for (int i = 0; i < rows; i++) {
            count++;
            for (int j = 0; j < m; j++) {
                double y = hostTargetValues[i * m + j];
                double e = hostOutputs[i * m + j] - y;
                reduce[extra + 3 * j] += y;
                reduce[extra + 3 * j + 2] += e * e;
                double delta = y - localMean[j];
                localMean[j] += delta / count;
                localM2[j] += delta * (y - localMean[j]);
            }
        }
    }

    /**
     * R² averaged over the outputs, after the first reduction (Σ y, the processes' sums of squared deviations from
     * their own means, the squared errors): the global mean of each output from Σ y, then a second reduction of each
     * process's n·(local mean − global mean)², which added to the reduced sums of squared deviations gives the total
     * sum of squares (Chan, Golub and LeVeque's combination of partial variances).
     */
    private double r2(long localSamples, long samples) {
        int m = model.outputs();
        double[] between = new double[m];
        for (int j = 0; j < m; j++) {
            double mean = samples == 0 ? 0 : reduce[extra + 3 * j] / samples;
            double d = localSamples == 0 ? 0 : localMean[j] - mean;
            between[j] = localSamples * d * d;
        }
        communicator.allreduceSum(between, 0, m);
        if (samples == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int j = 0; j < m; j++) {
            double sst = between[j] + reduce[extra + 3 * j + 1];
            double sse = reduce[extra + 3 * j + 2];
            double r2;
            if (sst > 0) {
                r2 = 1 - sse / sst;
            } else {
                r2 = sse == 0 ? 1.0 : 0.0;
            }
            sum += r2;
        }
        return sum / m;
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
        if (detailed) {
            addLogLossAndTopK(out, rows);
        }
    }

    /** Adds the batch's top-k hits and log-loss terms, from its outputs read back to the host. */
    private void addLogLossAndTopK(Tensor out, int rows) {
        int width = model.outputs();
        int n = rows * width;
        if (hostOutputs.length < n) {
            hostOutputs = new float[n];
        }
        backend.download(out, hostOutputs, 0);
        double hits = 0;
        double logLoss = 0;
        for (int i = 0; i < rows; i++) {
            int t = hostLabels[i];
            Probabilities.of(hostOutputs, i * width, width, probabilities);
            logLoss += Probabilities.logLoss(probabilities[t]);
            if (topK > 0) {
                int rank = width == 1 ? (hostPredictions[i] == t ? 0 : 1) : rank(hostOutputs, i * width, width, t);
                if (rank < topK) {
                    hits++;
                }
            }
        }
        reduce[extra] += hits;
        reduce[extra + 1] += logLoss;
    }

    /**
     * The place of class {@code t} when the row's logits are sorted from the highest, ties in class order and NaN
     * above every number (the order of {@code argmaxRows}, so that rank 0 is the predicted class).
     */
    static int rank(float[] z, int offset, int width, int t) {
        float zt = z[offset + t];
        boolean tNaN = zt != zt;
        int rank = 0;
        for (int j = 0; j < width; j++) {
            if (j == t) {
                continue;
            }
            float zj = z[offset + j];
            boolean jNaN = zj != zj;
            boolean above = tNaN ? jNaN && j < t : jNaN || zj > zt || zj == zt && j < t;
            if (above) {
                rank++;
            }
        }
        return rank;
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

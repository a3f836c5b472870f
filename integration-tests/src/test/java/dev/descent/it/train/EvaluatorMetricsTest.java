package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Parameter;
import dev.descent.train.Evaluation;
import dev.descent.train.EvaluationOptions;
import dev.descent.train.Evaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's log loss, top-k accuracy and R² against a test-only computation from the model's own outputs
 * (straightforward loops in double precision: softmax, a sort for the top k, two passes for R²), and the same figures
 * from three processes (threads) that each evaluate a shard and reduce counts and sums.
 */
class EvaluatorMetricsTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** The model's outputs for every row, computed batch by batch as the evaluator's loader cuts them. */
    private static float[] outputs(Model model, Dataset data, int batch) {
        int n = data.samples();
        int d = data.featureCount();
        int m = model.outputs();
        float[] out = new float[n * m];
        for (int start = 0; start < n; start += batch) {
            int rows = Math.min(batch, n - start);
            try (Tensor x = backend.upload(Arrays.copyOfRange(data.features(), start * d, (start + rows) * d), rows,
                    d)) {
                float[] o = backend.download(model.forward(x));
                System.arraycopy(o, 0, out, start * m, rows * m);
            }
        }
        return out;
    }

    private static Evaluation evaluate(Model model, Dataset data, int batch, EvaluationOptions options) {
        try (DeviceDataset dd = data.upload(backend);
                DataLoader loader = new DataLoader(dd, LoaderOptions.batches(batch).withShuffle(false));
                Evaluator ev = new Evaluator(model, loader, Communicator.single(), options)) {
            return ev.evaluate();
        }
    }

    /** Reference log loss: softmax (or sigmoid) in double, −log of the true class's probability, clipped. */
    private static double referenceLogLoss(float[] z, int m, int[] labels) {
        double eps = Math.pow(2, -52);
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double p;
            if (m == 1) {
                double p1 = 1 / (1 + Math.exp(-z[i]));
                p = labels[i] == 1 ? p1 : 1 - p1;
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < m; j++) {
                    max = Math.max(max, z[i * m + j]);
                }
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += Math.exp(z[i * m + j] - max);
                }
                p = Math.exp(z[i * m + labels[i]] - max) / s;
            }
            sum += -Math.log(Math.min(Math.max(p, eps), 1 - eps));
        }
        return sum / labels.length;
    }

    /** Reference top-k: the classes sorted by logit, highest first, ties by class index. */
    private static long referenceTopK(float[] z, int m, int[] labels, int k) {
        long hits = 0;
        for (int i = 0; i < labels.length; i++) {
            int row = i;
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                order.add(j);
            }
            order.sort(Comparator.<Integer>comparingDouble(j -> -z[row * m + j]).thenComparingInt(j -> j));
            if (order.subList(0, k).contains(labels[i])) {
                hits++;
            }
        }
        return hits;
    }

    private static Model softmax(int inputs, int classes, long seed) {
        return ModelSpec.builder("softmax").inputs(inputs).classes(classes).seed(seed).build().create(backend);
    }

    @Test
    void logLossAndTopKMatchAReferenceOnTheModelsOwnOutputs() {
        Dataset data = Fixtures.blobs(203, 12, 9, 1.0, 1.5, 11);
        try (Model model = softmax(12, 9, 4)) {
            float[] z = outputs(model, data, 7);
            int[] labels = data.labels();
            Evaluation e = evaluate(model, data, 7, EvaluationOptions.detailed());
            assertEquals(5, e.topK(), "the default k for 9 classes");
            assertEquals(referenceTopK(z, 9, labels, 5) / 203.0, e.topKAccuracy(), 1e-15);
            assertEquals(referenceLogLoss(z, 9, labels), e.logLoss(), 1e-12);
            // top-1 is the accuracy; top-9 of 9 classes is 1
            Evaluation one = evaluate(model, data, 7, EvaluationOptions.detailed().withTopK(1));
            assertEquals(e.accuracy(), one.topKAccuracy(), 1e-15);
            assertEquals(referenceTopK(z, 9, labels, 1) / 203.0, one.accuracy(), 1e-15);
            assertEquals(1.0, evaluate(model, data, 7, EvaluationOptions.detailed().withTopK(9)).topKAccuracy());
            for (int k = 2; k <= 8; k += 3) {
                Evaluation ek = evaluate(model, data, 7, EvaluationOptions.detailed().withTopK(k));
                assertEquals(referenceTopK(z, 9, labels, k) / 203.0, ek.topKAccuracy(), 1e-15, "k=" + k);
            }
            // the cross-entropy loss is the log loss (in float, unclipped)
            assertEquals(e.logLoss(), e.loss(), 1e-5 * e.logLoss());
            // the basic evaluation leaves them out and agrees on the rest
            Evaluation basic = evaluate(model, data, 7, EvaluationOptions.basic());
            assertTrue(Double.isNaN(basic.logLoss()) && Double.isNaN(basic.topKAccuracy()) && basic.topK() == 0);
            assertEquals(basic.confusion(), e.confusion());
            assertEquals(basic.loss(), e.loss());
            assertThrows(IllegalArgumentException.class, () -> evaluate(model, data, 7,
                    EvaluationOptions.detailed().withTopK(10)));
        }
    }

    @Test
    void aCertainWrongPredictionCostsTheClippedLogLoss() {
        // logits 0 and -1000: the second class gets probability exp(-1000) = 0 in double, clipped to 2^-52
        float[] x = {1f, 0f, 1f, 0f};
        Dataset data = Dataset.classification("two", x, 2, 2, new int[] {0, 1}, 2);
        try (Model model = softmax(2, 2, 1)) {
            for (Parameter p : model.parameters()) {
                backend.upload(p.name().equals("W") ? new float[] {0f, -1000f, 0f, 0f} : new float[2], 0, p.value());
            }
            Evaluation e = evaluate(model, data, 2, EvaluationOptions.detailed());
            assertEquals((-Math.log(1 - Math.pow(2, -52)) + 52 * Math.log(2)) / 2, e.logLoss(), 1e-12);
            assertEquals(0, e.topK(), "no top-k for 2 classes by default");
            assertTrue(Double.isNaN(e.topKAccuracy()));
        }
    }

    @Test
    void logisticRegressionsLogLossUsesTheSigmoid() {
        Dataset blobs = Fixtures.blobs(90, 5, 2, 1.0, 1.0, 3);
        try (Model model = ModelSpec.builder("logistic").inputs(5).outputs(1).seed(2).build().create(backend)) {
            float[] z = outputs(model, blobs, 16);
            Evaluation e = evaluate(model, blobs, 16, EvaluationOptions.detailed().withTopK(1));
            assertEquals(referenceLogLoss(z, 1, blobs.labels()), e.logLoss(), 1e-12);
            assertEquals(e.accuracy(), e.topKAccuracy(), 1e-15);
            assertEquals(1.0, evaluate(model, blobs, 16, EvaluationOptions.detailed().withTopK(2)).topKAccuracy());
        }
    }

    /** Reference R²: per output 1 − SSE/SST with the mean from a first pass, averaged over the outputs. */
    private static double referenceR2(float[] pred, float[] targets, int m) {
        int n = targets.length / m;
        double total = 0;
        for (int j = 0; j < m; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += targets[i * m + j];
            }
            mean /= n;
            double sst = 0;
            double sse = 0;
            for (int i = 0; i < n; i++) {
                double y = targets[i * m + j];
                sst += (y - mean) * (y - mean);
                sse += (pred[i * m + j] - y) * (pred[i * m + j] - y);
            }
            total += 1 - sse / sst;
        }
        return total / m;
    }

    @Test
    void rSquaredMatchesAReference() {
        float[] w = {1.5f, -2f, 0.5f, 3f, -1f, 0.25f};
        Dataset data = Fixtures.linear(157, 3, w, new float[] {100f, -0.5f}, 0.3, 9);
        try (Model model = ModelSpec.builder("linear").inputs(3).outputs(2).seed(5).build().create(backend)) {
            float[] pred = outputs(model, data, 10);
            Evaluation e = evaluate(model, data, 10, EvaluationOptions.detailed());
            assertEquals(referenceR2(pred, data.targets(), 2), e.r2(), 1e-10);
            assertTrue(e.r2() < 0, "an untrained model is worse than the mean: " + e.r2());
            double mse = 0;
            for (int i = 0; i < pred.length; i++) {
                mse += (pred[i] - data.targets()[i]) * (double) (pred[i] - data.targets()[i]);
            }
            assertEquals(mse / pred.length, e.mse(), 1e-5 * e.mse());
            assertTrue(Double.isNaN(evaluate(model, data, 10, EvaluationOptions.basic()).r2()));
            assertThrows(IllegalArgumentException.class, () -> evaluate(model, data, 10,
                    EvaluationOptions.detailed().withTopK(3)));
        }
    }

    /** Constant targets: R² is 1 when predicted exactly, else 0 (scikit-learn's force_finite). */
    @Test
    void constantTargetsScoreOneWhenExactElseZero() {
        int n = 20;
        float[] x = new float[n];
        float[] t = new float[n];
        Random rnd = new Random(1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
            t[i] = 2.5f;
        }
        Dataset data = Dataset.regression("constant", x, n, 1, t, 1);
        try (Model model = ModelSpec.builder("linear").inputs(1).outputs(1).build().create(backend)) {
            for (float bias : new float[] {2.5f, 3f}) {
                for (Parameter p : model.parameters()) {
                    backend.upload(new float[] {p.name().equals("b") ? bias : 0f}, 0, p.value());
                }
                assertEquals(bias == 2.5f ? 1.0 : 0.0, evaluate(model, data, 6, EvaluationOptions.detailed()).r2());
            }
        }
    }

    // ------------------------------------------------------------------ data-parallel

    /** Each rank evaluates its shard on its own backend; all get the same figures, equal to one process's. */
    private static List<Evaluation> distributed(ModelSpec spec, Dataset data, int batch, int ranks,
            EvaluationOptions options) throws Exception {
        ThreadCommunicator[] comms = ThreadCommunicator.group(ranks);
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<Evaluation>> futures = new ArrayList<>();
            for (ThreadCommunicator comm : comms) {
                futures.add(pool.submit(() -> {
                    try (Backend b = Fixtures.cpu(1);
                            DeviceDataset dd = data.upload(b);
                            DataLoader loader = new DataLoader(dd, LoaderOptions.batches(batch).withShuffle(false)
                                    .withShard(comm.rank(), comm.size()));
                            Model model = spec.create(b);
                            Evaluator ev = new Evaluator(model, loader, comm, options)) {
                        return ev.evaluate();
                    }
                }));
            }
            List<Evaluation> out = new ArrayList<>();
            for (Future<Evaluation> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shardedEvaluationReducesCountsAndSums() throws Exception {
        Dataset data = Fixtures.blobs(301, 10, 7, 1.0, 1.5, 21);
        ModelSpec spec = ModelSpec.builder("softmax").inputs(10).classes(7).seed(8).build();
        Evaluation single;
        try (Model model = spec.create(backend)) {
            single = evaluate(model, data, 40, EvaluationOptions.detailed().withTopK(3));
        }
        List<Evaluation> ranks = distributed(spec, data, 40, 3, EvaluationOptions.detailed().withTopK(3));
        for (Evaluation e : ranks) {
            assertEquals(ranks.getFirst(), e, "every rank gets the same evaluation");
            assertEquals(single.samples(), e.samples());
            assertEquals(single.confusion(), e.confusion());
            assertEquals(single.topKAccuracy(), e.topKAccuracy(), 1e-15);
            assertEquals(single.logLoss(), e.logLoss(), 1e-6 * single.logLoss());
            assertEquals(single.metrics().macroF1(), e.metrics().macroF1(), 1e-15);
            assertEquals(single.loss(), e.loss(), 1e-5 * single.loss());
        }

        float[] w = {1.5f, -2f, 0.5f, 3f, -1f, 0.25f};
        Dataset reg = Fixtures.linear(203, 3, w, new float[] {1000f, -0.5f}, 0.3, 2);
        ModelSpec linear = ModelSpec.builder("linear").inputs(3).outputs(2).seed(5).build();
        try (Model model = linear.create(backend)) {
            single = evaluate(model, reg, 25, EvaluationOptions.detailed());
        }
        ranks = distributed(linear, reg, 25, 3, EvaluationOptions.detailed());
        for (Evaluation e : ranks) {
            assertEquals(ranks.getFirst(), e, "every rank gets the same evaluation");
            assertEquals(single.r2(), e.r2(), 1e-9 * Math.abs(single.r2()));
            assertEquals(single.mse(), e.mse(), 1e-5 * single.mse());
        }
    }
}

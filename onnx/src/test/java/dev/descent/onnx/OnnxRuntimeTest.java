package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.FeatureTransform;
import dev.descent.data.LoaderOptions;
import dev.descent.data.io.DataOptions;
import dev.descent.data.io.DataSources;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.Trainer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported files run in ONNX Runtime and give descent's own outputs: each model kind is trained on real data
 * (Debian's Fashion-MNIST: softmax regression and an MLP on the ten classes, logistic regression on T-shirt against
 * shirt, linear regression of how much ink the lower half of an image holds from its upper half), exported with its
 * feature scaling, and run on 1000 test images given raw; logits, probabilities and predictions are compared with
 * descent's forward pass on the scaled features.
 */
class OnnxRuntimeTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static final int TRAIN_ROWS = 6000;
    static final int TEST_ROWS = 1000;
    /**
     * Tolerance of logits, probabilities and predictions: relative to the largest magnitude in the row (at least 1 for
     * logits and predictions).
     */
    static final double TOLERANCE = 1e-5;

    static Dataset trainAll;
    static Dataset testAll;
    static Dataset train;
    static Dataset test;
    static Backend backend;
    static OrtEnvironment ort;

    @BeforeAll
    static void load() throws Exception {
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            assumeTrue(Files.isRegularFile(FASHION.resolve(f)), "Fashion-MNIST is not installed: no " + FASHION
                    .resolve(f) + " (Debian package dataset-fashion-mnist; scripts/setup.sh installs it)");
        }
        trainAll = DataSources.readFile(FASHION.resolve("train-images-idx3-ubyte.gz"), null, DataOptions.defaults(),
                10);
        testAll = DataSources.readFile(FASHION.resolve("t10k-images-idx3-ubyte.gz"), null, DataOptions.defaults(), 10);
        train = first(trainAll, TRAIN_ROWS);
        test = first(testAll, TEST_ROWS);
        backend = Backends.select("cpu", BackendOptions.defaults()).backend();
        ort = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    static Dataset first(Dataset d, int n) {
        int[] rows = new int[Math.min(n, d.samples())];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        return d.subset(rows);
    }

    @Test
    void softmaxRegressionDividedBy255(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.builder("softmax").inputs(784).classes(10).build();
        check(spec, train, test, FeatureTransform.divideBy(255f, "unit: divide by 255"), 1e-3, dir);
    }

    @Test
    void mlpStandardized(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.builder("mlp").inputs(784).hidden(64, 32).classes(10).seed(7).build();
        check(spec, train, test, FeatureTransform.fitStandardize(train), 1e-3, dir);
    }

    @Test
    void logisticRegressionTShirtAgainstShirtMinMax(@TempDir Path dir) throws Exception {
        Dataset tr = first(twoClasses(trainAll, 0, 6), TRAIN_ROWS);
        Dataset te = first(twoClasses(testAll, 0, 6), TEST_ROWS);
        ModelSpec spec = ModelSpec.builder("logistic").inputs(784).build();
        check(spec, tr, te, FeatureTransform.fitMinMax(tr), 1e-2, dir);
    }

    @Test
    void linearRegressionOfTheLowerHalfStandardized(@TempDir Path dir) throws Exception {
        Dataset tr = halves(train);
        Dataset te = halves(test);
        ModelSpec spec = ModelSpec.builder("linear").inputs(392).outputs(2).build();
        check(spec, tr, te, FeatureTransform.fitStandardize(tr), 1e-3, dir);
    }

    /** Class {@code a} as 0 and class {@code b} as 1, the other images left out. */
    static Dataset twoClasses(Dataset d, int a, int b) {
        int n = 0;
        for (int i = 0; i < d.samples(); i++) {
            n += d.label(i) == a || d.label(i) == b ? 1 : 0;
        }
        float[] x = new float[n * d.featureCount()];
        int[] y = new int[n];
        for (int i = 0, k = 0; i < d.samples(); i++) {
            if (d.label(i) == a || d.label(i) == b) {
                System.arraycopy(d.features(), i * d.featureCount(), x, k * d.featureCount(), d.featureCount());
                y[k++] = d.label(i) == b ? 1 : 0;
            }
        }
        return Dataset.classification(d.source() + " (" + a + " vs " + b + ")", x, n, d.featureCount(), y, 2);
    }

    /**
     * The upper 14 rows of each image as features; targets: the mean ink of the lower 14 rows (0 to 1) and the
     * share of its pixels above half intensity.
     */
    static Dataset halves(Dataset d) {
        int n = d.samples();
        float[] x = new float[n * 392];
        float[] t = new float[n * 2];
        for (int i = 0; i < n; i++) {
            System.arraycopy(d.features(), i * 784, x, i * 392, 392);
            double ink = 0;
            int bright = 0;
            for (int j = 392; j < 784; j++) {
                float v = d.features()[i * 784 + j];
                ink += v / 255.0;
                bright += v > 127.5f ? 1 : 0;
            }
            t[2 * i] = (float) (ink / 392);
            t[2 * i + 1] = bright / 392f;
        }
        return Dataset.regression(d.source() + " (upper half -> lower half's ink)", x, n, 392, t, 2);
    }

    /** Trains, exports, runs both, compares; returns nothing but prints the largest differences. */
    static void check(ModelSpec spec, Dataset trainRaw, Dataset testRaw, FeatureTransform transform, double lr,
            Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        float[] reference;
        try (Model model = spec.create(backend)) {
            trainModel(model, transform.apply(trainRaw), lr);
            OnnxExport.write(model, transform, Map.of("descent.source", trainRaw.source()), file);
            reference = forward(model, transform.apply(testRaw));
        }
        int n = testRaw.samples();
        int k = spec.outputs();
        try (OrtSession session = ort.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(ort, FloatBuffer.wrap(testRaw.features()),
                     new long[] {n, testRaw.featureCount()});
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            OnnxModelMetadata meta = session.getMetadata();
            assertEquals("descent", meta.getProducerName());
            assertEquals("dev.descent", meta.getDomain());
            assertEquals(spec.describe(), meta.getDescription());
            assertEquals(spec.kind(), meta.getCustomMetadata().get("descent.kind"));
            assertEquals(trainRaw.source(), meta.getCustomMetadata().get("descent.source"));
            assertEquals(List.of(OnnxExport.INPUT), List.copyOf(session.getInputNames()));
            if (spec.classes() == 0) {
                assertEquals(List.of(OnnxExport.PREDICTION), List.copyOf(session.getOutputNames()));
                float[][] pred = (float[][]) result.get(OnnxExport.PREDICTION).orElseThrow().getValue();
                double[] worst = compare("prediction", spec, reference, flat(pred, k), k, 1.0);
                report(spec, transform, "prediction " + fmt(worst), -1, n);
                return;
            }
            assertEquals(String.join(",", java.util.stream.IntStream.range(0, spec.classes()).mapToObj(
                    Integer::toString).toList()), meta.getCustomMetadata().get("class_labels"));
            assertEquals(List.of(OnnxExport.LOGITS, OnnxExport.PROBABILITIES, OnnxExport.LABEL),
                    List.copyOf(session.getOutputNames()));
            float[] logits = flat((float[][]) result.get(OnnxExport.LOGITS).orElseThrow().getValue(), k);
            float[] probs = flat((float[][]) result.get(OnnxExport.PROBABILITIES).orElseThrow().getValue(), k);
            long[] labels = (long[]) result.get(OnnxExport.LABEL).orElseThrow().getValue();
            double[] worstLogit = compare("logits", spec, reference, logits, k, 1.0);
            // Logistic regression's one probability p stands for the row (1 - p, p), whose largest is at least 1/2.
            double[] worstProb = compare("probabilities", spec, probabilities(reference, n, k), probs, k,
                    k == 1 ? 0.5 : 0.0);
            int[] expected = classify(reference, n, k);
            int ties = 0;
            int correct = 0;
            for (int i = 0; i < n; i++) {
                correct += expected[i] == testRaw.label(i) ? 1 : 0;
                if (labels[i] != expected[i]) {
                    assertTrue(nearTie(reference, i, k), "row " + i + ": ONNX Runtime predicts " + labels[i]
                            + ", descent " + expected[i] + " (logits " + row(reference, i, k) + ")");
                    ties++;
                }
            }
            assertTrue(ties <= 1, ties + " predictions differ at a near tie");
            report(spec, transform, "logits " + fmt(worstLogit) + ", probabilities " + fmt(worstProb), ties, n);
            assertTrue(correct > 0.7 * n, "a trained model: " + correct + " of " + n + " test images right");
        }
    }

    static void trainModel(Model model, Dataset data, double lr) throws Exception {
        try (DeviceDataset d = data.upload(backend);
             DataLoader batches = new DataLoader(d, LoaderOptions.batches(64).withSeed(42));
             Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(lr), model.parameters());
             Trainer trainer = Trainer.builder(model, adam, batches).epochs(3).build()) {
            trainer.run();
        }
    }

    static float[] forward(Model model, Dataset data) {
        try (Tensor x = backend.upload(data.features(), data.samples(), data.featureCount())) {
            return backend.download(model.forward(x));
        }
    }

    /**
     * Compares ONNX Runtime's {@code actual} with descent's {@code expected}, row by row: each difference relative to
     * the row's largest magnitude (at least {@code floor}), asserted within {@link #TOLERANCE}. A dot product's
     * rounding error scales with its terms, not with its result, so a logit near 0 that came out of a cancellation
     * is measured against its row; the plain elementwise relative difference is returned beside it for the report.
     *
     * @return {row-relative, elementwise relative} largest differences
     */
    static double[] compare(String what, ModelSpec spec, float[] expected, float[] actual, int k, double floor) {
        assertEquals(expected.length, actual.length, what);
        double worst = 0;
        double worstElement = 0;
        for (int r = 0; r < expected.length / k; r++) {
            double scale = floor;
            for (int j = 0; j < k; j++) {
                scale = Math.max(scale, Math.abs(expected[r * k + j]));
            }
            for (int j = 0; j < k; j++) {
                int i = r * k + j;
                double diff = Math.abs(actual[i] - (double) expected[i]);
                double rel = diff / scale;
                assertTrue(rel <= TOLERANCE, spec.kind() + " " + what + "[" + r + ", " + j + "]: ONNX Runtime "
                        + actual[i] + ", descent " + expected[i] + " (difference " + diff + ", " + rel
                        + " of the row's largest magnitude)");
                worst = Math.max(worst, rel);
                if (expected[i] != 0) {
                    worstElement = Math.max(worstElement, diff / Math.abs(expected[i]));
                }
            }
        }
        return new double[] {worst, worstElement};
    }

    /** Softmax over each row of descent's logits in double (sigmoid for one logit). */
    static float[] probabilities(float[] logits, int n, int k) {
        float[] p = new float[n * k];
        for (int i = 0; i < n; i++) {
            if (k == 1) {
                p[i] = (float) (1 / (1 + Math.exp(-(double) logits[i])));
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, logits[i * k + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[i * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[i * k + j] = (float) (Math.exp(logits[i * k + j] - max) / sum);
            }
        }
        return p;
    }

    /** descent's rule: the first largest logit, or for one logit class 1 where it is above 0. */
    static int[] classify(float[] logits, int n, int k) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            if (k == 1) {
                c[i] = logits[i] > 0f ? 1 : 0;
                continue;
            }
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (logits[i * k + j] > logits[i * k + best]) {
                    best = j;
                }
            }
            c[i] = best;
        }
        return c;
    }

    /** Whether row i's two largest logits (or its one logit and 0) are within the tolerance of each other. */
    static boolean nearTie(float[] logits, int i, int k) {
        if (k == 1) {
            return Math.abs(logits[i]) <= TOLERANCE;
        }
        float[] r = java.util.Arrays.copyOfRange(logits, i * k, i * k + k);
        java.util.Arrays.sort(r);
        return r[k - 1] - r[k - 2] <= TOLERANCE * Math.max(1, Math.abs(r[k - 1]));
    }

    static String row(float[] v, int i, int k) {
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(v, i * k, i * k + k));
    }

    static float[] flat(float[][] rows, int k) {
        float[] out = new float[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            assertEquals(k, rows[i].length);
            System.arraycopy(rows[i], 0, out, i * k, k);
        }
        return out;
    }

    static String fmt(double[] worst) {
        return String.format(Locale.ROOT, "%.2e of the row's largest (%.2e elementwise)", worst[0], worst[1]);
    }

    static void report(ModelSpec spec, FeatureTransform t, String what, int ties, int n) {
        System.out.println("ONNX Runtime vs descent, " + spec.describe() + ", scaling " + t.description() + ", " + n
                + " test rows: largest relative differences: " + what
                + (ties >= 0 ? "; predictions differing at near ties: " + ties : ""));
    }

    /**
     * The scaling inside the graph is descent's to the bit: a linear model whose weight is the identity and whose bias
     * is 0 outputs its scaled input exactly, which must equal {@link FeatureTransform#apply} on the raw test images.
     */
    @Test
    void theScalingInTheGraphIsDescentsToTheBit(@TempDir Path dir) throws Exception {
        int f = test.featureCount();
        ModelSpec spec = ModelSpec.builder("linear").inputs(f).outputs(f).build();
        float[] identity = new float[f * f];
        for (int j = 0; j < f; j++) {
            identity[j * f + j] = 1f;
        }
        for (FeatureTransform t : List.of(FeatureTransform.divideBy(255f, "unit"), FeatureTransform.fitMinMax(train),
                FeatureTransform.fitStandardize(train))) {
            Path file = dir.resolve("identity.onnx");
            OnnxExport.write(spec, Map.of("W", identity, "b", new float[f]), t, Map.of(), file);
            float[] expected = t.apply(test).features();
            try (OrtSession session = ort.createSession(file.toString(), new OrtSession.SessionOptions());
                 OnnxTensor input = OnnxTensor.createTensor(ort, FloatBuffer.wrap(test.features()),
                         new long[] {test.samples(), f});
                 OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
                float[] actual = flat((float[][]) result.get(OnnxExport.PREDICTION).orElseThrow().getValue(), f);
                for (int i = 0; i < expected.length; i++) {
                    if (actual[i] != expected[i]) {
                        throw new AssertionError(t.description() + ": feature " + i + " scaled by ONNX Runtime to "
                                + actual[i] + ", by descent to " + expected[i]);
                    }
                }
            }
        }
    }

    @Test
    void theSameFileFromTheSpecAndWeightsAsFromTheModel() throws Exception {
        ModelSpec spec = ModelSpec.builder("mlp").inputs(784).hidden(16).classes(10).seed(3).build();
        try (Model model = spec.create(backend)) {
            Map<String, float[]> weights = new java.util.LinkedHashMap<>();
            model.parameters().forEach(p -> weights.put(p.name(), backend.download(p.value())));
            FeatureTransform t = FeatureTransform.fitStandardize(train);
            assertArrayEquals(OnnxExport.toBytes(model, t, Map.of()), OnnxExport.toBytes(spec, weights, t, Map.of()));
        }
    }
}

package dev.descent.it.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.dist.Communicator;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.loss.Loss;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Parameter;
import dev.descent.train.Evaluation;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every model learns a small problem it can solve. */
class ModelConvergenceTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static Evaluation train(ModelSpec spec, Dataset data, int batch, int epochs,
            Function<List<Parameter>, Optimizer> opt) {
        try (DeviceDataset dev = data.upload(backend);
                DataLoader loader = new DataLoader(dev, LoaderOptions.batches(batch).withSeed(3));
                DataLoader eval = new DataLoader(dev, LoaderOptions.batches(64).withShuffle(false));
                Model model = spec.create(backend);
                Optimizer optimizer = opt.apply(model.parameters());
                Trainer trainer = Trainer.builder(model, optimizer, loader).epochs(epochs).build();
                Evaluator evaluator = new Evaluator(model, eval, Communicator.single())) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, r.status(), r.message());
            assertTrue(r.history().get(epochs - 1).trainLoss() < r.history().get(0).trainLoss(), spec.describe());
            return evaluator.evaluate();
        }
    }

    @Test
    void linearRegressionRecoversTheCoefficients() {
        float[] w = {1.5f, -2f, 0.5f, 3f, -1f, 0.25f};   // [3, 2]
        float[] b = {0.7f, -0.3f};
        Dataset data = Fixtures.linear(256, 3, w, b, 0.0, 1);
        ModelSpec spec = ModelSpec.builder("linear").inputs(3).outputs(2).build();
        try (DeviceDataset dev = data.upload(backend);
                DataLoader loader = new DataLoader(dev, LoaderOptions.batches(32).withSeed(3));
                Model model = spec.create(backend);
                Optimizer optimizer = Fixtures.sgd(model.parameters(), 0.1);
                Trainer trainer = Trainer.builder(model, optimizer, loader).epochs(60).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, r.status());
            float[][] p = Fixtures.parameterValues(model);
            for (int i = 0; i < w.length; i++) {
                assertEquals(w[i], p[0][i], 1e-4, "W[" + i + "]");
            }
            for (int i = 0; i < b.length; i++) {
                assertEquals(b[i], p[1][i], 1e-4, "b[" + i + "]");
            }
            assertTrue(r.last().trainLoss() < 1e-7, "final mse " + r.last().trainLoss());
        }
    }

    @Test
    void linearRegressionWithMae() {
        float[] w = {2f, -1f};
        float[] b = {0.5f};
        Dataset data = Fixtures.linear(200, 2, w, b, 0.0, 2);
        Evaluation e = train(ModelSpec.builder("linear").inputs(2).loss(Loss.MAE).build(), data, 20, 150,
                p -> Fixtures.adam(p, 0.02));
        assertTrue(e.mae() < 0.02, "mae " + e.mae());
        assertEquals(e.loss(), e.mae(), 1e-7, "the loss of an MAE model is its MAE");
        assertTrue(Double.isNaN(e.accuracy()));
    }

    @Test
    void logisticRegressionSeparatesTwoBlobs() {
        Dataset data = Fixtures.blobs(300, 4, 2, 3.0, 0.5, 5);
        Evaluation e = train(ModelSpec.builder("logistic").inputs(4).build(), data, 32, 20,
                p -> Fixtures.sgd(p, 0.5));
        assertEquals(1.0, e.accuracy(), "accuracy " + e);
        assertEquals(300, e.samples());
        assertEquals(2, e.confusion().classes());
    }

    @Test
    void softmaxRegressionSeparatesBlobs() {
        Dataset data = Fixtures.blobs(400, 6, 4, 3.0, 0.5, 6);
        Evaluation e = train(ModelSpec.builder("softmax").inputs(6).classes(4).build(), data, 32, 20,
                p -> Fixtures.sgd(p, 0.2));
        assertTrue(e.accuracy() >= 0.99, "accuracy " + e);
        assertEquals(400, e.confusion().total());
    }

    /** Quadrant XOR: no linear model can fit it; the MLP does. */
    @Test
    void mlpLearnsXorButSoftmaxCannot() {
        int n = 800;
        Random rnd = new Random(9);
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            float a = (float) (rnd.nextDouble() * 2 - 1);
            float c = (float) (rnd.nextDouble() * 2 - 1);
            x[2 * i] = a;
            x[2 * i + 1] = c;
            y[i] = (a > 0) == (c > 0) ? 1 : 0;
        }
        Dataset data = Dataset.classification("xor", x, n, 2, y, 2);
        Evaluation mlp = train(ModelSpec.builder("mlp").inputs(2).hidden(32, 16).classes(2).seed(4).build(), data,
                32, 60, p -> Fixtures.adam(p, 0.01));
        assertTrue(mlp.accuracy() >= 0.96, "mlp " + mlp);
        Evaluation lin = train(ModelSpec.builder("softmax").inputs(2).classes(2).bias(true).build(), data, 32, 20,
                p -> Fixtures.adam(p, 0.01));
        assertTrue(lin.accuracy() < 0.8, "softmax on xor " + lin);
    }
}

package dev.descent.it.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.ClassificationMetrics;
import dev.descent.train.Evaluation;
import dev.descent.train.EvaluationOptions;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The README's metrics snippet, line for line, after the training of its library example (on a small synthetic data
 * set in place of Fashion-MNIST). If this test has to change, the README's snippet changes with it.
 */
class ReadmeMetricsExampleTest {

    @Test
    void theReadmeMetricsSnippetRuns() throws Exception {
        Dataset trainSet = blobs(600, 21);
        Dataset testSet = blobs(200, 22);
        try (Backend backend = Backends.select("auto", BackendOptions.defaults()).backend();
             DeviceDataset train = trainSet.upload(backend);
             DeviceDataset test = testSet.upload(backend);
             DataLoader batches = new DataLoader(train, LoaderOptions.batches(16).withSeed(42));
             DataLoader testBatches = new DataLoader(test, LoaderOptions.batches(1024).withShuffle(false));
             Model model = ModelSpec.builder("softmax").inputs(trainSet.featureCount()).classes(trainSet.classes())
                     .build().create(backend);
             Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-2), model.parameters());
             Trainer trainer = Trainer.builder(model, adam, batches).epochs(3).build()) {
            trainer.run();
            // ---- README snippet starts here ----
            try (Evaluator evaluator = new Evaluator(model, testBatches, Communicator.single(),
                    EvaluationOptions.detailed().withTopK(2))) {
                Evaluation e = evaluator.evaluate();
                ClassificationMetrics m = e.metrics();     // zero_division=0, as scikit-learn
                System.out.printf("accuracy %.4f, log loss %.4f, top-2 %.4f, macro F1 %.4f, weighted F1 %.4f%n",
                        e.accuracy(), e.logLoss(), e.topKAccuracy(), m.macroF1(), m.weightedF1());
                for (int c = 0; c < m.classes(); c++) {
                    System.out.printf("class %d: precision %.3f recall %.3f F1 %.3f support %d%n",
                            c, m.precision(c), m.recall(c), m.f1(c), m.support(c));
                }
                // ---- README snippet ends here ----
                assertTrue(e.accuracy() > 0.95, "accuracy " + e.accuracy());
                assertTrue(e.topKAccuracy() >= e.accuracy());
                assertTrue(e.logLoss() > 0 && e.logLoss() < 0.5, "log loss " + e.logLoss());
                assertEquals(3, m.classes());
                assertTrue(m.macroF1() > 0.95 && m.weightedF1() > 0.95, m.toString());
            }
        }
    }

    /** Three well-separated Gaussian blobs in 8 dimensions. */
    private static Dataset blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = 8;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (r.nextGaussian() * 0.5 + (j % 3 == y[i] ? 3 : 0));
            }
        }
        return Dataset.classification("blobs", x, n, d, y, 3);
    }
}

package dev.descent.it.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.data.DataLoader;
import dev.descent.data.DataSplit;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.BestEpoch;
import dev.descent.train.EarlyStopping;
import dev.descent.train.Evaluation;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import dev.descent.dist.Communicator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The library examples of the README, line for line, on a small synthetic data set in place of Fashion-MNIST (the
 * README reads it with {@code DataSources.load("fashion-mnist", DataOptions.defaults())}). If this test has to change,
 * the README's example changes with it.
 */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleTrainsAndEvaluates() throws Exception {
        Dataset trainSet = blobs(600, 11);
        Dataset testSet = blobs(200, 12);

        // ---- README example starts here (data loading differs) ----
        try (Backend backend = Backends.select("auto", BackendOptions.defaults()).backend();
             DeviceDataset train = trainSet.upload(backend);
             DeviceDataset test = testSet.upload(backend);
             DataLoader batches = new DataLoader(train, LoaderOptions.batches(16).withSeed(42));
             DataLoader testBatches = new DataLoader(test, LoaderOptions.batches(1024).withShuffle(false))) {
            Model model = ModelSpec.builder("softmax").inputs(trainSet.featureCount()).classes(trainSet.classes())
                    .build().create(backend);
            Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-2), model.parameters());
            try (Trainer trainer = Trainer.builder(model, adam, batches).epochs(5).testLoader(testBatches).build()) {
                TrainingResult result = trainer.run();
                System.out.println(result.message());
                Evaluation eval = new Evaluator(model, testBatches, Communicator.single()).evaluate();
                System.out.printf("test accuracy %.1f%%%n", 100 * eval.accuracy());
                // ---- README example ends here ----
                assertEquals(5, result.history().size());
                assertTrue(eval.accuracy() > 0.95, "accuracy " + eval.accuracy());
                assertTrue(result.last().trainLoss() < result.history().get(0).trainLoss());
            }
            adam.close();
            model.close();
        }
    }

    /** The README's second example: a validation set held out, early stopping on it, the best weights kept. */
    @Test
    void theValidationExampleEndsWithTheBestEpochsWeights() throws Exception {
        Dataset trainSet = blobs(600, 13, 1.0);

        // ---- README example starts here (data loading differs: data.train() is trainSet) ----
        DataSplit split = DataSplit.of(trainSet, 0.1, 42);
        try (Backend backend = Backends.select("auto", BackendOptions.defaults()).backend();
             DeviceDataset train = split.train().upload(backend);
             DeviceDataset val = split.validation().upload(backend);
             DataLoader batches = new DataLoader(train, LoaderOptions.batches(16).withSeed(42).withDropLast(true));
             DataLoader valBatches = new DataLoader(val, LoaderOptions.batches(1024).withShuffle(false))) {
            Model model = ModelSpec.builder("softmax").inputs(train.featureCount()).classes(train.classes())
                    .build().create(backend);
            Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(5e-2), model.parameters());
            try (Trainer trainer = Trainer.builder(model, adam, batches).epochs(200).validationLoader(valBatches)
                    .earlyStopping(EarlyStopping.of(5, 0).withMonitor(EarlyStopping.Monitor.VAL_LOSS)).build()) {
                TrainingResult result = trainer.run();
                BestEpoch best = result.best();      // the epoch whose weights the model holds now
                System.out.printf("best val_loss %.4f at epoch %d of %d%n", best.value(), best.epoch(),
                        result.epochsCompleted());
                // ---- README example ends here ----
                assertEquals(60, val.samples(), "10 % of 600, stratified");
                assertEquals(TrainingResult.Status.EARLY_STOPPED, result.status(), result.message());
                assertEquals(best.epoch() + 5, result.epochsCompleted());
                assertTrue(best.restored());
                Evaluation again = new Evaluator(model, valBatches, Communicator.single()).evaluate();
                assertEquals(result.history().get(best.epoch() - 1).validation(), again,
                        "the model holds the best epoch's weights");
                assertEquals(33, result.history().getFirst().steps(), "540 rows in 33 full batches of 16");
            }
            adam.close();
            model.close();
        }
    }

    /** Three well-separated Gaussian blobs in 8 dimensions. */
    private static Dataset blobs(int n, long seed) {
        return blobs(n, seed, 3);
    }

    /** Three Gaussian blobs in 8 dimensions, centres {@code distance} apart per coordinate (noise 0.5). */
    private static Dataset blobs(int n, long seed, double distance) {
        SplittableRandom r = new SplittableRandom(seed);
        int d = 8;
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (r.nextGaussian() * 0.5 + (j % 3 == y[i] ? distance : 0));
            }
        }
        return Dataset.classification("blobs", x, n, d, y, 3);
    }
}

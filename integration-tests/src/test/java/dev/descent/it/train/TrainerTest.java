package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.train.ConfusionMatrix;
import dev.descent.train.Divergence;
import dev.descent.train.EarlyStopping;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Evaluation;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static Backend backend;
    private static DeviceDataset train;
    private static DeviceDataset test;
    private static Dataset testHost;
    private static DeviceDataset regression;

    /** The lecture's shapes: 784 raw pixel values (0..255) per sample, 24 classes; 2000 to train, 400 to test. */
    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
        Dataset all = Fixtures.pixels(2400, 784, 24, 7);
        Dataset trainHost = all.subset(IntStream.range(0, 2000).toArray());
        train = trainHost.upload(backend);
        testHost = all.subset(IntStream.range(2000, 2400).toArray());
        test = testHost.upload(backend);
        float[] t = new float[2000];
        for (int i = 0; i < 2000; i++) {
            t[i] = trainHost.label(i);
        }
        regression = Dataset.regression("pixels-regression", trainHost.features(), 2000, 784, t, 1).upload(backend);
    }

    @AfterAll
    static void close() {
        train.close();
        test.close();
        regression.close();
        backend.close();
    }

    /** Records what the listener sees. */
    static final class Recorder implements TrainingListener {
        final List<double[]> batches = new ArrayList<>();
        final List<EpochMetrics> epochs = new ArrayList<>();
        final List<Integer> started = new ArrayList<>();
        Divergence divergence;
        TrainingResult end;

        @Override
        public void onEpochStart(int epoch, int steps) {
            started.add(epoch);
        }

        @Override
        public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
            batches.add(new double[] {epoch, step, globalStep, loss});
        }

        @Override
        public void onEpochEnd(EpochMetrics m) {
            epochs.add(m);
        }

        @Override
        public void onDivergence(Divergence d) {
            divergence = d;
        }

        @Override
        public void onEnd(TrainingResult r) {
            end = r;
        }
    }

    @Test
    void lectureSoftmaxOnRawPixelsLearns() {
        Recorder rec = new Recorder();
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(64).withSeed(1));
                DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(100).withShuffle(false));
                Model model = ModelSpec.builder("softmax").inputs(784).classes(24).build().create(backend);
                Optimizer sgd = Fixtures.sgd(model.parameters(), 1e-6);
                Trainer trainer = Trainer.builder(model, sgd, loader).epochs(3).testLoader(testLoader)
                        .lossReadInterval(10).listener(rec).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, r.status(), r.message());
            assertEquals(3, r.epochsCompleted());
            assertEquals(3L * 32, r.steps());
            assertEquals(r, rec.end);
            assertEquals(List.of(1, 2, 3), rec.started);
            assertEquals(r.history(), rec.epochs);
            // W = 0: every logit is 0, the first batch's loss is ln 24 (taken before its step)
            assertEquals(Math.log(24), rec.batches.get(0)[3], 1e-6);
            // The epoch's loss is Σ(batch loss × batch size) / n: 31 batches of 64 and one of 16
            for (int e = 0; e < 3; e++) {
                double sum = 0;
                for (int s = 0; s < 32; s++) {
                    double[] b = rec.batches.get(e * 32 + s);
                    assertEquals(e + 1, (int) b[0]);
                    assertEquals(s + 1, (int) b[1]);
                    assertEquals(e * 32 + s + 1, (long) b[2]);
                    sum += b[3] * (s < 31 ? 64 : 16);
                }
                EpochMetrics m = r.history().get(e);
                assertEquals(sum / 2000, m.trainLoss(), "epoch " + (e + 1));
                assertEquals(2000, m.trainSamples());
                assertEquals(1e-6, m.learningRate());
                assertNotNull(m.test());
                assertEquals(400, m.test().samples());
            }
            double l1 = r.history().get(0).trainLoss();
            double l3 = r.history().get(2).trainLoss();
            assertTrue(l3 < l1, "loss decreases: " + r.history());
            assertTrue(r.last().test().accuracy() > 0.5, "test accuracy " + r.last().test());
        }
    }

    /** The evaluator's numbers against a direct computation from the model's outputs. */
    @Test
    void evaluationMatchesADirectComputation() {
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(128).withSeed(2));
                DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(64).withShuffle(false));
                Model model = ModelSpec.builder("mlp").inputs(784).hidden(32).classes(24).seed(3).build()
                        .create(backend);
                Optimizer opt = Fixtures.adam(model.parameters(), 1e-3);
                Trainer trainer = Trainer.builder(model, opt, loader).epochs(2).testLoader(testLoader).build()) {
            TrainingResult r = trainer.run();
            Evaluation e = r.last().test();
            int n = testHost.samples();
            try (Tensor x = backend.upload(testHost.features(), n, 784)) {
                Tensor out = model.forward(x);
                float[] logits = backend.download(out);
                long[] counts = new long[24 * 24];
                double loss = 0;
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < 24; c++) {
                        if (logits[i * 24 + c] > max) {
                            max = logits[i * 24 + c];
                            best = c;
                        }
                    }
                    double s = 0;
                    for (int c = 0; c < 24; c++) {
                        s += Math.exp(logits[i * 24 + c] - max);
                    }
                    loss += max + Math.log(s) - logits[i * 24 + testHost.label(i)];
                    counts[testHost.label(i) * 24 + best]++;
                }
                ConfusionMatrix expected = new ConfusionMatrix(24, counts);
                assertEquals(expected, e.confusion());
                assertEquals(expected.accuracy(), e.accuracy());
                assertEquals(loss / n, e.loss(), 1e-5 * Math.max(1, loss / n));
                assertEquals(n, e.samples());
            }
        }
    }

    /** Plain SGD with a huge rate on raw pixels overflows; the run stops and says where. */
    @Test
    void divergenceIsReportedWithEpochAndStep() {
        Recorder perStep = new Recorder();
        TrainingResult everyStep = divergingRun(1, perStep);
        assertEquals(TrainingResult.Status.DIVERGED, everyStep.status());
        Divergence d = everyStep.divergence();
        assertNotNull(d);
        assertTrue(d.epoch() >= 2, "the rate is chosen so that the first epoch survives: " + d);
        assertEquals(d, perStep.divergence);
        // The reported step is the first non-finite loss; every loss before it was finite and reported.
        assertEquals(d.globalStep() - 1, perStep.batches.size());
        perStep.batches.forEach(b -> assertTrue(Double.isFinite(b[3])));
        assertTrue(!Double.isFinite(d.loss()));
        assertEquals("diverged at epoch " + d.epoch() + ", step " + d.step() + ": loss is "
                + (Double.isNaN(d.loss()) ? "NaN" : "+Infinity"), everyStep.message());
        assertEquals(d.epoch() - 1, everyStep.history().size(), "no metrics for the diverged epoch");
        assertEquals(d.epoch() - 1, everyStep.epochsCompleted());

        // Reading losses once per epoch finds the same step.
        TrainingResult perEpoch = divergingRun(0, new Recorder());
        assertEquals(d, perEpoch.divergence());
        assertEquals(everyStep.message(), perEpoch.message());
    }

    /**
     * Linear regression of the label value on raw pixels: the curvature is ~255²·784, so even lr 1.5e-7 grows the
     * error geometrically until the loss overflows (in epoch 2).
     */
    private TrainingResult divergingRun(int interval, Recorder rec) {
        try (DataLoader loader = new DataLoader(regression, LoaderOptions.batches(50).withSeed(4));
                Model model = ModelSpec.builder("linear").inputs(784).outputs(1).build().create(backend);
                Optimizer sgd = Fixtures.sgd(model.parameters(), 1.5e-7);
                Trainer trainer = Trainer.builder(model, sgd, loader).epochs(5).lossReadInterval(interval)
                        .listener(rec).build()) {
            return trainer.run();
        }
    }

    /**
     * The lecture's trap: raw pixels and a large rate make a naive softmax give log(0). descent's fused, max-subtracted
     * cross-entropy keeps the (huge) losses finite, so this run completes instead of diverging.
     */
    @Test
    void stableCrossEntropyOnRawPixelsWithALargeRate() {
        Recorder rec = new Recorder();
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(64).withSeed(1));
                Model model = ModelSpec.builder("softmax").inputs(784).classes(24).build().create(backend);
                Optimizer sgd = Fixtures.sgd(model.parameters(), 1.0);
                Trainer trainer = Trainer.builder(model, sgd, loader).epochs(2).listener(rec).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, r.status(), r.message());
            double max = rec.batches.stream().mapToDouble(b -> b[3]).max().orElseThrow();
            assertTrue(max > 1e4, "the losses are huge (" + max + ") but finite");
        }
    }

    /** Reading the step losses every step, every 7 steps or once per epoch changes nothing in the results. */
    @Test
    void lossReadIntervalDoesNotChangeResults() {
        List<TrainingResult> results = new ArrayList<>();
        List<float[][]> weights = new ArrayList<>();
        for (int interval : new int[] {0, 1, 7}) {
            try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(100).withSeed(5));
                    DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(100).withShuffle(false));
                    Model model = ModelSpec.builder("softmax").inputs(784).classes(24).bias(true).build()
                            .create(backend);
                    Optimizer opt = Fixtures.adam(model.parameters(), 1e-3);
                    Trainer trainer = Trainer.builder(model, opt, loader).epochs(2).testLoader(testLoader)
                            .lossReadInterval(interval).build()) {
                assertEquals(interval == 0 ? 20 : interval, trainer.lossReadInterval());
                results.add(trainer.run());
                weights.add(Fixtures.parameterValues(model));
            }
        }
        for (int i = 1; i < results.size(); i++) {
            assertEquals(results.get(0).history(), results.get(i).history());
            for (int p = 0; p < weights.get(0).length; p++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(weights.get(0)[p], weights.get(i)[p]);
            }
        }
    }

    /** With a zero learning rate nothing improves: early stopping ends the run after `patience` epochs. */
    @Test
    void earlyStoppingOnAPlateau() {
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(500).withSeed(1));
                DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(200).withShuffle(false));
                Model model = ModelSpec.builder("softmax").inputs(784).classes(24).build().create(backend);
                Optimizer opt = Fixtures.sgd(model.parameters(), 0.0);
                Trainer trainer = Trainer.builder(model, opt, loader).epochs(20).testLoader(testLoader)
                        .earlyStopping(EarlyStopping.of(3, 1e-9)).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.EARLY_STOPPED, r.status());
            assertEquals(4, r.epochsCompleted(), "the first epoch sets the best, three more do not improve");
            assertTrue(r.message().startsWith("early stopping after epoch 4"), r.message());
            assertNull(r.divergence());
        }
    }

    @Test
    void configurationErrors() {
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(500).withSeed(1));
                Model model = ModelSpec.builder("softmax").inputs(784).classes(24).build().create(backend);
                Model other = ModelSpec.builder("softmax").inputs(784).classes(24).build().create(backend);
                Optimizer opt = Fixtures.sgd(other.parameters(), 0.1)) {
            assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, opt, loader).build());
            assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, opt, loader).epochs(0));
            assertThrows(IllegalArgumentException.class,
                    () -> Trainer.builder(model, opt, loader).lossReadInterval(-1));
            assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, opt, loader)
                    .earlyStopping(new EarlyStopping(2, 0, EarlyStopping.Monitor.TEST_LOSS)).build());
            try (Optimizer mine = Fixtures.sgd(model.parameters(), 0.1);
                    Trainer t = Trainer.builder(model, mine, loader).build()) {
                assertThrows(IllegalStateException.class, t::requestCheckpoint);
                t.run();
                assertThrows(IllegalStateException.class, t::run, "a trainer runs once");
            }
        }
    }
}

package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.data.DataLoader;
import dev.descent.data.DataSplit;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.schedule.ScheduleUnit;
import dev.descent.optim.schedule.StepLr;
import dev.descent.train.BestEpoch;
import dev.descent.train.Checkpoint;
import dev.descent.train.EarlyStopping;
import dev.descent.train.EarlyStopping.Monitor;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Evaluation;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation sets, early stopping with the best epoch's weights restored (bit for bit, never the last or worst
 * epoch's), resume of the early-stopping state, and drop-last, on the CPU backend.
 */
class ValidationEarlyStoppingTest {
    private static final long SEED = 23;
    /** Overlapping classes in many dimensions, few samples: an MLP with Adam overfits within a few epochs. */
    private static final Dataset ALL = Fixtures.blobs(400, 40, 5, 0.35, 1.0, 21);
    private static final DataSplit SPLIT = DataSplit.of(ALL.subset(IntStream.range(0, 320).toArray()), 0.25, SEED);
    private static final Dataset TEST = ALL.subset(IntStream.range(320, 400).toArray());
    private static Backend backend;
    private static DeviceDataset train;
    private static DeviceDataset val;
    private static DeviceDataset test;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
        train = SPLIT.train().upload(backend);
        val = SPLIT.validation().upload(backend);
        test = TEST.upload(backend);
    }

    @AfterAll
    static void close() {
        train.close();
        val.close();
        test.close();
        backend.close();
    }

    /** A run's result, its final weights, and the weights at the end of every epoch it ran. */
    record Outcome(TrainingResult result, float[][] weights, Map<Integer, float[][]> byEpoch, Evaluation finalVal) {
    }

    /** How to run: everything but the data, model and optimizer, which every run builds afresh. */
    record Setup(int epochs, EarlyStopping earlyStopping, boolean validation, boolean dropLast, Path dir,
            Checkpoint resume, long stopAtStep, double gamma) {
        static Setup of(int epochs, EarlyStopping es) {
            return new Setup(epochs, es, true, false, null, null, 0, 1.0);
        }

        Setup checkpointsIn(Path d) {
            return new Setup(epochs, earlyStopping, validation, dropLast, d, resume, stopAtStep, gamma);
        }

        Setup resuming(Checkpoint cp) {
            return new Setup(epochs, earlyStopping, validation, dropLast, dir, cp, stopAtStep, gamma);
        }

        Setup stoppingAt(long step) {
            return new Setup(epochs, earlyStopping, validation, dropLast, dir, resume, step, gamma);
        }

        /** Drop-last, and a StepLR that halves the rate every 7 steps. */
        Setup withDropLast() {
            return new Setup(epochs, earlyStopping, validation, true, dir, resume, stopAtStep, 0.5);
        }
    }

    /**
     * Builds everything from scratch (as a new process would) and runs or resumes: an MLP 40-64-5, Adam at 0.01 with a
     * StepLR that multiplies the rate by {@code gamma} every 7 steps, shuffled batches of 32, evaluation on the
     * validation and test sets.
     */
    private static Outcome run(Setup s, Communicator comm, DeviceDataset trainSet, DeviceDataset valSet,
            DeviceDataset testSet, Backend on) {
        Map<Integer, float[][]> byEpoch = new TreeMap<>();
        LoaderOptions lo = LoaderOptions.batches(32).withSeed(SEED).withDropLast(s.dropLast());
        LoaderOptions eo = LoaderOptions.batches(50).withShuffle(false);
        if (comm.size() > 1) {
            lo = lo.withShard(comm.rank(), comm.size());
            eo = eo.withShard(comm.rank(), comm.size());
        }
        try (DataLoader loader = new DataLoader(trainSet, lo);
                DataLoader valLoader = new DataLoader(valSet, eo);
                DataLoader testLoader = new DataLoader(testSet, eo);
                Model model = ModelSpec.builder("mlp").inputs(40).hidden(64).classes(5).seed(SEED).build()
                        .create(on);
                Optimizer opt = Optimizers.create("adam", AdamOptions.defaults().withLr(0.01),
                        List.of(ParamGroup.of(model.parameters())), new StepLr(7, s.gamma(), ScheduleUnit.STEP), null)) {
            Trainer[] self = new Trainer[1];
            Trainer.Builder b = Trainer.builder(model, opt, loader).epochs(s.epochs()).testLoader(testLoader)
                    .seed(SEED).communicator(comm).lossReadInterval(1).listener(new TrainingListener() {
                        @Override
                        public void onEpochEnd(EpochMetrics m) {
                            byEpoch.put(m.epoch(), Fixtures.parameterValues(model));
                        }

                        @Override
                        public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
                            if (globalStep == s.stopAtStep()) {
                                self[0].requestStop();
                            }
                        }
                    });
            if (s.validation()) {
                b.validationLoader(valLoader);
            }
            if (s.earlyStopping() != null) {
                b.earlyStopping(s.earlyStopping());
            }
            if (s.dir() != null) {
                b.checkpoints(s.dir(), 1, 3);
            }
            try (Trainer trainer = b.build()) {
                self[0] = trainer;
                TrainingResult r = s.resume() == null ? trainer.run() : trainer.resume(s.resume());
                Evaluation finalVal;
                try (Evaluator ev = new Evaluator(model, valLoader, comm)) {
                    finalVal = ev.evaluate();
                }
                return new Outcome(r, Fixtures.parameterValues(model), byEpoch, finalVal);
            }
        }
    }

    private static Outcome run(Setup s) {
        return run(s, Communicator.single(), train, val, test, backend);
    }

    /** The best epoch by the rule: strict improvement by more than minDelta, the first such epoch wins ties. */
    private static int bestEpoch(List<EpochMetrics> history, Monitor monitor, double minDelta) {
        int best = 0;
        double bestValue = monitor.maximized() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (EpochMetrics m : history) {
            double v = monitor == Monitor.VAL_ACCURACY ? m.validation().accuracy() : m.validation().loss();
            if (monitor.maximized() ? v > bestValue + minDelta : v < bestValue - minDelta) {
                best = m.epoch();
                bestValue = v;
            }
        }
        return best;
    }

    private static void assertSameWeights(float[][] expected, float[][] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int p = 0; p < expected.length; p++) {
            assertArrayEquals(expected[p], actual[p], what + ", parameter " + p);
        }
    }

    private static boolean sameWeights(float[][] a, float[][] b) {
        for (int p = 0; p < a.length; p++) {
            if (!java.util.Arrays.equals(a[p], b[p])) {
                return false;
            }
        }
        return true;
    }

    private static void assertSameRun(Outcome expected, Outcome actual) {
        assertEquals(expected.result().history(), actual.result().history(), "metrics");
        assertEquals(expected.result().status(), actual.result().status());
        assertEquals(expected.result().steps(), actual.result().steps());
        assertEquals(expected.result().best(), actual.result().best(), "best epoch");
        assertSameWeights(expected.weights(), actual.weights(), "final weights");
    }

    @Test
    void theValidationSetIsEvaluatedEveryEpochBesideTheTestSet() {
        Outcome o = run(Setup.of(3, null));
        assertEquals(3, o.result().history().size());
        for (EpochMetrics m : o.result().history()) {
            assertNotNull(m.validation(), "epoch " + m.epoch());
            assertEquals(SPLIT.validation().samples(), m.validation().samples());
            assertEquals(TEST.samples(), m.test().samples());
            assertTrue(m.validation().classification());
        }
        // what the trainer reports is what an evaluator finds on the final weights
        assertEquals(o.finalVal(), o.result().last().validation());
        assertNull(o.result().best(), "no early stopping, no best epoch");
        assertEquals(80, SPLIT.validation().samples());
        assertArrayEquals(new int[] {16, 16, 16, 16, 16}, SPLIT.validation().labelCounts(), "stratified");
    }

    @Test
    void earlyStoppingOnTheValidationLossEndsWithTheBestEpochsWeightsBitForBit() {
        Outcome o = run(Setup.of(60, EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS)));
        TrainingResult r = o.result();
        assertEquals(TrainingResult.Status.EARLY_STOPPED, r.status(), r.message());
        int best = bestEpoch(r.history(), Monitor.VAL_LOSS, 0);
        int last = r.epochsCompleted();
        assertEquals(best + 3, last, "stopped after three epochs without improvement");
        assertTrue(best > 1, "the data overfits after a few epochs: best epoch " + best);
        BestEpoch b = r.best();
        assertEquals(new BestEpoch(Monitor.VAL_LOSS, best, r.history().get(best - 1).validation().loss(), true), b);
        assertSameWeights(o.byEpoch().get(best), o.weights(), "the model holds epoch " + best + "'s weights");
        assertFalse(sameWeights(o.byEpoch().get(last), o.weights()), "not the last epoch's");
        double worst = r.history().stream().mapToDouble(m -> m.validation().loss()).max().orElseThrow();
        assertTrue(o.finalVal().loss() < worst, "never the worst model");
        assertEquals(r.history().get(best - 1).validation(), o.finalVal(),
                "evaluating the saved model gives the best epoch's validation metrics again");
        assertTrue(r.message().startsWith("early stopping after epoch " + last + ": no improvement of more than 0.0 "
                + "in val_loss for 3 epochs (best epoch " + best + "); restored the weights of epoch " + best),
                r.message());

        // Without restoring, the model keeps the last epoch's weights (and the result says so).
        Outcome kept = run(Setup.of(60, EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS)
                .withRestoreBest(false)));
        assertEquals(r.history(), kept.result().history());
        assertSameWeights(kept.byEpoch().get(last), kept.weights(), "last epoch's weights");
        assertFalse(kept.result().best().restored());
    }

    @Test
    void aRunThatEndsWithoutStoppingAlsoEndsWithTheBestWeights() {
        Outcome o = run(Setup.of(60, EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS)));
        int best = o.result().best().epoch();
        int epochs = best + 2; // ends before patience runs out
        Outcome shorter = run(Setup.of(epochs, EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS)));
        assertEquals(TrainingResult.Status.COMPLETED, shorter.result().status());
        assertEquals(o.result().best(), shorter.result().best());
        assertSameWeights(o.byEpoch().get(best), shorter.weights(), "epoch " + best + "'s weights");
        assertTrue(shorter.result().message().startsWith("completed " + epochs + " epochs; restored the weights of "
                + "epoch " + best), shorter.result().message());
    }

    /** A run that diverges after its best epoch also ends with the best epoch's weights, not the non-finite ones. */
    @Test
    void aDivergedRunEndsWithTheBestWeights() {
        Map<Integer, float[][]> byEpoch = new TreeMap<>();
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(32).withSeed(SEED));
                DataLoader valLoader = new DataLoader(val, LoaderOptions.batches(50).withShuffle(false));
                Model model = ModelSpec.builder("mlp").inputs(40).hidden(64).classes(5).seed(SEED).build()
                        .create(backend);
                // the rate grows a thousandfold every epoch: 0.01, 10, 1e4, ... until the loss is not finite
                Optimizer sgd = Optimizers.create("sgd", dev.descent.optim.SgdOptions.defaults().withLr(0.01),
                        List.of(ParamGroup.of(model.parameters())), new StepLr(1, 1000, ScheduleUnit.EPOCH), null);
                Trainer trainer = Trainer.builder(model, sgd, loader).epochs(20).validationLoader(valLoader)
                        .earlyStopping(EarlyStopping.of(10, 0)).listener(new TrainingListener() {
                            @Override
                            public void onEpochEnd(EpochMetrics m) {
                                byEpoch.put(m.epoch(), Fixtures.parameterValues(model));
                            }
                        }).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.DIVERGED, r.status(), r.message());
            BestEpoch best = r.best();
            assertNotNull(best, r.message());
            assertTrue(best.restored());
            assertEquals(Monitor.VAL_LOSS, best.monitor(), "AUTO watches the validation loss");
            assertSameWeights(byEpoch.get(best.epoch()), Fixtures.parameterValues(model), "the best epoch's");
            assertTrue(r.message().startsWith(r.divergence().message() + "; restored the weights of epoch "
                    + best.epoch()), r.message());
        }
    }

    @Test
    void validationAccuracyIsMaximizedAndMinDeltaCounts() {
        Outcome o = run(Setup.of(60, new EarlyStopping(2, 0.01, Monitor.VAL_ACCURACY)));
        TrainingResult r = o.result();
        assertEquals(TrainingResult.Status.EARLY_STOPPED, r.status(), r.message());
        int best = bestEpoch(r.history(), Monitor.VAL_ACCURACY, 0.01);
        assertEquals(best + 2, r.epochsCompleted());
        assertEquals(Monitor.VAL_ACCURACY, r.best().monitor());
        assertEquals(best, r.best().epoch());
        assertSameWeights(o.byEpoch().get(best), o.weights(), "epoch " + best + "'s weights");
        for (EpochMetrics m : r.history()) {
            assertTrue(m.validation().accuracy() <= r.best().value() + 0.01, "epoch " + m.epoch());
        }
    }

    /**
     * Stopped in the middle of the epoch after the best one (patience count running), resumed in fresh objects: the
     * same metrics, the same best epoch and the same final weights as a run that was never interrupted.
     */
    @Test
    void resumeKeepsTheEarlyStoppingStateBitForBit(@TempDir Path dir) throws IOException {
        EarlyStopping es = EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS);
        Outcome straight = run(Setup.of(60, es));
        int best = straight.result().best().epoch();
        long stepsPerEpoch = straight.result().history().getFirst().steps();
        long stopAt = (best + 1) * stepsPerEpoch + 3;

        Outcome stopped = run(Setup.of(60, es).checkpointsIn(dir).stoppingAt(stopAt));
        assertEquals(TrainingResult.Status.STOPPED, stopped.result().status(), stopped.result().message());
        assertEquals(best + 1, stopped.result().epochsCompleted());
        assertFalse(stopped.result().best().restored(), "a stopped run keeps its weights, to be resumed");
        Checkpoint cp = Checkpoint.read(stopped.result().lastCheckpoint());
        assertEquals("val_loss", cp.monitor());
        assertEquals(best + 2, cp.epoch());
        assertEquals(3, cp.batchIndex());

        Outcome resumed = run(Setup.of(60, es).resuming(cp));
        assertSameRun(straight, resumed);
        assertSameWeights(straight.byEpoch().get(best), resumed.weights(), "the best epoch's weights");
    }

    /**
     * A run that completes its epochs ends with the best weights, but its last checkpoint holds the training state:
     * extending it to more epochs continues exactly as one long run.
     */
    @Test
    void extendingACompletedRunContinuesFromItsLastWeights(@TempDir Path dir) throws IOException {
        EarlyStopping es = EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS);
        Outcome straight = run(Setup.of(60, es));
        int best = straight.result().best().epoch();
        Outcome first = run(Setup.of(best + 1, es).checkpointsIn(dir));
        assertEquals(TrainingResult.Status.COMPLETED, first.result().status());
        assertTrue(first.result().best().restored());
        Checkpoint cp = Checkpoint.read(Checkpoint.latest(dir).orElseThrow());
        assertEquals(best + 2, cp.epoch());
        Outcome extended = run(Setup.of(60, es).checkpointsIn(dir).resuming(cp));
        assertSameRun(straight, extended);
        // resuming the finished early-stopped run returns at once, restoring the best weights from the checkpoint
        Outcome done = run(Setup.of(60, es).resuming(Checkpoint.read(Checkpoint.latest(dir).orElseThrow())));
        assertSameRun(straight, done);
    }

    @Test
    void aCheckpointOfAnotherMonitorIsRefused(@TempDir Path dir) throws IOException {
        run(Setup.of(2, EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS)).checkpointsIn(dir));
        Path file = Checkpoint.latest(dir).orElseThrow();
        Checkpoint cp = Checkpoint.read(file);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> run(Setup.of(4, EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_ACCURACY)).resuming(cp)));
        assertEquals(file + ": written by a run whose early stopping watched val_loss, this run watches "
                + "val_accuracy", e.getMessage());
        // without early stopping now, the run just continues
        assertEquals(TrainingResult.Status.COMPLETED, run(Setup.of(3, null).resuming(cp)).result().status());
    }

    @Test
    void configurationErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(new Setup(2,
                EarlyStopping.of(2, 0).withMonitor(Monitor.VAL_LOSS), false, false, null, null, 0, 1.0)));
        assertEquals("early stopping on val_loss needs a validation loader (Trainer.Builder.validationLoader)",
                e.getMessage());
        try (DeviceDataset reg = Dataset.regression("r", new float[] {1, 2, 3, 4}, 4, 1, new float[] {1, 2, 3, 4}, 1)
                .upload(backend);
                DataLoader loader = new DataLoader(reg, LoaderOptions.batches(2));
                DataLoader valLoader = new DataLoader(reg, LoaderOptions.batches(4).withShuffle(false));
                Model linear = ModelSpec.builder("linear").inputs(1).outputs(1).build().create(backend);
                Optimizer sgd = Fixtures.sgd(linear.parameters(), 0.1)) {
            e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(linear, sgd, loader)
                    .validationLoader(valLoader).earlyStopping(EarlyStopping.of(2, 0).withMonitor(Monitor.VAL_ACCURACY))
                    .build());
            assertTrue(e.getMessage().startsWith("early stopping on val_accuracy needs a classifier; "), e.getMessage());
            // AUTO watches the validation loss when there is a validation set
            try (Trainer t = Trainer.builder(linear, sgd, loader).validationLoader(valLoader).epochs(2)
                    .earlyStopping(EarlyStopping.of(5, 0)).build()) {
                assertEquals(Monitor.VAL_LOSS, t.run().best().monitor());
            }
        }
    }

    /**
     * Drop-last: 240 samples in batches of 32 are 7 full batches (the 16 left over are dropped, different ones each
     * epoch); steps, samples, the per-step schedule and checkpoint positions all count 7 per epoch.
     */
    @Test
    void dropLastKeepsStepsSchedulesAndCheckpointsConsistent(@TempDir Path dir) throws IOException {
        assertEquals(240, train.samples());
        Outcome o = run(Setup.of(4, null).withDropLast());
        for (EpochMetrics m : o.result().history()) {
            assertEquals(7L * m.epoch(), m.steps(), "epoch " + m.epoch());
            assertEquals(224, m.trainSamples(), "the 16 left over are not trained on");
            // StepLR halves every 7 steps: once per epoch exactly
            assertEquals(0.01 * Math.pow(0.5, m.epoch() - 1), m.learningRate(), 0.0, "epoch " + m.epoch());
        }
        assertEquals(28, o.result().steps());
        Outcome kept = run(Setup.of(1, null));
        assertEquals(8, kept.result().steps());
        assertEquals(240, kept.result().last().trainSamples());

        Outcome stopped = run(Setup.of(4, null).withDropLast().checkpointsIn(dir).stoppingAt(7 + 5));
        Checkpoint cp = Checkpoint.read(stopped.result().lastCheckpoint());
        assertEquals(7, cp.batchesPerEpoch());
        assertEquals(2, cp.epoch());
        assertEquals(5, cp.batchIndex());
        assertSameRun(o, run(Setup.of(4, null).withDropLast().resuming(cp)));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> run(Setup.of(4, null).resuming(cp)));
        assertEquals(cp.source() + ": written for 240 samples in 7 batches per epoch, this run has 240 in 8",
                e.getCause().getMessage());
    }

    /** Ranks as threads: evaluation is reduced, so every rank sees the same values and takes the same decisions. */
    @Test
    void everyRankAgreesOnTheBestEpochAndItsWeights() throws Exception {
        EarlyStopping es = EarlyStopping.of(3, 0).withMonitor(Monitor.VAL_LOSS);
        int size = 2;
        ThreadCommunicator[] comms = ThreadCommunicator.group(size);
        ExecutorService pool = Executors.newFixedThreadPool(size);
        List<Outcome> ranks = new ArrayList<>();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (ThreadCommunicator c : comms) {
                futures.add(pool.submit(() -> {
                    try (Backend own = Fixtures.cpu(1);
                            DeviceDataset t = SPLIT.train().upload(own);
                            DeviceDataset v = SPLIT.validation().upload(own);
                            DeviceDataset x = TEST.upload(own)) {
                        return run(Setup.of(60, es), c, t, v, x, own);
                    }
                }));
            }
            for (Future<Outcome> f : futures) {
                ranks.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        Outcome r0 = ranks.get(0);
        Outcome r1 = ranks.get(1);
        assertEquals(TrainingResult.Status.EARLY_STOPPED, r0.result().status(), r0.result().message());
        assertSameRun(r0, r1);
        assertNotNull(r0.result().best());
        assertSameWeights(r0.byEpoch().get(r0.result().best().epoch()), r0.weights(), "rank 0 restored the best");
        assertSameWeights(r1.byEpoch().get(r1.result().best().epoch()), r1.weights(), "rank 1 restored the best");
        assertEquals(SPLIT.validation().samples(), r0.result().last().validation().samples(), "both shards counted");
    }
}

package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.schedule.ScheduleUnit;
import dev.descent.optim.schedule.StepLr;
import dev.descent.train.Checkpoint;
import dev.descent.train.TrainingListener;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run interrupted at a checkpoint and resumed in fresh objects (new model, optimizer, loaders, trainer, as after a
 * kill -9) produces bit-identical metrics and weights to a run that was never interrupted.
 */
class CheckpointResumeTest {
    private static final long SEED = 17;
    private static Backend backend;
    private static DeviceDataset train;
    private static DeviceDataset test;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
        Dataset all = Fixtures.blobs(760, 40, 5, 1.0, 1.0, 3);
        train = all.subset(IntStream.range(0, 600).toArray()).upload(backend);
        test = all.subset(IntStream.range(600, 760).toArray()).upload(backend);
    }

    @AfterAll
    static void close() {
        train.close();
        test.close();
        backend.close();
    }

    /** What a run leaves behind: its result and final weights. */
    record Outcome(TrainingResult result, float[][] weights) {
    }

    /**
     * Builds everything from scratch (as a new process would), then runs or resumes. Adam with a per-epoch StepLR
     * schedule, shuffled batches of 32 (18 full, one of 24), an MLP, evaluation on a test set.
     */
    private Outcome run(int epochs, int interval, Path dir, long everySteps, Checkpoint resume,
            Consumer<Trainer[]> wire, List<TrainingListener> extra) {
        Trainer[] holder = new Trainer[1];
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(32).withSeed(SEED));
                DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(50).withShuffle(false));
                Model model = ModelSpec.builder("mlp").inputs(40).hidden(16).classes(5).seed(SEED).build()
                        .create(backend);
                Optimizer opt = Optimizers.create("adam", AdamOptions.defaults().withLr(0.01),
                        List.of(ParamGroup.of(model.parameters())), new StepLr(1, 0.7, ScheduleUnit.EPOCH), null)) {
            Trainer.Builder b = Trainer.builder(model, opt, loader).epochs(epochs).testLoader(testLoader)
                    .lossReadInterval(interval).seed(SEED);
            if (dir != null) {
                b.checkpoints(dir, 1, 3).checkpointEverySteps(everySteps);
            }
            extra.forEach(b::listener);
            try (Trainer trainer = b.build()) {
                holder[0] = trainer;
                if (wire != null) {
                    wire.accept(holder);
                }
                TrainingResult r = resume == null ? trainer.run() : trainer.resume(resume);
                return new Outcome(r, Fixtures.parameterValues(model));
            }
        }
    }

    private static void assertSameRun(Outcome expected, Outcome actual) {
        assertEquals(expected.result().history(), actual.result().history(), "metrics");
        assertEquals(expected.result().steps(), actual.result().steps());
        assertEquals(expected.result().status(), actual.result().status());
        for (int p = 0; p < expected.weights().length; p++) {
            assertArrayEquals(expected.weights()[p], actual.weights()[p], "parameter " + p);
        }
    }

    @Test
    void resumeAtAnEpochBoundaryIsBitIdentical(@TempDir Path dir) throws IOException {
        Outcome straight = run(4, 0, null, 0, null, null, List.of());
        assertEquals(TrainingResult.Status.COMPLETED, straight.result().status());
        assertTrue(straight.result().last().learningRate() < 0.01, "the schedule decayed");

        Outcome first = run(2, 0, dir, 0, null, null, List.of());
        assertEquals(2, first.result().epochsCompleted());
        Path latest = Checkpoint.latest(dir).orElseThrow();
        assertEquals(first.result().lastCheckpoint(), latest);
        Checkpoint cp = Checkpoint.read(latest);
        assertEquals(3, cp.epoch());
        assertEquals(0, cp.batchIndex());
        assertEquals(2 * 19, cp.globalStep());
        assertEquals(2, cp.history().size());
        assertEquals("adam", cp.optimizer());

        Outcome resumed = run(4, 0, dir, 0, cp, null, List.of());
        assertSameRun(straight, resumed);
        assertEquals(4, Checkpoint.read(Checkpoint.latest(dir).orElseThrow()).history().size());
    }

    /** A stop requested mid-epoch (as a signal handler would) checkpoints the mid-epoch position. */
    @Test
    void resumeInTheMiddleOfAnEpochIsBitIdentical(@TempDir Path dir) throws IOException {
        Outcome straight = run(3, 5, null, 0, null, null, List.of());
        List<Long> stopAt = new ArrayList<>();
        Trainer[] target = new Trainer[1];
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
                if (globalStep == 27) {
                    stopAt.add(globalStep);
                    target[0].requestStop();
                }
            }
        };
        Outcome stopped = run(3, 1, dir, 0, null, h -> target[0] = h[0], List.of(stopper));
        assertEquals(TrainingResult.Status.STOPPED, stopped.result().status(), stopped.result().message());
        assertEquals(List.of(27L), stopAt);
        assertEquals(27, stopped.result().steps(), "honoured at the next step boundary");
        assertEquals(1, stopped.result().epochsCompleted());
        Checkpoint cp = Checkpoint.read(stopped.result().lastCheckpoint());
        assertEquals(2, cp.epoch());
        assertEquals(27 - 19, cp.batchIndex());
        assertEquals(27, cp.globalStep());

        // Resume with a different loss-read interval: only when losses are read changes, not what they are.
        Outcome resumed = run(3, 0, dir, 0, cp, null, List.of());
        assertSameRun(straight, resumed);
    }

    /** Checkpoints every N steps inside epochs; only the newest `keep` remain; any of them resumes exactly. */
    @Test
    void stepCheckpointsResumeExactly(@TempDir Path dir) throws IOException {
        Outcome straight = run(2, 0, null, 0, null, null, List.of());
        List<Path> written = new ArrayList<>();
        TrainingListener log = new TrainingListener() {
            @Override
            public void onCheckpoint(Path file, int epoch, int step) {
                written.add(file);
            }
        };
        Outcome withCheckpoints = run(2, 0, dir, 7, null, null, List.of(log));
        assertSameRun(straight, withCheckpoints);
        // steps 7, 14 (epoch 1), 21, 28, 35 (epoch 2) and the two epoch ends (19, 38)
        assertEquals(List.of(7L, 14L, 19L, 21L, 28L, 35L, 38L), written.stream().map(Checkpoint::stepOf).toList());
        List<Path> kept = Checkpoint.list(dir);
        assertEquals(List.of(28L, 35L, 38L), kept.stream().map(Checkpoint::stepOf).toList());
        Checkpoint mid = Checkpoint.read(kept.get(0));
        assertEquals(2, mid.epoch());
        assertEquals(28 - 19, mid.batchIndex());
        assertSameRun(straight, run(2, 3, null, 0, mid, null, List.of()));
        // Resuming a finished run returns at once with the full history.
        Outcome done = run(2, 0, null, 0, Checkpoint.read(kept.get(2)), null, List.of());
        assertSameRun(straight, done);
    }

    @Test
    void mismatchedResumesAreRefused(@TempDir Path dir) throws IOException {
        run(1, 0, dir, 0, null, null, List.of());
        Path file = Checkpoint.latest(dir).orElseThrow();
        Checkpoint cp = Checkpoint.read(file);
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(32).withSeed(SEED));
                Model model = ModelSpec.builder("mlp").inputs(40).hidden(16).classes(5).seed(SEED).build()
                        .create(backend);
                Optimizer sgd = Fixtures.sgd(model.parameters(), 0.1);
                Optimizer adam = Fixtures.adam(model.parameters(), 0.1);
                Model small = ModelSpec.builder("mlp").inputs(40).hidden(8).classes(5).build().create(backend);
                Optimizer smallAdam = Fixtures.adam(small.parameters(), 0.1);
                DataLoader other = new DataLoader(train, LoaderOptions.batches(64).withSeed(SEED))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> Trainer.builder(model, sgd, loader).seed(SEED).epochs(2).build().resume(cp));
            assertEquals(file + ": written by optimizer adam, this run uses sgd", e.getMessage());
            e = assertThrows(UncheckedIOException.class,
                    () -> Trainer.builder(model, adam, loader).seed(SEED + 1).epochs(2).build().resume(cp));
            assertEquals(file + ": written by a run with seed 17, this run has seed 18", e.getCause().getMessage());
            e = assertThrows(UncheckedIOException.class,
                    () -> Trainer.builder(model, adam, other).seed(SEED).epochs(2).build().resume(cp));
            assertEquals(file + ": written for 600 samples in 19 batches per epoch, this run has 600 in 10",
                    e.getCause().getMessage());
            e = assertThrows(UncheckedIOException.class,
                    () -> Trainer.builder(small, smallAdam, loader).seed(SEED).epochs(2).build().resume(cp));
            assertNotNull(e.getCause().getMessage());
            assertTrue(e.getCause().getMessage().startsWith(file + ": parameter 1 is 'layer1.W' [40, 16]"),
                    e.getCause().getMessage());
        }
    }

    /** A checkpoint folder belongs to one run: locked while it trains, refused to a new run, resumed by its own. */
    @Test
    void checkpointFoldersBelongToOneRun(@TempDir Path dir) throws IOException {
        boolean[] heldDuringTheRun = new boolean[1];
        TrainingListener probe = new TrainingListener() {
            @Override
            public void onEpochEnd(dev.descent.train.EpochMetrics m) {
                try (dev.descent.train.FolderLock l = dev.descent.train.FolderLock.acquire(dir, "probe")) {
                    heldDuringTheRun[0] = false;
                } catch (dev.descent.train.FolderLock.HeldException e) {
                    heldDuringTheRun[0] = true;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        Outcome first = run(1, 0, dir, 0, null, null, List.of(probe));
        assertTrue(heldDuringTheRun[0], "the trainer holds its checkpoint folder while it runs");
        Checkpoint cp = Checkpoint.read(first.result().lastCheckpoint());
        assertEquals(16, cp.runId().length());

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> run(1, 0, dir, 0, null, null,
                List.of()));
        assertTrue(e.getMessage().startsWith(dir + " holds " + first.result().lastCheckpoint().getFileName()
                + " already; a new run needs an empty checkpoint folder"), e.getMessage());

        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(32).withSeed(SEED));
                Model model = ModelSpec.builder("mlp").inputs(40).hidden(16).classes(5).seed(SEED).build()
                        .create(backend);
                Optimizer adam = Fixtures.adam(model.parameters(), 0.1)) {
            e = assertThrows(UncheckedIOException.class, () -> Trainer.builder(model, adam, loader).seed(SEED)
                    .epochs(2).runId("someone-else").build().resume(cp));
            assertEquals(first.result().lastCheckpoint() + ": written by run " + cp.runId()
                    + ", not by run someone-else", e.getMessage());
        }
        // Its own run continues, keeping its identity in the checkpoints it writes.
        Outcome resumed = run(2, 0, dir, 0, cp, null, List.of());
        assertEquals(cp.runId(), Checkpoint.read(resumed.result().lastCheckpoint()).runId());
    }
}

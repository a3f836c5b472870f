package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.train.Checkpoint;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training with ranks as threads (each with its own CPU backend): the gradient allreduce-sum with
 * global-batch normalisation reproduces the single-process run up to float summation order, every rank ends with
 * identical metrics and weights, rank 0's initialisation wins, and stop requests are agreed by all ranks.
 */
class DistributedTrainerTest {
    private static final Dataset ALL = Fixtures.blobs(520, 12, 3, 1.0, 1.0, 8);
    private static final Dataset TRAIN = ALL.subset(IntStream.range(0, 400).toArray());
    private static final Dataset TEST = ALL.subset(IntStream.range(400, 520).toArray());

    record Outcome(TrainingResult result, float[][] weights) {
    }

    /** One rank's whole run, in its own backend; {@code seed + rank} initialises the model. */
    private static Outcome rank(Communicator comm, int epochs, Path dir, Checkpoint resume, long stopAtStep) {
        int rank = comm.rank();
        int size = comm.size();
        try (Backend backend = Fixtures.cpu(1);
                DeviceDataset train = TRAIN.upload(backend);
                DeviceDataset test = TEST.upload(backend);
                DataLoader loader = new DataLoader(train, LoaderOptions.batches(40).withSeed(5)
                        .withShard(rank, size));
                DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(50).withShuffle(false)
                        .withShard(rank, size));
                Model model = ModelSpec.builder("mlp").inputs(12).hidden(10).classes(3).seed(100 + rank).build()
                        .create(backend);
                Optimizer opt = Fixtures.adam(model.parameters(), 0.01)) {
            Trainer[] self = new Trainer[1];
            Trainer.Builder b = Trainer.builder(model, opt, loader).epochs(epochs).testLoader(testLoader)
                    .communicator(comm).lossReadInterval(4);
            if (dir != null) {
                b.checkpoints(dir, 1, 5);
            }
            if (stopAtStep > 0 && rank == size - 1) {
                // Only the last rank is asked to stop (as if only it got the signal); all must agree.
                b.listener(new TrainingListener() {
                    @Override
                    public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
                        if (globalStep == stopAtStep) {
                            self[0].requestStop();
                        }
                    }
                });
            }
            try (Trainer trainer = b.build()) {
                self[0] = trainer;
                TrainingResult r = resume == null ? trainer.run() : trainer.resume(resume);
                return new Outcome(r, Fixtures.parameterValues(model));
            }
        }
    }

    private static List<Outcome> runRanks(int size, int epochs, Path dir, Checkpoint resume, long stopAtStep)
            throws Exception {
        ThreadCommunicator[] comms = ThreadCommunicator.group(size);
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (ThreadCommunicator c : comms) {
                futures.add(pool.submit(() -> rank(c, epochs, dir, resume, stopAtStep)));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertIdentical(Outcome a, Outcome b) {
        assertEquals(a.result().history(), b.result().history());
        assertEquals(a.result().status(), b.result().status());
        for (int p = 0; p < a.weights().length; p++) {
            assertArrayEquals(a.weights()[p], b.weights()[p], "parameter " + p);
        }
    }

    @Test
    void twoRanksMatchOneProcess() throws Exception {
        Outcome single = rank(Communicator.single(), 3, null, null, 0);
        List<Outcome> ranks = runRanks(2, 3, null, null, 0);
        assertIdentical(ranks.get(0), ranks.get(1));
        Outcome r0 = ranks.get(0);
        assertEquals(TrainingResult.Status.COMPLETED, r0.result().status());
        for (int e = 0; e < 3; e++) {
            EpochMetrics s = single.result().history().get(e);
            EpochMetrics d = r0.result().history().get(e);
            assertEquals(s.trainSamples(), d.trainSamples());
            assertEquals(s.steps(), d.steps());
            assertEquals(s.trainLoss(), d.trainLoss(), 1e-5 * s.trainLoss(), "epoch " + (e + 1) + " train loss");
            assertEquals(s.test().loss(), d.test().loss(), 1e-5 * s.test().loss(), "test loss");
            assertEquals(s.test().samples(), d.test().samples());
            assertEquals(s.test().confusion().total(), d.test().confusion().total());
            assertEquals(s.test().accuracy(), d.test().accuracy(), 2.0 / TEST.samples());
        }
        for (int p = 0; p < single.weights().length; p++) {
            for (int i = 0; i < single.weights()[p].length; i++) {
                assertEquals(single.weights()[p][i], r0.weights()[p][i], 1e-4, "parameter " + p + "[" + i + "]");
            }
        }
    }

    @Test
    void threeRanksWithUnevenShards() throws Exception {
        Outcome single = rank(Communicator.single(), 2, null, null, 0);
        List<Outcome> ranks = runRanks(3, 2, null, null, 0);
        assertIdentical(ranks.get(0), ranks.get(2));
        assertEquals(single.result().last().trainLoss(), ranks.get(1).result().last().trainLoss(),
                1e-5 * single.result().last().trainLoss());
    }

    /** A stop requested on one rank only: every rank stops at the same step, rank 0 checkpoints, resume is exact. */
    @Test
    void stopRequestIsAgreedAndResumesExactly(@TempDir Path dir) throws Exception {
        List<Outcome> straight = runRanks(2, 2, null, null, 0);
        // Losses are read (and requests agreed) after steps 4, 8 and 10 of each epoch; the request made while step
        // 2's loss is reported (at the read after step 4) is agreed at the read after step 8.
        List<Outcome> stopped = runRanks(2, 2, dir, null, 2);
        for (Outcome o : stopped) {
            assertEquals(TrainingResult.Status.STOPPED, o.result().status(), o.result().message());
            assertEquals(8, o.result().steps());
        }
        assertTrue(stopped.get(0).result().lastCheckpoint() != null, "rank 0 writes");
        assertNull(stopped.get(1).result().lastCheckpoint(), "other ranks do not");
        Checkpoint cp = Checkpoint.read(Checkpoint.latest(dir).orElseThrow());
        assertEquals(8, cp.globalStep());
        assertEquals(1, cp.epoch());
        assertEquals(8, cp.batchIndex());
        assertEquals(2, cp.processes());
        List<Outcome> resumed = runRanks(2, 2, null, cp, 0);
        assertIdentical(straight.get(0), resumed.get(0));
        assertIdentical(straight.get(1), resumed.get(1));
    }
}

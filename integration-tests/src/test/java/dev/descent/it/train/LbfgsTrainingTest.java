package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Closure;
import dev.descent.optim.Lbfgs;
import dev.descent.optim.LbfgsOptions;
import dev.descent.train.Checkpoint;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer with LBFGS, an optimizer that evaluates the objective itself: a full-batch epoch is exactly one
 * {@code step(closure)} on the whole training set (the same as calling LBFGS by hand), checkpoints resume bit for
 * bit, minibatches make one step each, and data-parallel ranks agree.
 */
class LbfgsTrainingTest {
    private static final long SEED = 23;
    private static final Dataset DATA = Fixtures.blobs(300, 10, 3, 1.0, 1.5, 4);
    private static final LbfgsOptions OPTIONS = LbfgsOptions.defaults().withMaxIter(4).withHistorySize(3)
            .withLineSearch(LbfgsOptions.LineSearch.STRONG_WOLFE);
    private static Backend backend;
    private static DeviceDataset train;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
        train = DATA.upload(backend);
    }

    @AfterAll
    static void close() {
        train.close();
        backend.close();
    }

    record Outcome(TrainingResult result, float[][] weights, long steps, long evaluations) {
    }

    private static Model model(Backend b) {
        return ModelSpec.builder("softmax").inputs(10).classes(3).seed(SEED).build().create(b);
    }

    private static Outcome train(DeviceDataset data, LoaderOptions loaderOptions, int epochs, Path dir,
            Checkpoint resume, Communicator comm) {
        try (DataLoader loader = new DataLoader(data, loaderOptions);
                Model model = model(data.backend());
                Lbfgs opt = new Lbfgs(OPTIONS, model.parameters(), null)) {
            Trainer.Builder b = Trainer.builder(model, opt, loader).epochs(epochs).seed(SEED).communicator(comm);
            if (dir != null) {
                b.checkpoints(dir, 1, 3);
            }
            try (Trainer trainer = b.build()) {
                TrainingResult r = resume == null ? trainer.run() : trainer.resume(resume);
                return new Outcome(r, Fixtures.parameterValues(model), opt.stepCount(), opt.functionEvaluations());
            }
        }
    }

    private static Outcome fullBatch(int epochs, Path dir, Checkpoint resume) {
        return train(train, LoaderOptions.fullBatch().withShuffle(false), epochs, dir, resume, Communicator.single());
    }

    @Test
    void aFullBatchEpochIsOneStepOnTheWholeTrainingSet() {
        int epochs = 4;
        Outcome trained = fullBatch(epochs, null, null);
        assertEquals(TrainingResult.Status.COMPLETED, trained.result().status(), trained.result().message());
        assertEquals(epochs, trained.steps());

        // the same by hand: one batch of every row in order, a closure over it, one step per epoch
        double[] losses = new double[epochs];
        float[][] weights;
        try (DataLoader loader = new DataLoader(train, LoaderOptions.fullBatch().withShuffle(false));
                Model model = model(backend);
                Lbfgs opt = new Lbfgs(OPTIONS, model.parameters(), null);
                Tensor lossOut = backend.allocate(1)) {
            loader.startEpoch(1);
            Batch batch = loader.next();
            Closure closure = () -> {
                model.lossAndGradients(batch, lossOut, 0);
                return backend.get(lossOut, 0);
            };
            for (int e = 0; e < epochs; e++) {
                losses[e] = opt.step(closure);
            }
            weights = Fixtures.parameterValues(model);
            assertEquals(trained.evaluations(), opt.functionEvaluations());
        }
        for (int e = 0; e < epochs; e++) {
            EpochMetrics m = trained.result().history().get(e);
            assertEquals(losses[e], m.trainLoss(), 0.0, "epoch " + (e + 1) + ": the loss before its step");
            assertEquals(e + 1, m.steps());
        }
        for (int p = 0; p < weights.length; p++) {
            assertArrayEquals(weights[p], trained.weights()[p], "parameter " + p);
        }
        assertTrue(losses[epochs - 1] < 0.6 * losses[0], "learns: " + losses[0] + " -> " + losses[epochs - 1]);
    }

    @Test
    void resumeFromACheckpointIsBitIdentical(@TempDir Path dir) throws Exception {
        Outcome straight = fullBatch(5, null, null);
        Outcome first = fullBatch(2, dir, null);
        Checkpoint cp = Checkpoint.read(Checkpoint.latest(dir).orElseThrow());
        assertEquals("lbfgs", cp.optimizer());
        assertEquals(3, cp.epoch());
        Outcome resumed = fullBatch(5, dir, cp);
        assertEquals(straight.result().history(), resumed.result().history());
        assertEquals(straight.evaluations(), resumed.evaluations());
        for (int p = 0; p < straight.weights().length; p++) {
            assertArrayEquals(straight.weights()[p], resumed.weights()[p], "parameter " + p);
        }
        assertTrue(first.evaluations() < straight.evaluations());
    }

    @Test
    void minibatchesMakeOneStepEach() {
        Outcome r = train(train, LoaderOptions.batches(100).withSeed(SEED), 3, null, null, Communicator.single());
        assertEquals(TrainingResult.Status.COMPLETED, r.result().status(), r.result().message());
        assertEquals(9, r.steps());
        assertEquals(9, r.result().steps());
        List<EpochMetrics> h = r.result().history();
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss(), h.toString());
    }

    @Test
    void dataParallelRanksAgreeWithOneProcess() throws Exception {
        Outcome single = train(train, LoaderOptions.fullBatch().withShuffle(false), 3, null, null,
                Communicator.single());
        ThreadCommunicator[] comms = ThreadCommunicator.group(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Outcome> ranks = new ArrayList<>();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (ThreadCommunicator c : comms) {
                futures.add(pool.submit(() -> {
                    try (Backend b = Fixtures.cpu(1); DeviceDataset d = DATA.upload(b)) {
                        return train(d, LoaderOptions.fullBatch().withShuffle(false).withShard(c.rank(), c.size()),
                                3, null, null, c);
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
        assertEquals(r0.result().history(), ranks.get(1).result().history(), "ranks agree");
        assertEquals(r0.evaluations(), ranks.get(1).evaluations(), "ranks take the same decisions");
        for (int p = 0; p < r0.weights().length; p++) {
            assertArrayEquals(r0.weights()[p], ranks.get(1).weights()[p], "parameter " + p);
        }
        for (int e = 0; e < 3; e++) {
            double s = single.result().history().get(e).trainLoss();
            assertEquals(s, r0.result().history().get(e).trainLoss(), 1e-4 * s, "epoch " + (e + 1));
        }
        IntStream.range(0, r0.weights().length).forEach(p -> {
            for (int i = 0; i < r0.weights()[p].length; i++) {
                assertEquals(single.weights()[p][i], r0.weights()[p][i], 1e-3, "parameter " + p + "[" + i + "]");
            }
        });
    }
}

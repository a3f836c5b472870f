package dev.descent.it.model;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.ExpressionModel;
import dev.descent.autodiff.Module;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.loss.LossSpec;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.optim.SgdOptions;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * After warm-up a training step allocates nothing, on any thread: the loader's next batch, the model's forward and
 * backward pass and loss, and the optimizer's step, on the real CPU backend. The bytes are summed
 * (com.sun.management.ThreadMXBean) over the test's thread and every thread of descent's own (named "descent-...", the
 * CPU backend's workers among them), so that work the backend hands to its pool is counted; the JVM's and surefire's
 * housekeeping threads, which allocate on their own schedule (surefire's stream flusher every second or so), are not.
 * The model's buffers are cached per batch shape, the loader reuses its batches, the trainer keeps step losses on the
 * backend, and the backend hands its pool reusable task objects.
 *
 * <p>Shapes include the lecture's softmax regression (784 → 24, batch 16) and an MLP whose first weight matrix is
 * large enough that the optimizer updates, and the GEMMs' row blocks, run on the worker pool; losses include ones
 * with settings (Huber, cross-entropy with label smoothing and class weights, weighted NLL), which the models
 * differentiate on a tape per batch shape.
 */
class AllocationFreeStepTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Steps per measuring window (whole epochs, at least this many). */
    private static final int WINDOW_STEPS = 100;

    /** One configuration: a model, its data, the batch size, the optimizer, and at most how many steps to run. */
    /** How long a case may run to reach steady state before a non-zero window counts as a failure. */
    private static final long WARMUP_LIMIT_NANOS = 60_000_000_000L;

    private record Case(String name, Function<Backend, Model> model, Dataset data, int batch,
            Function<List<Parameter>, Optimizer> optimizer, int maxSteps) {
        Case(ModelSpec spec, Dataset data, int batch, Function<List<Parameter>, Optimizer> optimizer, int maxSteps) {
            this(spec.describe(), spec::create, data, batch, optimizer, maxSteps);
        }
    }

    /** The lecture's softmax regression and a tanh MLP written by a user: their tapes replay without allocating. */
    private static Model expressionSoftmax(Backend backend) {
        final class Softmax extends Module {
            private final Parameter w = zeros("W", 784, 24);
            private final Parameter b = zeros("b", 24);

            Softmax() {
                super(backend);
            }

            @Override
            public Var forward(Tape tape, Var x) {
                return x.matmul(tape.parameter(w)).add(tape.parameter(b));
            }
        }
        return ExpressionModel.classifier(new Softmax(), 784, 24, ExpressionLoss.crossEntropy());
    }

    private static Model expressionTanhMlp(Backend backend) {
        final class TanhMlp extends Module {
            private final Random random = new Random(3);
            private final Parameter w1 = uniform("W1", random, 20, 20, 16);
            private final Parameter b1 = uniform("b1", random, 20, 16);
            private final Parameter w2 = uniform("W2", random, 16, 16, 4);
            private final Parameter b2 = uniform("b2", random, 16, 4);

            TanhMlp() {
                super(backend);
            }

            @Override
            public Var forward(Tape tape, Var x) {
                Var h = x.matmul(tape.parameter(w1)).add(tape.parameter(b1)).tanh();
                return h.matmul(tape.parameter(w2)).add(tape.parameter(b2));
            }
        }
        return ExpressionModel.classifier(new TanhMlp(), 20, 4, ExpressionLoss.crossEntropy());
    }

    private static List<Case> cases() {
        Function<List<Parameter>, Optimizer> sgd =
                ps -> Optimizers.create("sgd", SgdOptions.defaults().withLr(1e-3).withMomentum(0.9), ps);
        Function<List<Parameter>, Optimizer> adam =
                ps -> Optimizers.create("adam", AdamOptions.defaults().withLr(1e-4), ps);
        // NAdam keeps its momentum product on the host: the step's scalars must not allocate either
        Function<List<Parameter>, Optimizer> nadam = ps -> Optimizers.create("nadam", ps);
        Dataset pixels = Fixtures.pixels(500, 784, 24, 3);
        return List.of(
                new Case(ModelSpec.builder("mlp").inputs(20).hidden(16, 8).classes(4).seed(1).build(),
                        Fixtures.blobs(250, 20, 4, 2, 1, 1), 32, sgd, 40_000),
                new Case("expression tanh MLP 20-16-4", AllocationFreeStepTest::expressionTanhMlp,
                        Fixtures.blobs(250, 20, 4, 2, 1, 1), 32, adam, 40_000),
                new Case("expression softmax 784-24", AllocationFreeStepTest::expressionSoftmax, pixels, 16, adam,
                        20_000),
                new Case(ModelSpec.builder("logistic").inputs(20).build(),
                        Fixtures.blobs(250, 20, 2, 2, 1, 1), 32, adam, 40_000),
                new Case(ModelSpec.builder("logistic").inputs(20).build(),
                        Fixtures.blobs(250, 20, 2, 2, 1, 1), 32, nadam, 40_000),
                new Case(ModelSpec.builder("linear").inputs(20).build(),
                        Fixtures.linear(250, 20, new float[20], new float[] {1f}, 0.1, 1), 32, sgd, 40_000),
                // Losses differentiated on a tape (one per batch shape: 32 rows and the epoch's last 26)
                new Case(ModelSpec.builder("linear").inputs(20).loss(LossSpec.huber(0.5)).build(),
                        Fixtures.linear(250, 20, new float[20], new float[] {1f}, 0.1, 1), 32, sgd, 40_000),
                new Case(ModelSpec.builder("mlp").inputs(20).hidden(16, 8).classes(4).seed(1)
                        .loss(LossSpec.crossEntropy(0.1, 1f, 2f, 0.5f, 1f)).build(),
                        Fixtures.blobs(250, 20, 4, 2, 1, 1), 32, adam, 40_000),
                new Case(ModelSpec.builder("softmax").inputs(20).classes(4).loss(LossSpec.nll(1f, 2f, 0.5f, 1f))
                        .build(), Fixtures.blobs(250, 20, 4, 2, 1, 1), 32, sgd, 40_000),
                new Case(ModelSpec.builder("softmax").inputs(784).classes(24).bias(true).build(), pixels, 16, sgd,
                        20_000),
                // Long steps; the kernels are mostly warm by now.
                new Case(ModelSpec.builder("mlp").inputs(784).hidden(128).classes(24).seed(2).build(), pixels, 100,
                        adam, 2_000));
    }

    @Test
    void modelStepAllocatesNothingOneThread() {
        modelSteps(1);
    }

    @Test
    void modelStepAllocatesNothingTwoThreads() {
        modelSteps(2);
    }

    private static void modelSteps(int threads) {
        try (Backend backend = Fixtures.cpu(threads)) {
            for (Case c : cases()) {
                long[] ids = ourThreads();
                try (DeviceDataset data = c.data.upload(backend);
                        DataLoader loader = new DataLoader(data, LoaderOptions.batches(c.batch).withSeed(1));
                        Model model = c.model.apply(backend);
                        Tensor losses = backend.allocate(loader.batchesPerEpoch());
                        Optimizer opt = c.optimizer.apply(model.parameters())) {
                    // Windows of whole epochs until two in a row allocate nothing (steady state: C2 has compiled the
                    // kernels, which for small shapes takes thousands of steps), or the case's step budget is spent.
                    // A per-step allocation shows in every window.
                    long bytes = -1;
                    int steps = 0;
                    int zeros = 0;
                    int total = 0;
                    // At least the case's step budget; beyond it, up to a wall-clock limit, because on a loaded
                    // machine C2's compile queue can lag far behind (a persistent allocation still fails here).
                    long deadline = System.nanoTime() + WARMUP_LIMIT_NANOS;
                    for (int e = 1; zeros < 2 && (total < c.maxSteps || System.nanoTime() < deadline); ) {
                        bytes = 0;
                        for (steps = 0; steps < WINDOW_STEPS; e++) {
                            bytes += epoch(loader, model, opt, losses, e, ids);
                            steps += loader.batchesPerEpoch();
                        }
                        total += steps;
                        zeros = bytes == 0 ? zeros + 1 : 0;
                    }
                    assertEquals(0, bytes, c.name + ", batch " + c.batch + ", " + opt.name() + ", "
                            + backend.description() + ": after " + total + " steps, " + steps + " steps allocated "
                            + bytes + " bytes");
                }
            }
        }
    }

    /** One epoch; returns the bytes the threads allocated during its steps (the epoch's start is not counted). */
    private static long epoch(DataLoader loader, Model model, Optimizer opt, Tensor losses, int epoch, long[] ids) {
        loader.startEpoch(epoch);
        long before = allocated(ids);
        while (loader.hasNext()) {
            Batch b = loader.next();
            model.lossAndGradients(b, losses, b.index());
            opt.step();
        }
        return allocated(ids) - before;
    }

    /** The ids of this thread and of every live thread of descent's ("descent-..."), e.g. the CPU backend's workers. */
    private static long[] ourThreads() {
        Thread self = Thread.currentThread();
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == self || t.getName().startsWith("descent-"))
                .mapToLong(Thread::threadId)
                .toArray();
    }

    /** Bytes allocated so far by the given threads (ended ones count 0); allocates nothing itself. */
    private static long allocated(long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, THREADS.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    /**
     * The whole trainer loop: between two step-loss read-backs in the middle of an epoch (90 steps) nothing is
     * allocated. As above, the run goes on until two such windows in a row read 0 (small shapes need thousands of steps
     * before C2 has compiled every kernel), within a time limit.
     */
    @Test
    void trainerStepAllocatesNothing() {
        ModelSpec spec = ModelSpec.builder("softmax").inputs(30).classes(5).bias(true).build();
        try (Backend backend = Fixtures.cpu(2);
                DeviceDataset data = Fixtures.blobs(1000, 30, 5, 2, 1, 2).upload(backend);
                DataLoader loader = new DataLoader(data, LoaderOptions.batches(10).withSeed(1));
                Model model = spec.create(backend)) {
            long[] ids = ourThreads();
            long[] mark = new long[1];
            long[] last = {-1};
            int[] zeros = new int[1];
            Trainer[] self = new Trainer[1];
            long deadline = System.nanoTime() + WARMUP_LIMIT_NANOS;
            try (Trainer trainer = Trainer.builder(model, Fixtures.sgd(model.parameters(), 0.01), loader)
                    .epochs(1_000_000).lossReadInterval(5)
                    .listener(new TrainingListener() {
                        @Override
                        public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
                            if (step == 5) {
                                mark[0] = allocated(ids);
                            } else if (step == 95) {
                                last[0] = allocated(ids) - mark[0];
                                zeros[0] = last[0] == 0 ? zeros[0] + 1 : 0;
                                if (zeros[0] == 2 || System.nanoTime() > deadline) {
                                    self[0].requestStop();
                                }
                            }
                        }
                    }).build()) {
                self[0] = trainer;
                TrainingResult r = trainer.run();
                assertEquals(0, last[0], "90 trainer steps allocated " + last[0] + " bytes (status " + r.status()
                        + ")");
                assertTrue(zeros[0] == 2, "stopped only after " + zeros[0] + " windows without allocation");
            }
        }
    }
}

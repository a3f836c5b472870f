package dev.descent.it.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * After warm-up a training step allocates nothing on the training thread outside the backend's kernels: the model's
 * buffers are cached per batch shape, the loader reuses its batches, and the trainer keeps step losses on the backend.
 * Allocations inside the CPU backend's kernels are counted separately by a {@link MeasuringBackend} and are the
 * backend's business (its own tests); this test holds descent's model, loss, loader and trainer code to zero.
 */
class AllocationFreeStepTest {
    private static Backend real;
    private static MeasuringBackend backend;

    @BeforeAll
    static void open() {
        real = Fixtures.cpu(1);
        backend = new MeasuringBackend(real);
    }

    @AfterAll
    static void close() {
        real.close();
    }

    @Test
    void modelStepAllocatesNothing() {
        for (ModelSpec spec : new ModelSpec[] {
                ModelSpec.builder("mlp").inputs(20).hidden(16, 8).classes(4).seed(1).build(),
                ModelSpec.builder("logistic").inputs(20).build(),
                ModelSpec.builder("linear").inputs(20).build()}) {
            boolean classes = !spec.kind().equals("linear");
            try (DeviceDataset data = (classes ? Fixtures.blobs(250, 20, spec.classes(), 2, 1, 1)
                    : Fixtures.linear(250, 20, new float[20], new float[] {1f}, 0.1, 1)).upload(backend);
                    DataLoader loader = new DataLoader(data, LoaderOptions.batches(32).withSeed(1));
                    Model model = spec.create(backend);
                    Tensor losses = backend.allocate(loader.batchesPerEpoch())) {
                Optimizer opt = new PlainSgd(backend, model.parameters(), 1e-3);
                for (int e = 1; e <= 3; e++) {      // warm-up: every batch shape
                    epoch(loader, model, opt, losses, e);
                }
                // Three windows of 80 steps; a per-step allocation shows in every window, while a one-off JIT
                // transition (deoptimisation rematerialises scalar-replaced objects) shows in one at most.
                long best = Long.MAX_VALUE;
                for (int w = 0, e = 4; w < 3; w++) {
                    long bytes = 0;
                    for (int i = 0; i < 10; i++, e++) {
                        bytes += epoch(loader, model, opt, losses, e);
                    }
                    best = Math.min(best, bytes);
                }
                assertTrue(best < 256, spec.describe() + ": 80 steps allocated " + best
                        + " bytes outside the backend");
            }
        }
    }

    /** One epoch; returns the bytes its steps allocated outside the backend (the epoch's start is not counted). */
    private static long epoch(DataLoader loader, Model model, Optimizer opt, Tensor losses, int epoch) {
        loader.startEpoch(epoch);
        long before = MeasuringBackend.allocated();
        long kernels = backend.insideBackend();
        while (loader.hasNext()) {
            Batch b = loader.next();
            model.lossAndGradients(b, losses, b.index());
            opt.step();
        }
        return MeasuringBackend.allocated() - before - (backend.insideBackend() - kernels);
    }

    /**
     * The whole trainer loop: between two step-loss read-backs in the middle of an epoch nothing is allocated (the
     * smallest of epochs 3 to 6, as above).
     */
    @Test
    void trainerStepAllocatesNothing() {
        ModelSpec spec = ModelSpec.builder("softmax").inputs(30).classes(5).bias(true).build();
        long[] marks = new long[2];
        long[] best = {Long.MAX_VALUE};
        try (DeviceDataset data = Fixtures.blobs(1000, 30, 5, 2, 1, 2).upload(backend);
                DataLoader loader = new DataLoader(data, LoaderOptions.batches(10).withSeed(1));
                Model model = spec.create(backend);
                Trainer trainer = Trainer.builder(model, new PlainSgd(backend, model.parameters(), 0.01), loader)
                        .epochs(6).lossReadInterval(5)
                        .listener(new TrainingListener() {
                            @Override
                            public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
                                if (epoch >= 3 && step == 5) {
                                    marks[0] = MeasuringBackend.allocated();
                                    marks[1] = backend.insideBackend();
                                } else if (epoch >= 3 && step == 95) {
                                    long bytes = MeasuringBackend.allocated() - marks[0]
                                            - (backend.insideBackend() - marks[1]);
                                    best[0] = Math.min(best[0], bytes);
                                }
                            }
                        }).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, r.status());
            assertTrue(best[0] < 256, "90 trainer steps allocated " + best[0] + " bytes outside the backend");
        }
    }
}

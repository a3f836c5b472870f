package dev.descent.it.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.ExpressionModel;
import dev.descent.autodiff.Module;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
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
import dev.descent.optim.Parameter;
import dev.descent.train.Checkpoint;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User-written models and losses ({@link Module}, {@link ExpressionLoss}, {@link ExpressionModel}) against the built-in
 * models they mirror, and through the {@link Trainer} with checkpoints and resume.
 */
class ExpressionModelTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Dense layers with an activation between them, parameters copied from given values. */
    static final class Dense extends Module {
        private final Parameter[] w;
        private final Parameter[] b;
        private final boolean tanh;

        Dense(Backend backend, int[] widths, float[][] values, boolean tanh) {
            super(backend);
            this.tanh = tanh;
            int layers = widths.length - 1;
            w = new Parameter[layers];
            b = new Parameter[layers];
            for (int l = 0; l < layers; l++) {
                w[l] = parameter("W" + l, values[2 * l], widths[l], widths[l + 1]);
                b[l] = parameter("b" + l, values[2 * l + 1], widths[l + 1]);
            }
        }

        @Override
        public Var forward(Tape tape, Var x) {
            Var a = x;
            for (int l = 0; l < w.length; l++) {
                a = a.matmul(tape.parameter(w[l])).add(tape.parameter(b[l]));
                if (l < w.length - 1) {
                    a = tanh ? a.tanh() : a.relu();
                }
            }
            return a;
        }
    }

    private static float[][] zeros(int... widths) {
        float[][] v = new float[2 * (widths.length - 1)][];
        for (int l = 0; l + 1 < widths.length; l++) {
            v[2 * l] = new float[widths[l] * widths[l + 1]];
            v[2 * l + 1] = new float[widths[l + 1]];
        }
        return v;
    }

    private static void assertClose(float[][] expected, float[][] actual, double tolerance, String what) {
        for (int p = 0; p < expected.length; p++) {
            double scale = 1e-6;
            for (float e : expected[p]) {
                scale = Math.max(scale, Math.abs(e));
            }
            for (int i = 0; i < expected[p].length; i++) {
                double err = Math.abs(expected[p][i] - actual[p][i]);
                assertTrue(err <= tolerance * scale, what + " parameter " + p + "[" + i + "]: built-in "
                        + expected[p][i] + ", expression " + actual[p][i]);
            }
        }
    }

    /**
     * Softmax regression: the fused built-in pass and the expression give the same losses and gradients at the same
     * weights. The built-in model trains (Adam, pixels 0–255, so the logits grow large); before each batch its weights
     * are copied into the expression model, so that both are compared at every point of a real trajectory.
     */
    @Test
    void softmaxRegressionAgreesWithTheFusedBuiltIn() {
        Dataset data = Fixtures.pixels(75, 50, 7, 5);
        try (DeviceDataset d = data.upload(backend);
                DataLoader loader = new DataLoader(d, LoaderOptions.batches(16).withSeed(3));
                Model builtIn = ModelSpec.builder("softmax").inputs(50).classes(7).bias(true).build()
                        .create(backend);
                Model expression = ExpressionModel.classifier(new Dense(backend, new int[] {50, 7}, zeros(50, 7),
                        false), 50, 7, ExpressionLoss.crossEntropy());
                Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-3),
                        builtIn.parameters());
                Tensor losses = backend.allocate(2)) {
            for (int epoch = 1; epoch <= 3; epoch++) {
                loader.startEpoch(epoch);
                while (loader.hasNext()) {
                    Batch batch = loader.next();
                    for (int p = 0; p < 2; p++) {
                        backend.copy(builtIn.parameters().get(p).value(), expression.parameters().get(p).value());
                    }
                    builtIn.lossAndGradients(batch, losses, 0);
                    expression.lossAndGradients(batch, losses, 1);
                    float[] l = backend.download(losses);
                    assertEquals(l[0], l[1], 2e-5 * Math.max(1, Math.abs(l[0])), "loss, batch of " + batch.size());
                    assertClose(Fixtures.gradientValues(builtIn), Fixtures.gradientValues(expression), 1e-4,
                            "gradient");
                    adam.step();
                }
            }
        }
    }

    /** The built-in ReLU MLP and the same network written as a module, from the same weights. */
    @Test
    void reluMlpAgreesWithTheBuiltIn() {
        Dataset data = Fixtures.blobs(90, 20, 4, 2, 1, 7);
        ModelSpec spec = ModelSpec.builder("mlp").inputs(20).hidden(16, 8).classes(4).seed(3).build();
        try (DeviceDataset d = data.upload(backend);
                DataLoader loader = new DataLoader(d, LoaderOptions.batches(32).withSeed(3));
                Model builtIn = spec.create(backend);
                Model expression = ExpressionModel.classifier(new Dense(backend, new int[] {20, 16, 8, 4},
                        Fixtures.parameterValues(builtIn), false), 20, 4, ExpressionLoss.crossEntropy());
                Tensor losses = backend.allocate(2)) {
            loader.startEpoch(1);
            while (loader.hasNext()) {
                Batch batch = loader.next();
                builtIn.lossAndGradients(batch, losses, 0);
                expression.lossAndGradients(batch, losses, 1);
                float[] l = backend.download(losses);
                assertEquals(l[0], l[1], 1e-5 * Math.max(1, Math.abs(l[0])));
                assertClose(Fixtures.gradientValues(builtIn), Fixtures.gradientValues(expression), 1e-4, "gradient");
                // forward agrees too
                float[] outA = backend.download(builtIn.forward(batch.features()));
                float[] outB = backend.download(expression.forward(batch.features()));
                assertClose(new float[][] {outA}, new float[][] {outB}, 1e-5, "outputs");
            }
        }
    }

    /** A data-parallel shard's loss and gradients are scaled to the global batch, as the built-in models do. */
    @Test
    void aShardIsScaledToTheGlobalBatch() {
        float[] x = new float[6 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 5) - 2f;
        }
        int[] y = {0, 1, 2, 1, 0, 2};
        Batch whole = Fixtures.batch(backend, x, 6, 3, y, null, 6);
        Batch shard = Fixtures.batch(backend, x, 6, 3, y, null, 24);
        try (Model builtIn = ModelSpec.builder("softmax").inputs(3).classes(3).build().create(backend);
                Model expression = ExpressionModel.classifier(new Dense(backend, new int[] {3, 3}, zeros(3, 3), false),
                        3, 3, ExpressionLoss.crossEntropy());
                Tensor losses = backend.allocate(4)) {
            builtIn.lossAndGradients(shard, losses, 0);
            expression.lossAndGradients(shard, losses, 1);
            expression.lossAndGradients(whole, losses, 2);
            float[] l = backend.download(losses);
            assertEquals(l[0], l[1], 1e-6);
            assertEquals(l[2] / 4, l[1], 1e-6, "a quarter of the global batch");
        }
    }

    /** Huber loss written as an expression fits a linear regression with outliers. */
    @Test
    void aHuberLossWrittenByTheUserTrains() {
        float[] w = {2f, -1f, 0.5f};
        Dataset data = Fixtures.linear(400, 3, w, new float[] {1f}, 0.05, 9);
        final class Linear extends Module {
            private final Parameter weight = zeros("W", 3, 1);
            private final Parameter bias = zeros("b", 1);

            Linear() {
                super(backend);
            }

            @Override
            public Var forward(Tape tape, Var x) {
                return x.matmul(tape.parameter(weight)).add(tape.parameter(bias));
            }
        }
        try (DeviceDataset d = data.upload(backend);
                DataLoader loader = new DataLoader(d, LoaderOptions.batches(32).withSeed(1));
                Model model = ExpressionModel.regression(new Linear(), 3, 1, ExpressionLoss.huber(1.0));
                Optimizer opt = Optimizers.create("adam", AdamOptions.defaults().withLr(0.05), model.parameters());
                Trainer trainer = Trainer.builder(model, opt, loader).epochs(40).seed(1).build()) {
            TrainingResult r = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, r.status(), r.message());
            float[] learned = backend.download(model.parameters().get(0).value());
            assertArrayEquals(w, learned, 0.05f, "the weights the data came from");
            assertNull(model.spec());
            assertNull(model.loss());
        }
    }

    // ---------------------------------------------------------------- the trainer: checkpoints and resume

    record Outcome(TrainingResult result, float[][] weights) {
    }

    private static Outcome run(DeviceDataset train, DeviceDataset test, int epochs, Path dir, Checkpoint resume) {
        Random random = new Random(5);
        float[][] init = new float[4][];
        int[] widths = {40, 12, 5};
        for (int l = 0; l < 2; l++) {
            double bound = 1 / Math.sqrt(widths[l]);
            init[2 * l] = new float[widths[l] * widths[l + 1]];
            init[2 * l + 1] = new float[widths[l + 1]];
            for (float[] v : new float[][] {init[2 * l], init[2 * l + 1]}) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                }
            }
        }
        try (DataLoader loader = new DataLoader(train, LoaderOptions.batches(32).withSeed(17));
                DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(50).withShuffle(false));
                Model model = ExpressionModel.classifier(new Dense(backend, widths, init, true), 40, 5,
                        ExpressionLoss.crossEntropy());
                Optimizer opt = Optimizers.create("adam", AdamOptions.defaults().withLr(0.01), model.parameters())) {
            Trainer.Builder b = Trainer.builder(model, opt, loader).epochs(epochs).testLoader(testLoader).seed(17);
            if (dir != null) {
                b.checkpoints(dir, 1, 3);
            }
            try (Trainer trainer = b.build()) {
                TrainingResult r = resume == null ? trainer.run() : trainer.resume(resume);
                return new Outcome(r, Fixtures.parameterValues(model));
            }
        }
    }

    @Test
    void trainsWithTheTrainerAndResumesBitIdentical(@TempDir Path dir) throws IOException {
        Dataset all = Fixtures.blobs(760, 40, 5, 1.0, 1.0, 3);
        try (DeviceDataset train = all.subset(IntStream.range(0, 600).toArray()).upload(backend);
                DeviceDataset test = all.subset(IntStream.range(600, 760).toArray()).upload(backend)) {
            Outcome straight = run(train, test, 4, null, null);
            assertEquals(TrainingResult.Status.COMPLETED, straight.result().status());
            double accuracy = straight.result().last().test().accuracy();
            assertTrue(accuracy > 0.9, "test accuracy " + accuracy);

            Outcome first = run(train, test, 2, dir, null);
            Checkpoint cp = Checkpoint.read(Checkpoint.latest(dir).orElseThrow());
            assertTrue(cp.model().startsWith("expression Dense"), cp.model());
            Outcome resumed = run(train, test, 4, dir, cp);
            assertEquals(straight.result().history(), resumed.result().history(), "metrics");
            for (int p = 0; p < straight.weights().length; p++) {
                assertArrayEquals(straight.weights()[p], resumed.weights()[p], "parameter " + p);
            }
            assertEquals(2, first.result().epochsCompleted());
        }
    }

    @Test
    void aModuleGivingTheWrongShapeIsNamed() {
        final class Wrong extends Module {
            private final Parameter w = zeros("W", 4, 3);

            Wrong() {
                super(backend);
            }

            @Override
            public Var forward(Tape tape, Var x) {
                return x.matmul(tape.parameter(w)).sum(1);
            }
        }
        Batch batch = Fixtures.batch(backend, new float[8], 2, 4, new int[] {0, 1}, null, 2);
        try (Model m = ExpressionModel.classifier(new Wrong(), 4, 3, ExpressionLoss.crossEntropy());
                Tensor losses = backend.allocate(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.lossAndGradients(batch, losses, 0));
            assertTrue(e.getMessage().contains("forward gave [2], expected [2, 3]"), e.getMessage());
        }
    }

    @Test
    void evaluatesLikeAnyModel() {
        Dataset all = Fixtures.blobs(300, 10, 3, 1.0, 0.5, 4);
        try (DeviceDataset d = all.upload(backend);
                DataLoader loader = new DataLoader(d, LoaderOptions.batches(25).withSeed(1));
                DataLoader eval = new DataLoader(d, LoaderOptions.batches(64).withShuffle(false));
                Model model = ExpressionModel.classifier(new Dense(backend, new int[] {10, 3}, zeros(10, 3), false),
                        10, 3, ExpressionLoss.crossEntropy());
                Optimizer opt = Optimizers.create("adam", AdamOptions.defaults().withLr(0.05), model.parameters());
                Trainer trainer = Trainer.builder(model, opt, loader).epochs(5).seed(1).build()) {
            trainer.run();
            double accuracy = new Evaluator(model, eval, dev.descent.dist.Communicator.single()).evaluate()
                    .accuracy();
            assertTrue(accuracy > 0.9, "accuracy " + accuracy);
        }
    }
}

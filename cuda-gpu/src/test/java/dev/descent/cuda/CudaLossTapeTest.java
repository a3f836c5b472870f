package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.loss.LossSpec;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The built-in models with a loss differentiated on an autodiff tape (Huber, cross-entropy with label smoothing and
 * class weights, weighted NLL) train on the CUDA backend: each batch shape's step, the loss tape included, is captured
 * once as a CUDA graph and replayed, bit for bit what running the steps directly gives, and the run agrees with the
 * CPU backend's within float rounding.
 */
class CudaLossTapeTest {
    private static final int EPOCHS = 3;

    private record Run(List<Double> losses, List<float[]> params) {
    }

    static Stream<ModelSpec> specs() {
        float[] w = new float[SoftmaxRegression.K];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5f + i * 0.25f;
        }
        int d = SoftmaxRegression.D;
        int k = SoftmaxRegression.K;
        return Stream.of(
                ModelSpec.builder("linear").inputs(d).loss(LossSpec.huber(0.5)).build(),
                ModelSpec.builder("linear").inputs(d).loss(LossSpec.smoothL1(2)).build(),
                ModelSpec.builder("mlp").inputs(d).hidden(16).classes(k).seed(11)
                        .loss(LossSpec.crossEntropy(0.1, w)).build(),
                ModelSpec.builder("softmax").inputs(d).classes(k).loss(LossSpec.nll(w)).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void theLossTapeIsCapturedReplayedAndAgreesWithTheCpu(ModelSpec spec) {
        Dataset data = dataset(spec.loss().usesClassLabels());
        Run direct;
        try (CudaBackend cuda = openWithGraphs("off")) {
            direct = train(cuda, data, spec);
            assertEquals(0, cuda.stepGraphs().captures());
        }
        Run graphed;
        try (CudaBackend cuda = CudaTests.open()) {
            StepGraphs sg = cuda.stepGraphs();
            graphed = train(cuda, data, spec);
            // 600 samples in batches of 64: 9 of 64 and one of 24 per epoch, a capture for each shape
            assertEquals(2, sg.captures(), "one capture per batch shape");
            assertEquals(EPOCHS * 10 - 4, sg.replays(), "every later step is one graph launch");
            assertEquals(0, sg.fallbacks());
        }
        assertEquals(direct.losses(), graphed.losses(), "every step's loss, bit for bit");
        for (int i = 0; i < direct.params().size(); i++) {
            assertArrayEquals(direct.params().get(i), graphed.params().get(i), "parameter " + i);
        }
        Run cpu;
        try (Backend b = Backends.select("cpu", BackendOptions.threads(2)).backend()) {
            cpu = train(b, data, spec);
        }
        for (int s = 0; s < cpu.losses().size(); s++) {
            double want = cpu.losses().get(s);
            double got = direct.losses().get(s);
            assertTrue(Math.abs(got - want) <= 1e-5 * Math.max(Math.abs(want), 1e-3), "step " + s + ": cuda " + got
                    + ", cpu " + want);
        }
    }

    private static Run train(Backend backend, Dataset data, ModelSpec spec) {
        try (DeviceDataset ds = data.upload(backend);
                DataLoader loader = new DataLoader(ds, LoaderOptions.batches(64).withShuffle(true).withSeed(5));
                Model model = spec.create(backend);
                Optimizer opt = Optimizers.builder("adam").set("lr", "0.01").build(model.parameters())) {
            List<Double> losses = new ArrayList<>();
            TrainingResult r;
            try (Trainer t = Trainer.builder(model, opt, loader).epochs(EPOCHS).lossReadInterval(4)
                    .listener(new TrainingListener() {
                        @Override
                        public void onBatch(int epoch, int step, int steps, long global, double loss) {
                            losses.add(loss);
                        }
                    }).build()) {
                r = t.run();
            }
            assertSame(TrainingResult.Status.COMPLETED, r.status(), r.message());
            List<float[]> params = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                params.add(backend.download(p.value()));
            }
            return new Run(losses, params);
        }
    }

    /** The synthetic classes of {@link SoftmaxRegression}, or a regression on them with outliers. */
    private static Dataset dataset(boolean classes) {
        SoftmaxRegression.Data d = SoftmaxRegression.Data.make(21, 1);
        if (classes) {
            return Dataset.classification("synthetic", d.x(), SoftmaxRegression.N, SoftmaxRegression.D, d.y(),
                    SoftmaxRegression.K);
        }
        float[] t = new float[SoftmaxRegression.N];
        for (int i = 0; i < t.length; i++) {
            t[i] = d.y()[i] * 0.5f + (i % 7 == 0 ? 9f : 0f);
        }
        return Dataset.regression("synthetic", d.x(), SoftmaxRegression.N, SoftmaxRegression.D, t, 1);
    }

    private static CudaBackend openWithGraphs(String value) {
        String old = System.getProperty("descent.cuda.graphs");
        System.setProperty("descent.cuda.graphs", value);
        try {
            return CudaTests.open();
        } finally {
            if (old == null) {
                System.clearProperty("descent.cuda.graphs");
            } else {
                System.setProperty("descent.cuda.graphs", old);
            }
        }
    }
}

package dev.descent.it.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.ExpressionModel;
import dev.descent.autodiff.Module;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.data.Scaling;
import dev.descent.data.io.DataOptions;
import dev.descent.data.io.DataSources;
import dev.descent.data.io.LoadedData;
import dev.descent.dist.Communicator;
import dev.descent.it.model.Fixtures;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue #20's real-data check: an MLP with tanh written by the user (the README's {@code TanhMlp}) trains on
 * Fashion-MNIST to the accuracy of the built-in MLP with ReLU: same widths, initialisation rule, optimizer, batches and
 * epochs. Debian's {@code dataset-fashion-mnist} provides the data (CI installs it; elsewhere the test is skipped
 * when the files are missing).
 */
class FashionMnistTanhMlpTest {
    private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");

    /** The README's user-written model, line for line. */
    static final class TanhMlp extends Module {
        private final Parameter w1, b1, w2, b2;

        TanhMlp(Backend backend, int inputs, int hidden, int classes, long seed) {
            super(backend);
            Random random = new Random(seed);
            w1 = uniform("W1", random, inputs, inputs, hidden);   // torch's nn.Linear initialisation
            b1 = uniform("b1", random, inputs, hidden);
            w2 = uniform("W2", random, hidden, hidden, classes);
            b2 = uniform("b2", random, hidden, classes);
        }

        @Override
        public Var forward(Tape tape, Var x) {
            Var h = x.matmul(tape.parameter(w1)).add(tape.parameter(b1)).tanh();
            return h.matmul(tape.parameter(w2)).add(tape.parameter(b2));
        }
    }

    @Test
    void tanhMlpWrittenByTheUserMatchesTheBuiltInReluMlp() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "Debian's dataset-fashion-mnist is not installed");
        LoadedData data = DataSources.load("fashion-mnist", DataOptions.defaults());
        Dataset trainSet = Scaling.UNIT.fit(data.train()).apply(data.train());
        Dataset testSet = Scaling.UNIT.fit(data.train()).apply(data.test());
        assertEquals(60_000, trainSet.samples());
        int epochs = 2;
        try (Backend backend = Fixtures.cpu(2);
                DeviceDataset train = trainSet.upload(backend);
                DeviceDataset test = testSet.upload(backend)) {
            ExpressionLoss crossEntropy = (logits, labels) -> logits.logSoftmax().pick(labels).mean().neg();
            double tanh;
            try (Model model = ExpressionModel.classifier(new TanhMlp(backend, 784, 128, 10, 1), 784, 10,
                    crossEntropy)) {
                tanh = trainAndEvaluate(model, train, test, epochs);
            }
            double relu;
            try (Model model = ModelSpec.builder("mlp").inputs(784).hidden(128).classes(10).seed(1).build()
                    .create(backend)) {
                relu = trainAndEvaluate(model, train, test, epochs);
            }
            System.out.printf("Fashion-MNIST, %d epochs, batch 64, Adam 1e-3: tanh MLP (expression) %.2f%%, "
                    + "ReLU MLP (built-in) %.2f%%%n", epochs, 100 * tanh, 100 * relu);
            assertTrue(relu > 0.82, "built-in ReLU MLP accuracy " + relu);
            assertTrue(Math.abs(tanh - relu) <= 0.02, "tanh " + tanh + " vs ReLU " + relu);
        }
    }

    private static double trainAndEvaluate(Model model, DeviceDataset train, DeviceDataset test, int epochs) {
        try (DataLoader batches = new DataLoader(train, LoaderOptions.batches(64).withSeed(7));
                DataLoader testBatches = new DataLoader(test, LoaderOptions.batches(1000).withShuffle(false));
                Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-3), model.parameters());
                Trainer trainer = Trainer.builder(model, adam, batches).epochs(epochs).seed(7).build()) {
            TrainingResult result = trainer.run();
            assertEquals(TrainingResult.Status.COMPLETED, result.status(), result.message());
            return new Evaluator(model, testBatches, Communicator.single()).evaluate().accuracy();
        }
    }
}

package dev.descent.it.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.model.LinearRegression;
import dev.descent.model.LogisticRegression;
import dev.descent.model.Mlp;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.model.ParameterFile;
import dev.descent.model.SoftmaxRegression;
import dev.descent.loss.Loss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Initialisation, parameter names, predictions, save/load and closing. */
class ModelLifecycleTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void lectureSoftmaxStartsAtZeroWithoutBias() {
        try (Model m = new SoftmaxRegression(backend, 784, 24)) {
            assertEquals(1, m.parameters().size());
            assertEquals("W", m.parameters().get(0).name());
            assertEquals(784, m.parameters().get(0).value().rows());
            assertEquals(24, m.parameters().get(0).value().cols());
            assertEquals(0f, backend.maxAbs(m.parameters().get(0).value()));
            assertEquals(784L * 24, m.parameterCount());
        }
    }

    @Test
    void mlpUsesTorchsInitialisationFromTheSeed() {
        try (Mlp a = new Mlp(backend, 784, new int[] {256, 128}, 10, 42L);
                Mlp b = new Mlp(backend, 784, new int[] {256, 128}, 10, 42L);
                Mlp c = new Mlp(backend, 784, new int[] {256, 128}, 10, 43L)) {
            assertEquals(List.of("layer1.W", "layer1.b", "layer2.W", "layer2.b", "layer3.W", "layer3.b"),
                    a.parameters().stream().map(p -> p.name()).toList());
            float[][] pa = Fixtures.parameterValues(a);
            assertArrayEquals(pa[0], Fixtures.parameterValues(b)[0], "same seed, same weights");
            assertFalse(java.util.Arrays.equals(pa[0], Fixtures.parameterValues(c)[0]), "another seed");
            int[] fanIn = {784, 784, 256, 256, 128, 128};
            for (int i = 0; i < pa.length; i++) {
                double bound = 1 / Math.sqrt(fanIn[i]);
                double sum = 0;
                double sq = 0;
                for (float v : pa[i]) {
                    assertTrue(Math.abs(v) <= (float) bound, a.parameters().get(i).name() + " value " + v);
                    sum += v;
                    sq += v * v;
                }
                int n = pa[i].length;
                // U(-b, b): mean 0, variance b^2/3
                assertEquals(0, sum / n, 4 * bound / Math.sqrt(3 * n), "mean of " + a.parameters().get(i).name());
                if (n > 1000) {
                    assertEquals(bound * bound / 3, sq / n, 0.05 * bound * bound, "variance");
                }
            }
        }
    }

    @Test
    void predictionsAreArgmaxOrLogitSign() {
        try (SoftmaxRegression soft = new SoftmaxRegression(backend, 2, 3);
                LogisticRegression log = new LogisticRegression(backend, 2);
                Tensor x = backend.upload(new float[] {1f, 0f, 0f, 1f, -1f, -1f, 0f, 0f}, 4, 2);
                Tensor pred = backend.allocateInt(4)) {
            // W = [[1, 0, -1], [0, 2, -1]]: row (1,0) -> logits (1,0,-1) -> 0; (0,1) -> (0,2,-1) -> 1;
            // (-1,-1) -> (-1,-2,2) -> 2; (0,0) -> all 0: the first maximum wins -> 0
            backend.upload(new float[] {1f, 0f, -1f, 0f, 2f, -1f}, 0, soft.parameters().get(0).value());
            soft.predict(x, pred);
            assertArrayEquals(new int[] {0, 1, 2, 0}, backend.downloadInt(pred));
            // w = (1, -1), b = 0: logits 1, -1, 0, 0 -> 1, 0, 0 (p = 1/2 is not > 1/2), 0
            backend.upload(new float[] {1f, -1f}, 0, log.parameters().get(0).value());
            log.predict(x, pred);
            assertArrayEquals(new int[] {1, 0, 0, 0}, backend.downloadInt(pred));
            try (LinearRegression lin = new LinearRegression(backend, 2, 1, Loss.MSE)) {
                assertThrows(IllegalStateException.class, () -> lin.predict(x, pred));
            }
        }
    }

    @Test
    void logisticRejectsALabelOutsideZeroOne() {
        try (LogisticRegression log = new LogisticRegression(backend, 2); Tensor loss = backend.allocate(1)) {
            Batch b = Fixtures.batch(backend, new float[] {1f, 2f, 3f, 4f}, 2, 2, new int[] {1, 2}, null, 2);
            assertThrows(RuntimeException.class, () -> log.lossAndGradients(b, loss, 0));
        }
    }

    @Test
    void shapeErrorsNameTheShapes() {
        try (Model m = new SoftmaxRegression(backend, 3, 2); Tensor loss = backend.allocate(1)) {
            Batch b = Fixtures.batch(backend, new float[8], 2, 4, new int[] {0, 1}, null, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.lossAndGradients(b, loss, 0));
            assertEquals("softmax model: features are [2, 4] F32, expected float32 [2, 3]", e.getMessage());
            Batch noLabels = Fixtures.batch(backend, new float[6], 2, 3, null, new float[2], 2);
            assertThrows(IllegalArgumentException.class, () -> m.lossAndGradients(noLabels, loss, 0));
        }
    }

    @Test
    void emptyShardGivesZeroGradients() {
        try (Model m = new Mlp(backend, 3, new int[] {4}, 2, 1L); Tensor loss = backend.allocate(1)) {
            m.parameters().forEach(p -> backend.fill(p.grad(), 5f));
            m.lossAndGradients(new Batch(null, null, null, 0, 8, 3), loss, 0);
            m.parameters().forEach(p -> assertEquals(0f, backend.maxAbs(p.grad())));
        }
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.builder("mlp").inputs(5).hidden(4).classes(3).seed(11).build();
        Path file = dir.resolve("m.params");
        try (Model a = spec.create(backend);
                Model b = ModelSpec.builder("mlp").inputs(5).hidden(4).classes(3).seed(12).build().create(backend)) {
            a.save(file);
            assertEquals(spec.describe(), ParameterFile.describe(file));
            b.load(file);
            float[][] pa = Fixtures.parameterValues(a);
            float[][] pb = Fixtures.parameterValues(b);
            for (int i = 0; i < pa.length; i++) {
                assertArrayEquals(pa[i], pb[i]);
            }
            try (Model other = ModelSpec.builder("mlp").inputs(5).hidden(6).classes(3).seed(1).build()
                    .create(backend)) {
                IOException e = assertThrows(IOException.class, () -> other.load(file));
                assertEquals(file + ": parameter 1 is 'layer1.W' [5, 4], the mlp 5-6-3, relu, bias, ce, init torch"
                        + " (seed 1) model has 'layer1.W' [5, 6]", e.getMessage());
            }
            byte[] data = Files.readAllBytes(file);
            data[40] ^= 1;
            Path bad = dir.resolve("bad.params");
            Files.write(bad, data);
            IOException e = assertThrows(IOException.class, () -> b.load(bad));
            assertEquals(bad + ": checksum mismatch, the model file is damaged", e.getMessage());
            e = assertThrows(IOException.class, () -> b.load(dir.resolve("none.params")));
            assertTrue(e.getMessage().endsWith("no such model file"));
        }
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary files are left behind");
        }
    }

    @Test
    void closeReleasesEverything() {
        Model m = new Mlp(backend, 3, new int[] {4}, 2, 1L);
        Tensor w = m.parameters().get(0).value();
        m.close();
        m.close();
        assertTrue(w.isClosed());
        assertThrows(IllegalStateException.class,
                () -> m.forward(backend.allocate(2, 3)));
    }
}

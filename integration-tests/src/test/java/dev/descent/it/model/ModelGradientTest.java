package dev.descent.it.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.loss.Loss;
import dev.descent.model.Init;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model's backward pass against central differences of an independent double-precision forward pass, on small
 * sizes, with a normalizer equal to the rows and larger (a data-parallel shard).
 */
class ModelGradientTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Stream<ModelSpec> specs() {
        return Stream.of(
                ModelSpec.builder("linear").inputs(5).outputs(1).init(Init.TORCH).seed(1).build(),
                ModelSpec.builder("linear").inputs(4).outputs(3).init(Init.TORCH).seed(2).loss(Loss.MAE).build(),
                ModelSpec.builder("linear").inputs(4).outputs(2).init(Init.TORCH).seed(3).bias(false).build(),
                ModelSpec.builder("logistic").inputs(6).init(Init.TORCH).seed(4).build(),
                ModelSpec.builder("softmax").inputs(5).classes(4).init(Init.TORCH).seed(5).build(),
                ModelSpec.builder("softmax").inputs(5).classes(3).init(Init.TORCH).seed(6).bias(true).build(),
                ModelSpec.builder("mlp").inputs(5).hidden(7).classes(3).seed(7).build(),
                ModelSpec.builder("mlp").inputs(6).hidden(8, 5).classes(4).seed(8).build(),
                ModelSpec.builder("mlp").inputs(4).hidden(6, 5, 4).classes(3).seed(9).bias(false).build());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void gradientsMatchCentralDifferences(ModelSpec spec) {
        for (int normalizer : new int[] {0, 4}) {
            check(spec, 9, normalizer, false);
        }
        if (spec.kind().equals("logistic")) {
            check(spec, 9, 0, true);
        }
    }

    private void check(ModelSpec spec, int rows, int extra, boolean floatTargets) {
        Random rnd = new Random(spec.seed() * 31 + rows);
        int d = spec.inputs();
        float[] x = new float[rows * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        int[] labels = null;
        float[] targets = null;
        if (spec.kind().equals("linear")) {
            targets = new float[rows * spec.outputs()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = (float) (rnd.nextGaussian() * 3);
            }
        } else if (floatTargets) {
            targets = new float[rows];
            for (int i = 0; i < rows; i++) {
                targets[i] = rnd.nextFloat();
            }
        } else {
            labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = rnd.nextInt(spec.classes());
            }
        }
        int normalizer = rows + extra;
        String what = spec.describe() + " /" + normalizer + (floatTargets ? " float targets" : "");
        try (Model model = spec.create(backend); Tensor lossOut = backend.allocate(2)) {
            Batch batch = Fixtures.batch(backend, x, rows, d, labels, targets, normalizer);
            // Fill the gradients with garbage first: a backward pass must overwrite, not accumulate.
            model.parameters().forEach(p -> backend.fill(p.grad(), 123f));
            model.lossAndGradients(batch, lossOut, 1);
            double[][] params = Fixtures.widen(Fixtures.parameterValues(model));
            float[][] grads = Fixtures.gradientValues(model);
            double ref = Fixtures.loss(spec.loss().fused(), Fixtures.forward(spec, params, x, rows), labels, targets,
                    normalizer);
            float got = backend.get(lossOut, 1);
            assertEquals(ref, got, 1e-5 * Math.max(1, Math.abs(ref)), what + " loss");

            for (int p = 0; p < params.length; p++) {
                for (int j = 0; j < params[p].length; j++) {
                    double keep = params[p][j];
                    double h = 1e-6;
                    params[p][j] = keep + h;
                    double up = Fixtures.loss(spec.loss().fused(), Fixtures.forward(spec, params, x, rows), labels,
                            targets, normalizer);
                    params[p][j] = keep - h;
                    double down = Fixtures.loss(spec.loss().fused(), Fixtures.forward(spec, params, x, rows), labels,
                            targets, normalizer);
                    params[p][j] = keep;
                    double fd = (up - down) / (2 * h);
                    assertEquals(fd, grads[p][j], 2e-5 + 2e-4 * Math.abs(fd),
                            what + " d/d " + model.parameters().get(p).name() + "[" + j + "]");
                }
            }

            // The loss-only pass gives the same value and returns the outputs of forward().
            Tensor out = model.loss(batch, lossOut, 0);
            assertEquals(got, backend.get(lossOut, 0), what + " loss()");
            assertSame(out, model.forward(batch.features()));
            try (Tensor mine = backend.allocate(rows, model.outputs())) {
                model.forward(batch.features(), mine);
                float[] a = backend.download(mine);
                float[] b = backend.download(out);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], what + " forward into a caller buffer");
                }
            }
            assertTrue(model.parameterCount() > 0);
        }
    }
}

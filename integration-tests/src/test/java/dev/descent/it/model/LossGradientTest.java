package dev.descent.it.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.loss.Loss;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every loss through the backend's fused kernel: its value against a double-precision reference and its gradient
 * against central differences of that reference, with a normalizer equal to the rows and larger (data-parallel).
 */
class LossGradientTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void valueAndGradientMatchTheReference(Loss loss) {
        Random rnd = new Random(loss.ordinal() + 11);
        for (int[] shape : new int[][] {{1, 1}, {5, 3}, {7, 4}, {33, 2}}) {
            int rows = shape[0];
            int cols = loss == Loss.CROSS_ENTROPY ? Math.max(2, shape[1]) : shape[1];
            for (int normalizer : new int[] {rows, rows + 5}) {
                check(loss, rows, cols, normalizer, rnd, 3.0);
            }
        }
    }

    /** Raw-scale inputs (logits in the thousands) stay finite and accurate: the kernels are stable. */
    @ParameterizedTest
    @EnumSource(value = Loss.class, names = {"CROSS_ENTROPY", "BINARY_CROSS_ENTROPY"})
    void stableOnHugeLogits(Loss loss) {
        check(loss, 6, loss == Loss.CROSS_ENTROPY ? 5 : 2, 6, new Random(3), 3000.0);
    }

    private void check(Loss loss, int rows, int cols, int normalizer, Random rnd, double scale) {
        float[] out = new float[rows * cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (rnd.nextGaussian() * scale);
        }
        int[] labels = new int[rows];
        float[] targets = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            labels[i] = rnd.nextInt(cols);
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = switch (loss) {
                case BINARY_CROSS_ENTROPY -> rnd.nextBoolean() ? rnd.nextFloat() : (float) rnd.nextInt(2);
                // keep |p - t| well away from 0 so that MAE is differentiable within the step
                case MAE -> out[i] + (rnd.nextBoolean() ? 1 : -1) * (0.1f + rnd.nextFloat());
                default -> (float) rnd.nextGaussian();
            };
        }
        try (Tensor o = backend.upload(out, rows, cols);
                Tensor l = backend.uploadInt(labels, rows);
                Tensor t = backend.upload(targets, rows, cols);
                Tensor g = backend.allocate(rows, cols);
                Tensor lossOut = backend.allocate(3)) {
            loss.compute(backend, o, l, t, g, normalizer, lossOut, 1);
            double[][] ref = new double[rows][cols];
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < cols; c++) {
                    ref[i][c] = out[i * cols + c];
                }
            }
            double expected = Fixtures.loss(loss, ref, labels, targets, normalizer);
            float got = backend.get(lossOut, 1);
            String what = loss + " " + rows + "x" + cols + " /" + normalizer;
            assertTrue(Float.isFinite(got), what);
            assertEquals(expected, got, 2e-6 * Math.max(1, Math.abs(expected)), what + " value");
            assertEquals(0f, backend.get(lossOut, 0), "only the requested element is written");
            float[] grad = backend.download(g);
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < cols; c++) {
                    double h = 1e-6 * Math.max(1, Math.abs(ref[i][c]));
                    double keep = ref[i][c];
                    ref[i][c] = keep + h;
                    double up = Fixtures.loss(loss, ref, labels, targets, normalizer);
                    ref[i][c] = keep - h;
                    double down = Fixtures.loss(loss, ref, labels, targets, normalizer);
                    ref[i][c] = keep;
                    double fd = (up - down) / (2 * h);
                    assertEquals(fd, grad[i * cols + c], 1e-6 + 1e-4 * Math.abs(fd),
                            what + " gradient [" + i + ", " + c + "]");
                }
            }
            // Without a gradient tensor only the loss is computed.
            loss.compute(backend, o, l, t, null, normalizer, lossOut, 2);
            assertEquals(got, backend.get(lossOut, 2), what + " loss without gradient");
        }
    }
}

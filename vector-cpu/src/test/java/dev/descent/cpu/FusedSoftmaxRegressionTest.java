package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.BackendOptions;
import dev.descent.backend.Tensor;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The fused {@link CpuBackend#linearSoftmaxCrossEntropy} against the calls it stands for, on the same backend: the
 * logits, the gradient, the weight and bias gradients and the loss must be bit-identical (see
 * {@link FusedSoftmaxRegression}), for both kernel twins and 1, 2 and 3 threads, on shapes where the fused pass runs
 * (checked), a chunk per thread or blocks shared by the threads — several reduction chunks with a partial last one, a
 * row count that is not a multiple of the 4-row tile, feature counts that split unevenly,
 * 8/16/24 classes and counts that are no whole number of vectors (10, 24 at 512 bits, 17, 47), with and without bias, the gradient written over the logits — and on shapes where it does not.
 */
class FusedSoftmaxRegressionTest {

    private static CpuBackend open(String twin, int threads) {
        BackendOptions options = BackendOptions.threads(threads);
        return twin.equals("scalar") ? new CpuBackend(options, ScalarKernels.INSTANCE) : new CpuBackend(options);
    }

    /** Everything the call writes, downloaded. */
    private record Out(float[] logits, float[] grad, float[] gradW, float[] gradB, float loss) {
    }

    private static Out run(CpuBackend be, boolean fusedCall, float[] x, float[] w, float[] b, int[] y, int n, int in,
            int k, boolean alias) {
        try (Tensor tx = be.upload(x, n, in);
                Tensor tw = be.upload(w, in, k);
                Tensor tb = b == null ? null : be.upload(b, k);
                Tensor ty = be.uploadInt(y, n);
                Tensor z = be.allocate(n, k);
                Tensor g0 = alias ? null : be.allocate(n, k);
                Tensor gw = be.allocate(in, k);
                Tensor gb = b == null ? null : be.allocate(k);
                Tensor loss = be.allocate(3)) {
            Tensor g = alias ? z : g0;
            be.fill(gw, Float.NaN); // old contents must not matter
            if (fusedCall) {
                be.linearSoftmaxCrossEntropy(tx, tw, tb, ty, z, g, gw, gb, n + 5, loss, 1);
            } else {
                be.gemm(false, false, 1f, tx, tw, 0f, z);
                if (tb != null) {
                    be.addRowVector(z, tb);
                }
                be.softmaxCrossEntropy(z, ty, g, n + 5, loss, 1);
                be.gemm(true, false, 1f, tx, g, 0f, gw);
                if (gb != null) {
                    be.columnSums(1f, g, 0f, gb);
                }
            }
            return new Out(alias ? null : be.download(z), be.download(g), be.download(gw),
                    gb == null ? null : be.download(gb), be.get(loss, 1));
        }
    }

    @ParameterizedTest(name = "{0}, {1} threads, n={2}, in={3}, classes={4} vector widths, bias={5}, grad over logits={6}")
    @CsvSource({
        "vector, 1, 7001, 50, 3, true, false",
        "vector, 2, 7001, 50, 3, true, false",
        "vector, 3, 13000, 33, 3, true, false",
        "vector, 2, 8200, 784, 3, true, false",
        "vector, 2, 7001, 50, 2, false, false",
        "vector, 2, 7001, 50, 1, true, true",
        "vector, 1, 130, 784, 3, true, false",
        "vector, 1, 70, 20, 3, false, false",
        "scalar, 1, 7001, 50, 3, true, false",
        "scalar, 2, 7001, 50, 3, true, true",
        "scalar, 3, 13000, 33, 2, false, false",
        "vector, 2, 3000, 50, 3, true, false",
        "vector, 2, 1024, 784, 3, true, false",
        "vector, 3, 5000, 33, 2, true, true",
        "vector, 2, 4100, 37, 1, false, false",
        "scalar, 2, 1100, 50, 3, true, false",
        "scalar, 3, 2049, 21, 3, true, false",
    })
    void fusedEqualsComposedBitForBit(String twin, int threads, int n, int in, int widths, boolean bias,
            boolean alias) {
        CpuBackend be = open(twin, threads);
        int k = widths * be.fusedSoftmaxRegression().lanes(); // 24 classes with 8 lanes, 12 with 4 (-Ddescent.vector.bits)
        Problem p = problem(n, in, k, bias);
        try (be) {
            assertTrue(fusedApplies(be, n, in, k), "the fused pass must run for this shape");
            Out composed = run(be, false, p.x, p.w, p.b, p.y, n, in, k, alias);
            Out fused = run(be, true, p.x, p.w, p.b, p.y, n, in, k, alias);
            assertSameBits(composed, fused, alias, bias);
        }
    }

    /**
     * Any class count up to three vectors takes the fused pass, whole vectors or not (Fashion-MNIST's 10 classes and
     * the lecture's 24 at every width): the panels are padded and each row's last vector is stored under a mask, so
     * nothing past the classes is written (G over the logits included), and the results are the composed calls' bits.
     */
    @ParameterizedTest(name = "{0}, {1} threads, n={2}, in={3}, classes={4}, bias={5}, grad over logits={6}")
    @CsvSource({
        "vector, 1, 3000, 784, 10, true, false",
        "vector, 2, 3000, 784, 10, true, true",
        "vector, 2, 7001, 50, 24, true, false",
        "vector, 1, 7001, 50, 24, false, true",
        "vector, 2, 1100, 37, 24, true, false",
        "vector, 3, 4100, 33, 2, true, false",
        "vector, 2, 4100, 33, 3, false, false",
        "vector, 2, 4100, 33, 17, true, true",
        "vector, 2, 5000, 21, 47, true, false",
        "vector, 1, 130, 784, 10, true, false",
        "scalar, 2, 3000, 50, 10, true, false",
        "scalar, 1, 2049, 21, 24, true, true",
    })
    void fusedForAnyClassCount(String twin, int threads, int n, int in, int k, boolean bias, boolean alias) {
        CpuBackend be = open(twin, threads);
        Problem p = problem(n, in, k, bias);
        try (be) {
            boolean fits = k <= 3 * be.fusedSoftmaxRegression().lanes();
            assertEquals(fits, fusedApplies(be, n, in, k), "the fused pass runs exactly when the classes fit 3 vectors");
            Out composed = run(be, false, p.x, p.w, p.b, p.y, n, in, k, alias);
            Out fused = run(be, true, p.x, p.w, p.b, p.y, n, in, k, alias);
            assertSameBits(composed, fused, alias, bias);
        }
    }

    /**
     * Each thread runs chunks alone until none is left to claim; the chunks still in progress are then shared from
     * their next block. Where that happens depends on timing, so force it after each of several block counts (every
     * chunk stops there): the results must not change.
     */
    @ParameterizedTest(name = "{0}, {1} threads, n={2}")
    @CsvSource({
        "vector, 2, 6844",  // 3 full chunks and a partial one of 700 rows
        "vector, 3, 10340", // 5 full chunks and 100 rows
        "vector, 2, 6144",  // 3 full chunks
        "vector, 2, 4096",  // 2 full chunks
        "vector, 2, 1500",  // one partial chunk: shared from its start
        "vector, 1, 6844",  // one thread: the shared blocks run on it alone
        "scalar, 2, 6844",
    })
    void whereAChunkChangesHandsChangesNothing(String twin, int threads, int n) {
        CpuBackend be = open(twin, threads);
        chunksChangingHands(be, n, 40, 3 * be.fusedSoftmaxRegression().lanes());
    }

    /** The same with 10 classes and whole vectors of features: the weight gradient is formed as ∂Wᵀ. */
    @ParameterizedTest(name = "{0}, {1} threads, n={2}")
    @CsvSource({
        "vector, 2, 6844",
        "vector, 3, 10340",
        "vector, 2, 1500",
        "vector, 1, 6844",
    })
    void whereAChunkChangesHandsChangesNothingForTheTransposedGradient(String twin, int threads, int n) {
        chunksChangingHands(open(twin, threads), n, 48, 10);
    }

    private void chunksChangingHands(CpuBackend be, int n, int in, int k) {
        Problem p = problem(n, in, k, true);
        try (be) {
            assertTrue(fusedApplies(be, n, in, k), "the fused pass must run for this shape");
            Out composed = run(be, false, p.x, p.w, p.b, p.y, n, in, k, false);
            for (int stop : new int[] {0, 1, 2, 7, 31, 32, 1000, -1}) {
                be.fusedSoftmaxRegression().stopAfterBlocks = stop;
                Out fused = run(be, true, p.x, p.w, p.b, p.y, n, in, k, false);
                assertSameBits(composed, fused, false, true);
            }
        }
    }

    private record Problem(float[] x, float[] w, float[] b, int[] y) {
    }

    /** Raw pixels 0–255 (as in the lecture), small weights, a bias if asked, labels in [0, k). */
    private static Problem problem(int n, int in, int k, boolean bias) {
        Random random = new Random(n * 31L + in * 7L + k);
        float[] x = new float[n * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(256);
        }
        float[] w = new float[in * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (random.nextFloat() - 0.5f) * 2e-3f;
        }
        float[] b = null;
        if (bias) {
            b = new float[k];
            for (int i = 0; i < k; i++) {
                b[i] = random.nextFloat() - 0.5f;
            }
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(k);
        }
        return new Problem(x, w, b, y);
    }

    private static void assertSameBits(Out composed, Out fused, boolean alias, boolean bias) {
        if (!alias) {
            assertArrayEquals(composed.logits(), fused.logits(), "logits");
        }
        assertArrayEquals(composed.grad(), fused.grad(), "gradient of the logits");
        assertArrayEquals(composed.gradW(), fused.gradW(), "weight gradient");
        if (bias) {
            assertArrayEquals(composed.gradB(), fused.gradB(), "bias gradient");
        }
        assertEquals(Float.floatToRawIntBits(composed.loss()), Float.floatToRawIntBits(fused.loss()),
                "loss " + composed.loss() + " vs " + fused.loss());
        assertTrue(Float.isFinite(fused.loss()) && fused.loss() > 0, "loss " + fused.loss());
    }

    @ParameterizedTest(name = "{0} threads, n={1}, in={2}, k={3}")
    @CsvSource({
        "2, 400, 50, 24",    // too few rows for the threads to share blocks: composed (finer GEMM splits)
        "1, 3000, 3000, 24", // features beyond one reduction chunk
        "1, 40, 50, 24",     // fewer rows than a block
    })
    void otherShapesTakeTheComposedCallsAndAgree(int threads, int n, int in, int k) {
        Random random = new Random(5);
        float[] x = new float[n * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] w = new float[in * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextFloat() - 0.5f;
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(k);
        }
        try (CpuBackend be = open("vector", threads)) {
            assertFalse(fusedApplies(be, n, in, k));
            Out composed = run(be, false, x, w, null, y, n, in, k, false);
            Out fused = run(be, true, x, w, null, y, n, in, k, false);
            assertArrayEquals(composed.gradW(), fused.gradW());
            assertEquals(composed.loss(), fused.loss());
        }
    }

    @Test
    void badInputIsRejectedWithTheOperationAndTheShapes() {
        CpuBackend be = open("vector", 1);
        int k = 3 * be.fusedSoftmaxRegression().lanes();
        try (be;
                Tensor x = be.allocate(100, 10);
                Tensor w = be.allocate(10, k);
                Tensor y = be.uploadInt(new int[100], 100);
                Tensor z = be.allocate(100, k);
                Tensor g = be.allocate(100, k);
                Tensor gw = be.allocate(10, k);
                Tensor wrong = be.allocate(11, k);
                Tensor loss = be.allocate(1)) {
            assertTrue(fusedApplies(be, 100, 10, k));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.linearSoftmaxCrossEntropy(x, wrong, null, y, z, g, gw, null, 100, loss, 0));
            assertTrue(e.getMessage().startsWith("linearSoftmaxCrossEntropy: shapes do not match: x [100, 10], w [11,"),
                    e.getMessage());
            int[] labels = new int[100];
            labels[57] = k;
            be.uploadInt(labels, 0, y);
            e = assertThrows(IllegalArgumentException.class,
                    () -> be.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw, null, 100, loss, 0));
            assertEquals("linearSoftmaxCrossEntropy: label " + k + " at row 57 is outside [0, " + k
                    + ") for logits [100, " + k + "]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> be.linearSoftmaxCrossEntropy(x, w, null, y, z, g, w, null, 100, loss, 0));
            assertTrue(e.getMessage().contains("must not be"), e.getMessage());
        }
    }

    private static boolean fusedApplies(CpuBackend be, int n, int in, int k) {
        return be.fusedSoftmaxRegression().applies(n, in, k);
    }
}

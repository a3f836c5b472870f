package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.backend.BackendOptions;
import dev.descent.backend.Tensor;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GEMM of the vector backend against the same driver running the scalar kernels: bit-identical by construction
 * (every element is one fma chain per fixed k chunk, see {@link Gemm}), for all transpose combinations, odd shapes,
 * alpha/beta, and the lecture's shapes; plus sampled entries of the lecture's shapes against a double reference.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GemmTest {
    private CpuBackend vector;
    private CpuBackend scalar;
    private final Random random = new Random(11);

    @BeforeAll
    void open() {
        vector = new CpuBackend(BackendOptions.threads(2));
        scalar = new CpuBackend(BackendOptions.threads(2), ScalarKernels.INSTANCE);
    }

    @AfterAll
    void close() {
        vector.close();
        scalar.close();
    }

    private float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextFloat() * 2 - 1;
        }
        return a;
    }

    /** Runs the same GEMM on both backends and returns the vector result after checking bit equality. */
    private float[] both(boolean ta, boolean tb, int m, int k, int n, float alpha, float beta, float[] a, float[] b,
            float[] c) {
        float[][] out = new float[2][];
        CpuBackend[] backends = {vector, scalar};
        for (int i = 0; i < 2; i++) {
            CpuBackend be = backends[i];
            try (Tensor at = ta ? be.upload(a, k, m) : be.upload(a, m, k);
                    Tensor bt = tb ? be.upload(b, n, k) : be.upload(b, k, n);
                    Tensor ct = be.upload(c, m, n)) {
                be.gemm(ta, tb, alpha, at, bt, beta, ct);
                out[i] = be.download(ct);
            }
        }
        String what = "gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " k=" + k + " n=" + n;
        for (int i = 0; i < out[0].length; i++) {
            if (Float.floatToIntBits(out[0][i]) != Float.floatToIntBits(out[1][i])) {
                fail(what + " element " + i + ": vector " + out[0][i] + ", scalar " + out[1][i]);
            }
        }
        return out[0];
    }

    @Test
    void vectorEqualsScalarOnOddShapes() {
        int[][] shapes = {{1, 1, 1}, {2, 3, 5}, {5, 17, 9}, {13, 31, 23}, {4, 8, 24}, {67, 65, 33}, {3, 300, 49},
            {130, 7, 70}, {9, 2049, 17}};
        for (int[] s : shapes) {
            for (int combo = 0; combo < 4; combo++) {
                boolean ta = (combo & 1) != 0;
                boolean tb = (combo & 2) != 0;
                int m = s[0];
                int k = s[1];
                int n = s[2];
                both(ta, tb, m, k, n, 1f, 0f, randn(m * k), randn(k * n), randn(m * n));
                both(ta, tb, m, k, n, -0.75f, 1.25f, randn(m * k), randn(k * n), randn(m * n));
            }
        }
    }

    @Test
    void squareSizes() {
        for (int size : new int[] {64, 256}) {
            both(false, false, size, size, size, 1f, 0f, randn(size * size), randn(size * size), new float[size
                    * size]);
            both(true, true, size, size, size, 0.5f, 0.5f, randn(size * size), randn(size * size), randn(size * size));
        }
    }

    /** The lecture's softmax-regression shapes: logits = X·W and the weight gradient X^T·G. */
    @Test
    void lectureShapes() {
        int rows = 27455;
        int features = 784;
        int classes = 24;
        float[] x = randn(rows * features);
        float[] w = randn(features * classes);
        float[] g = randn(rows * classes);
        float[] logits = both(false, false, rows, features, classes, 1f, 0f, x, w, new float[rows * classes]);
        checkSamples(x, false, w, logits, rows, features, classes);
        float[] gradW = both(true, false, features, rows, classes, 1f, 0f, x, g, new float[features * classes]);
        checkSamples(x, true, g, gradW, features, rows, classes);
        float[] xb = new float[16 * features];
        System.arraycopy(x, 0, xb, 0, xb.length);
        float[] small = both(false, false, 16, features, classes, 1f, 0f, xb, w, new float[16 * classes]);
        checkSamples(xb, false, w, small, 16, features, classes);
    }

    /**
     * The small-k transposed-A path (the minibatch weight gradient X^T·G, k = batch ≤ {@link Gemm#SMALL_K_T}) and the
     * large-k path just above the threshold, against the result definition written out independently: per element
     * one fma chain in k order from +0, then alpha and beta. Bit-exact, for both kernel twins and 1 or 2 threads;
     * covers n tails (not a multiple of the lane count), m not a multiple of the 4-row tile, and transposed B.
     */
    @Test
    void smallKTransposedAMatchesDefinition() {
        int[][] shapes = {{784, 8, 24}, {784, 16, 24}, {784, 64, 24}, {784, 16, 10}, {256, 64, 10}, {131, 5, 17},
            {77, 3, 33}, {9, 1, 1}, {70, 40, 256}, {45, Gemm.SMALL_K_T, 24}, {45, Gemm.SMALL_K_T + 1, 24}};
        matchesDefinition(true, shapes, new float[][] {{1f, 0f}, {-0.75f, 1.25f}, {2f, 0f}});
    }

    /**
     * The large-k transposed-A path (the weight gradient over a data set) across several reduction chunks of {@link
     * Gemm#ROW_CHUNK} rows, against the chunked definition written out independently: per chunk one fma chain from +0,
     * the chunk sums added in chunk order, then alpha and beta. Bit-exact, both twins, 1 and 2 threads.
     */
    @Test
    void largeKTransposedAMatchesChunkedDefinition() {
        int[][] shapes = {{45, 2 * Gemm.ROW_CHUNK + 37, 24}, {37, Gemm.ROW_CHUNK + 1, 10}, {20, 3 * Gemm.ROW_CHUNK, 8}};
        matchesDefinition(true, shapes, new float[][] {{1f, 0f}, {-0.75f, 1.25f}});
    }

    /** Plain A with k over {@link Gemm#K_CHUNK} (several feature chunks, their partials combined): bit-exact. */
    @Test
    void largeKPlainAMatchesChunkedDefinition() {
        int[][] shapes = {{20, Gemm.K_CHUNK + 37, 24}, {9, 2 * Gemm.K_CHUNK + 5, 10}};
        matchesDefinition(false, shapes, new float[][] {{1f, 0f}, {-0.75f, 1.25f}});
    }

    /**
     * Plain A with few rows (a minibatch forward pass: fewer row blocks than threads, so the work is split into column
     * blocks of strips, and op(B) packed strip by strip, n tails zero-padded) against the result definition, on 1 and
     * 2 threads and with both kernel twins: bit-exact.
     */
    @Test
    void plainAColumnBlocksMatchDefinition() {
        int[][] shapes = {{64, 784, 256}, {16, 784, 10}, {8, 784, 24}, {3, 300, 49}, {64, 256, 10}, {1, 40, 200},
            {65, 33, 100}};
        matchesDefinition(false, shapes, new float[][] {{1f, 0f}, {-0.75f, 1.25f}});
    }

    /**
     * A minibatch GEMM whose B is narrower than its strip (n not a multiple of the lanes) reads B in place, its last
     * row's spare lanes reaching into the tensor's slack ({@link CpuTensor#SLACK_FLOATS}). With NaN planted in B's and
     * A's slack and a sentinel in C's, every result must still equal the definition bit for bit (no spare lane is
     * stored) and C's slack must be untouched. Plain and transposed A, 1 and 2 threads, both kernel twins.
     */
    @Test
    void narrowBInPlacePoisonedSlackReachesNoResult() {
        int[][] shapes = {{16, 784, 24}, {16, 784, 10}, {8, 100, 23}, {64, 65, 24}, {13, 31, 40}, {1, 5, 3},
            {16, 33, 5}, {24, 16, 24}};
        for (int threads : new int[] {1, 2}) {
            for (boolean vectorKernels : new boolean[] {true, false}) {
                try (CpuBackend be = vectorKernels ? new CpuBackend(BackendOptions.threads(threads))
                        : new CpuBackend(BackendOptions.threads(threads), ScalarKernels.INSTANCE)) {
                    for (int[] s : shapes) {
                        for (boolean ta : new boolean[] {false, true}) {
                            int m = s[0];
                            int k = s[1];
                            int n = s[2];
                            float[] a = randn(m * k);
                            float[] b = randn(k * n);
                            try (Tensor at = ta ? be.upload(a, k, m) : be.upload(a, m, k);
                                    Tensor bt = be.upload(b, k, n);
                                    Tensor ct = be.allocate(m, n)) {
                                float[] af = ((CpuTensor) at).f;
                                float[] bf = ((CpuTensor) bt).f;
                                float[] cf = ((CpuTensor) ct).f;
                                java.util.Arrays.fill(af, m * k, af.length, Float.NaN);
                                java.util.Arrays.fill(bf, k * n, bf.length, Float.NaN);
                                java.util.Arrays.fill(cf, m * n, cf.length, 7f);
                                be.gemm(ta, false, 1f, at, bt, 0f, ct);
                                float[] aT = a;
                                if (!ta) {
                                    aT = new float[k * m];
                                    for (int i = 0; i < m; i++) {
                                        for (int kk = 0; kk < k; kk++) {
                                            aT[kk * m + i] = a[i * k + kk];
                                        }
                                    }
                                }
                                float[] want = definition(ta, aT, b, false, new float[m * n], m, k, n, 1f, 0f);
                                String what = (vectorKernels ? "vector" : "scalar") + " kernels, " + threads
                                        + " threads, gemm " + (ta ? "T" : "N") + "N m=" + m + " k=" + k + " n=" + n;
                                for (int i = 0; i < m * n; i++) {
                                    if (Float.floatToIntBits(cf[i]) != Float.floatToIntBits(want[i])) {
                                        fail(what + " element " + i + ": " + cf[i] + ", definition " + want[i]);
                                    }
                                }
                                for (int i = m * n; i < cf.length; i++) {
                                    assertEquals(7f, cf[i], what + ": slack float " + (i - m * n) + " of C written");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * For each shape {m, k, n}, both transpositions of B and each {alpha, beta}: the 2-thread result of both kernel
     * twins ({@link #both}) and a 1-thread backend's result equal {@link #definition} bit for bit.
     */
    private void matchesDefinition(boolean ta, int[][] shapes, float[][] alphaBetas) {
        try (CpuBackend single = new CpuBackend(BackendOptions.threads(1))) {
            for (int[] s : shapes) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                for (boolean tb : new boolean[] {false, true}) {
                    for (float[] ab : alphaBetas) {
                        float[] a = randn(k * m);
                        float[] b = randn(k * n);
                        float[] c = randn(m * n);
                        float[] got = both(ta, tb, m, k, n, ab[0], ab[1], a, b, c);
                        float[] at = a; // the definition reads A^T (k × m)
                        if (!ta) {
                            at = new float[k * m];
                            for (int i = 0; i < m; i++) {
                                for (int kk = 0; kk < k; kk++) {
                                    at[kk * m + i] = a[i * k + kk];
                                }
                            }
                        }
                        float[] want = definition(ta, at, b, tb, c, m, k, n, ab[0], ab[1]);
                        float[] one;
                        try (Tensor aT = ta ? single.upload(a, k, m) : single.upload(a, m, k);
                                Tensor bT = tb ? single.upload(b, n, k) : single.upload(b, k, n);
                                Tensor cT = single.upload(c, m, n)) {
                            single.gemm(ta, tb, ab[0], aT, bT, ab[1], cT);
                            one = single.download(cT);
                        }
                        String what = "gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " k=" + k + " n="
                                + n + " alpha=" + ab[0] + " beta=" + ab[1];
                        for (int i = 0; i < want.length; i++) {
                            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])
                                    || Float.floatToIntBits(one[i]) != Float.floatToIntBits(want[i])) {
                                fail(what + " element " + i + ": 2 threads " + got[i] + ", 1 thread " + one[i]
                                        + ", definition " + want[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * C = alpha·A^T·op(B) + beta·C (A^T given as k × m): per element one fma chain in k order over each reduction
     * chunk, the chunk sums added in order. The chunk is {@link Gemm#ROW_CHUNK} for a transposed A with k above {@link
     * Gemm#SMALL_K_T}, else {@link Gemm#K_CHUNK}.
     */
    private static float[] definition(boolean ta, float[] a, float[] b, boolean tb, float[] c, int m, int k, int n,
            float alpha, float beta) {
        int chunk = ta && k > Gemm.SMALL_K_T ? Gemm.ROW_CHUNK : Gemm.K_CHUNK;
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int k0 = 0; k0 < k; k0 += chunk) {
                    float part = 0f;
                    for (int kk = k0; kk < Math.min(k, k0 + chunk); kk++) {
                        part = Math.fma(a[kk * m + i], tb ? b[j * k + kk] : b[kk * n + j], part);
                    }
                    s = k0 == 0 ? part : s + part;
                }
                out[i * n + j] = beta == 0f ? alpha * s : alpha * s + beta * c[i * n + j];
            }
        }
        return out;
    }

    private void checkSamples(float[] a, boolean ta, float[] b, float[] c, int m, int k, int n) {
        for (int sample = 0; sample < 200; sample++) {
            int i = random.nextInt(m);
            int j = random.nextInt(n);
            double s = 0;
            double abs = 0;
            for (int kk = 0; kk < k; kk++) {
                double p = (ta ? a[kk * m + i] : a[i * k + kk]) * (double) b[kk * n + j];
                s += p;
                abs += Math.abs(p);
            }
            assertEquals(s, c[i * n + j], 1e-5 * abs + 1e-6,
                    "sample (" + i + "," + j + ") of " + m + "x" + n + " k=" + k);
        }
    }
}

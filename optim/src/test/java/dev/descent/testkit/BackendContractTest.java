package dev.descent.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendException;
import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract every {@link Backend} must meet. A backend module subclasses this and implements
 * {@link #createBackend()}; every operation is checked against an independent reference computed here in double
 * precision (never against the backend's own kernels), plus PARITY.md's update rules for the optimizer kernels.
 *
 * <p>One backend is created per test class and closed after it; tests that need more (foreign tensors, closing)
 * create and close their own. Tensors made through {@link #t} and friends are closed after each test.
 *
 * <p>Errors: a shape, dtype or argument error is an {@link IllegalArgumentException}; a tensor from another backend or
 * a closed tensor (or a closed backend) is an {@link IllegalArgumentException} or {@link IllegalStateException}. Every
 * backend refuses bad arguments with the messages of the shared checks ({@link OpChecks}; the {@code refuses...}
 * tests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContractTest {

    /** A new backend; each call must give an independent instance. */
    protected abstract Backend createBackend();

    protected Backend backend;
    private final List<Tensor> made = new ArrayList<>();
    private final Random random = new Random(20240611);

    @BeforeAll
    void openBackend() {
        backend = createBackend();
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    @AfterEach
    void closeTensors() {
        for (Tensor x : made) {
            x.close();
        }
        made.clear();
    }

    // ================================================================== helpers

    /** A float tensor holding data (rank 1 when one dimension is given). */
    protected Tensor t(float[] data, int... shape) {
        Tensor x = backend.upload(data, shape);
        made.add(x);
        return x;
    }

    protected Tensor ti(int[] data, int... shape) {
        Tensor x = backend.uploadInt(data, shape);
        made.add(x);
        return x;
    }

    protected Tensor zeros(int... shape) {
        Tensor x = backend.allocate(shape);
        made.add(x);
        return x;
    }

    protected float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    protected float[] uniform(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return a;
    }

    protected float[] get(Tensor x) {
        return backend.download(x);
    }

    /** Asserts that the call is rejected as a wrong argument or wrong state (foreign or closed tensors). */
    protected static void assertRejected(Executable call) {
        Throwable t = assertThrows(RuntimeException.class, call);
        assertTrue(t instanceof IllegalArgumentException || t instanceof IllegalStateException,
                () -> "expected IllegalArgumentException or IllegalStateException, got " + t);
    }

    /** Asserts an IllegalArgumentException whose message names the operation. */
    protected static void assertIae(String op, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(op),
                () -> "message should name '" + op + "': " + e.getMessage());
    }

    /**
     * Asserts that the backend refuses {@code call} exactly as the shared check {@code check} refuses the same
     * arguments: the same exception class and the same message ({@link OpChecks}, used by every backend).
     */
    protected static void assertRefusedAs(Executable check, Executable call) {
        RuntimeException want = assertThrows(RuntimeException.class, check, "the shared check must refuse this");
        RuntimeException got = assertThrows(RuntimeException.class, call);
        assertEquals(want.getClass(), got.getClass(), () -> "exception class; message: " + got.getMessage());
        assertEquals(want.getMessage(), got.getMessage());
    }

    protected static void assertClose(double want, double got, double tol, String what) {
        if (Double.isNaN(want)) {
            assertTrue(Double.isNaN(got), () -> what + ": want NaN, got " + got);
            return;
        }
        if (Double.isInfinite(want)) {
            assertEquals(want, got, what);
            return;
        }
        if (!(Math.abs(want - got) <= tol)) {
            fail(what + ": want " + want + ", got " + got + " (|diff| " + Math.abs(want - got) + " > tol " + tol
                    + ")");
        }
    }

    /** Elementwise, tolerance {@code rel·max(1, |want|)}. */
    protected static void assertAllClose(double[] want, float[] got, double rel, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertClose(want[i], got[i], rel * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
        }
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    // ================================================================== identity and memory

    @Test
    void describesItself() {
        assertFalse(backend.name().isBlank());
        assertFalse(backend.description().isBlank());
        assertTrue(backend.threads() >= 1);
        backend.synchronize();
    }

    @Test
    void allocateGivesZeroFilledTensorsOfTheRequestedShape() {
        Tensor a = zeros(7);
        assertEquals(DType.F32, a.dtype());
        assertEquals(7, a.rows());
        assertEquals(1, a.cols());
        assertEquals(7, a.size());
        assertArrayEquals(new int[] {7}, a.shape());
        assertArrayEquals(new float[7], get(a));
        assertFalse(a.isClosed());
        assertTrue(a.backend() == backend);

        Tensor b = zeros(3, 5);
        assertEquals(3, b.rows());
        assertEquals(5, b.cols());
        assertEquals(15, b.size());
        int[] shape = b.shape();
        assertArrayEquals(new int[] {3, 5}, shape);
        shape[0] = 99;
        assertArrayEquals(new int[] {3, 5}, b.shape(), "shape() must return a copy");
        assertArrayEquals(new float[15], get(b));

        Tensor c = backend.allocateInt(4, 2);
        made.add(c);
        assertEquals(DType.I32, c.dtype());
        assertArrayEquals(new int[8], backend.downloadInt(c));
    }

    @Test
    void badShapesAreRejected() {
        assertIae("allocate", () -> backend.allocate());
        assertIae("allocate", () -> backend.allocate(2, 3, 4));
        assertIae("allocate", () -> backend.allocate(-1));
        assertIae("allocate", () -> backend.allocate(3, -2));
        assertIae("allocateInt", () -> backend.allocateInt(1, 2, 3));
        assertIae("upload", () -> backend.upload(new float[5], 2, 3));
        assertIae("uploadInt", () -> backend.uploadInt(new int[5], 6));
    }

    @Test
    void uploadDownloadRoundTrips() {
        float[] data = randn(23);
        data[3] = Float.NaN;
        data[4] = Float.POSITIVE_INFINITY;
        data[5] = -0f;
        data[6] = Float.MIN_VALUE;
        Tensor x = t(data, 23);
        float[] back = get(x);
        for (int i = 0; i < data.length; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(back[i]), "bits of element " + i);
        }
        // Into an existing tensor, from an offset; out into an offset.
        float[] src = randn(40);
        Tensor y = zeros(4, 5);
        backend.upload(src, 7, y);
        float[] dst = new float[30];
        dst[0] = 42f;
        backend.download(y, dst, 3);
        assertEquals(42f, dst[0]);
        for (int i = 0; i < 20; i++) {
            assertEquals(src[7 + i], dst[3 + i]);
        }
        assertEquals(src[7 + 13], backend.get(y, 13));

        int[] ints = {5, -3, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 17};
        Tensor xi = ti(ints, 2, 3);
        assertArrayEquals(ints, backend.downloadInt(xi));
        Tensor yi = backend.allocateInt(3);
        made.add(yi);
        backend.uploadInt(ints, 2, yi);
        int[] out = new int[5];
        backend.downloadInt(yi, out, 1);
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 0}, out);
    }

    @Test
    void copyRangesAreChecked() {
        Tensor y = zeros(4);
        assertIae("upload", () -> backend.upload(new float[5], 2, y));
        assertIae("upload", () -> backend.upload(new float[5], -1, y));
        assertIae("download", () -> backend.download(y, new float[3], 0));
        assertIae("download", () -> backend.download(y, new float[6], 3));
        assertIae("get", () -> backend.get(y, 4));
        assertIae("get", () -> backend.get(y, -1));
        Tensor yi = backend.allocateInt(4);
        made.add(yi);
        assertIae("uploadInt", () -> backend.uploadInt(new int[3], 0, yi));
        assertIae("downloadInt", () -> backend.downloadInt(yi, new int[4], 1));
        // dtype
        assertIae("download", () -> backend.download(yi, new float[4], 0));
        assertIae("downloadInt", () -> backend.downloadInt(y, new int[4], 0));
        assertIae("upload", () -> backend.upload(new float[4], 0, yi));
    }

    @Test
    void closedTensorsAreRejected() {
        Tensor x = backend.upload(new float[] {1, 2, 3}, 3);
        Tensor y = zeros(3);
        x.close();
        assertTrue(x.isClosed());
        x.close(); // idempotent
        assertRejected(() -> backend.download(x));
        assertRejected(() -> backend.get(x, 0));
        assertRejected(() -> backend.axpy(1f, x, y));
        assertRejected(() -> backend.axpy(1f, y, x));
        assertRejected(() -> backend.scale(2f, x));
        assertRejected(() -> backend.sum(x));
        assertRejected(() -> backend.upload(new float[3], 0, x));
        assertArrayEquals(new float[3], get(y), "the live tensor is untouched");
    }

    @Test
    void foreignTensorsAreRejected() {
        try (Backend other = createBackend()) {
            Tensor foreign = other.upload(new float[] {1, 2, 3}, 3);
            Tensor mine = zeros(3);
            assertRejected(() -> backend.download(foreign));
            assertRejected(() -> backend.axpy(1f, foreign, mine));
            assertRejected(() -> backend.copy(foreign, mine));
            assertRejected(() -> backend.sum(foreign));
            assertRejected(() -> other.axpy(1f, mine, foreign));
            assertArrayEquals(new float[] {1, 2, 3}, other.download(foreign));
        }
        Tensor fake = new Tensor() {
            @Override
            public Backend backend() {
                return backend;
            }

            @Override
            public DType dtype() {
                return DType.F32;
            }

            @Override
            public int rows() {
                return 3;
            }

            @Override
            public int cols() {
                return 1;
            }

            @Override
            public int[] shape() {
                return new int[] {3};
            }

            @Override
            public boolean isClosed() {
                return false;
            }

            @Override
            public void close() {
            }
        };
        assertRejected(() -> backend.scale(2f, fake));
        assertRejected(() -> backend.copy(fake, zeros(3)));
    }

    @Test
    void closingTheBackendClosesItsTensors() {
        Backend other = createBackend();
        Tensor a = other.allocate(4);
        Tensor b = other.uploadInt(new int[] {1, 2}, 2);
        Tensor c = other.upload(new float[] {1, 2, 3, 4}, 2, 2);
        c.close();
        other.close();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertTrue(c.isClosed());
        other.close(); // idempotent
        a.close(); // idempotent after the backend closed it
        assertRejected(() -> other.allocate(3));
        assertRejected(() -> other.download(a));
    }

    // ================================================================== GEMM

    /** op(A)(i, kk) for A stored row-major, transposed when asked. */
    private static double opA(float[] a, boolean trans, int m, int k, int i, int kk) {
        return trans ? a[kk * m + i] : a[i * k + kk];
    }

    private static double opB(float[] b, boolean trans, int k, int n, int kk, int j) {
        return trans ? b[j * k + kk] : b[kk * n + j];
    }

    private void checkGemm(boolean ta, boolean tb, int m, int k, int n, float alpha, float beta, boolean nanInC) {
        float[] a = randn(m * k);
        float[] b = randn(k * n);
        float[] c = randn(m * n);
        if (nanInC) {
            java.util.Arrays.fill(c, Float.NaN);
        }
        Tensor ta0 = ta ? t(a, k, m) : t(a, m, k);
        Tensor tb0 = tb ? t(b, n, k) : t(b, k, n);
        Tensor tc = t(c, m, n);
        backend.gemm(ta, tb, alpha, ta0, tb0, beta, tc);
        float[] got = get(tc);
        String what = "gemm(" + (ta ? "T" : "N") + (tb ? "T" : "N") + ", m=" + m + ", k=" + k + ", n=" + n
                + ", alpha=" + alpha + ", beta=" + beta + ")";
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int kk = 0; kk < k; kk++) {
                    double p = opA(a, ta, m, k, i, kk) * opB(b, tb, k, n, kk, j);
                    s += p;
                    abs += Math.abs(p);
                }
                double want = alpha * s + (beta == 0 ? 0 : beta * (double) c[i * n + j]);
                double scale = Math.abs(alpha) * abs + (beta == 0 ? 0 : Math.abs(beta * c[i * n + j]));
                assertClose(want, got[i * n + j], 3e-7 * (k + 4) * scale + 1e-30, what + " at (" + i + "," + j
                        + ")");
            }
        }
    }

    @Test
    void gemmAllTransposeCombinationsAndOddSizes() {
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {2, 9, 1}, {1, 13, 24}, {17, 33, 9}, {65, 31, 130}, {5, 1, 40},
            {16, 784, 24}, {7, 40, 25}};
        for (int[] s : shapes) {
            for (int combo = 0; combo < 4; combo++) {
                checkGemm((combo & 1) != 0, (combo & 2) != 0, s[0], s[1], s[2], 1f, 0f, false);
            }
        }
    }

    @Test
    void gemmAlphaBeta() {
        for (int combo = 0; combo < 4; combo++) {
            boolean ta = (combo & 1) != 0;
            boolean tb = (combo & 2) != 0;
            checkGemm(ta, tb, 19, 23, 29, 1.5f, 0.5f, false);
            checkGemm(ta, tb, 8, 16, 24, -2f, 1f, false);
            checkGemm(ta, tb, 6, 10, 11, 0.25f, -1.5f, false);
            checkGemm(ta, tb, 9, 12, 13, 0.5f, 0f, true); // beta = 0 ignores NaN in C
            checkGemm(ta, tb, 9, 12, 13, 1f, 0f, true);
        }
    }

    @Test
    void gemmLongReductionsAndWideOutputs() {
        // k large enough to be split into several reduction chunks; m and n large enough for several blocks/strips.
        checkGemm(true, false, 30, 5000, 24, 1f, 0f, false);
        checkGemm(false, false, 70, 2100, 50, 1f, 0.5f, false);
        checkGemm(true, true, 11, 4099, 7, -0.5f, 0f, false);
        checkGemm(false, true, 131, 257, 67, 1f, 0f, false);
    }

    @Test
    void gemmRejectsBadShapesAndDtypes() {
        Tensor a = zeros(3, 4);
        Tensor b = zeros(4, 5);
        Tensor c = zeros(3, 5);
        backend.gemm(false, false, 1f, a, b, 0f, c);
        assertIae("gemm", () -> backend.gemm(true, false, 1f, a, b, 0f, c));
        assertIae("gemm", () -> backend.gemm(false, true, 1f, a, b, 0f, c));
        assertIae("gemm", () -> backend.gemm(false, false, 1f, a, b, 0f, zeros(5, 3)));
        assertIae("gemm", () -> backend.gemm(false, false, 1f, a, zeros(5, 5), 0f, c));
        Tensor ai = backend.allocateInt(3, 4);
        made.add(ai);
        assertIae("gemm", () -> backend.gemm(false, false, 1f, ai, b, 0f, c));
    }

    // ================================================================== elementwise

    @Test
    void axpyScaleMultiply() {
        for (int n : new int[] {1, 7, 33, 1000, 70001}) {
            float[] x = randn(n);
            float[] y = randn(n);
            Tensor tx = t(x, n);
            Tensor ty = t(y, n);
            backend.axpy(-1.75f, tx, ty);
            double[] want = new double[n];
            for (int i = 0; i < n; i++) {
                want[i] = -1.75 * x[i] + y[i];
            }
            float[] got = get(ty);
            for (int i = 0; i < n; i++) {
                assertClose(want[i], got[i], 1.2e-7 * (Math.abs(1.75 * x[i]) + Math.abs(y[i])), "axpy[" + i + "]");
            }
            backend.scale(0.3f, tx);
            float[] sx = get(tx);
            for (int i = 0; i < n; i++) {
                assertEquals(0.3f * x[i], sx[i], "scale[" + i + "]");
            }
            Tensor out = zeros(n);
            backend.multiply(t(x, n), t(y, n), out);
            float[] prod = get(out);
            for (int i = 0; i < n; i++) {
                assertEquals(x[i] * y[i], prod[i], "multiply[" + i + "]");
            }
            // out may alias an input
            Tensor a = t(x, n);
            backend.multiply(a, t(y, n), a);
            assertArrayEquals(prod, get(a));
        }
        assertIae("axpy", () -> backend.axpy(1f, zeros(3), zeros(4)));
        assertIae("multiply", () -> backend.multiply(zeros(3), zeros(3), zeros(2)));
        Tensor i3 = backend.allocateInt(3);
        made.add(i3);
        assertIae("scale", () -> backend.scale(2f, i3));
    }

    @Test
    void elementwiseOpsAcceptAnyShapeOfTheSameSize() {
        float[] x = randn(12);
        Tensor a = t(x, 3, 4);
        Tensor b = zeros(12);
        backend.axpy(1f, a, b);
        assertArrayEquals(x, get(b));
        Tensor c = zeros(4, 3);
        backend.copy(a, c);
        assertArrayEquals(x, get(c));
    }

    @Test
    void fillAndCopy() {
        Tensor x = zeros(2, 3);
        backend.fill(x, 2.5f);
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, get(x));
        Tensor xi = backend.allocateInt(3);
        made.add(xi);
        backend.fill(xi, 3.7f);
        assertArrayEquals(new int[] {3, 3, 3}, backend.downloadInt(xi));
        backend.fill(xi, -2.9f);
        assertArrayEquals(new int[] {-2, -2, -2}, backend.downloadInt(xi));

        float[] data = randn(6);
        Tensor y = zeros(6);
        backend.copy(t(data, 6), y);
        assertArrayEquals(data, get(y));
        Tensor yi = backend.allocateInt(3);
        made.add(yi);
        backend.copy(ti(new int[] {7, 8, 9}, 3), yi);
        assertArrayEquals(new int[] {7, 8, 9}, backend.downloadInt(yi));
        assertIae("copy", () -> backend.copy(zeros(3), yi));
        assertIae("copy", () -> backend.copy(zeros(3), zeros(4)));
    }

    @Test
    void clampKeepsNaN() {
        float[] x = {-5f, -1f, 0f, 0.5f, 1f, 3f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        Tensor tx = t(x, x.length);
        backend.clamp(tx, -1f, 1f);
        float[] got = get(tx);
        float[] want = {-1f, -1f, 0f, 0.5f, 1f, 1f, Float.NaN, -1f, 1f};
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], "clamp[" + i + "]");
        }
        float[] big = randn(100003);
        Tensor tb = t(big, big.length);
        backend.clamp(tb, -0.5f, 0.25f);
        float[] gb = get(tb);
        for (int i = 0; i < big.length; i++) {
            assertEquals(Math.min(Math.max(big[i], -0.5f), 0.25f), gb[i]);
        }
    }

    // ================================================================== reductions

    @Test
    void reductions() {
        for (int n : new int[] {1, 7, 64, 1000, 70001}) {
            float[] x = randn(n);
            float[] y = randn(n);
            double s = 0;
            double abs = 0;
            double d = 0;
            double dabs = 0;
            double q = 0;
            double mx = 0;
            for (int i = 0; i < n; i++) {
                s += x[i];
                abs += Math.abs(x[i]);
                d += (double) x[i] * y[i];
                dabs += Math.abs((double) x[i] * y[i]);
                q += (double) x[i] * x[i];
                mx = Math.max(mx, Math.abs(x[i]));
            }
            Tensor tx = t(x, n);
            Tensor ty = t(y, n);
            double tol = 1e-6; // float accumulation is allowed, with a sane error
            assertClose(s, backend.sum(tx), tol * abs + 1e-12, "sum n=" + n);
            assertClose(d, backend.dot(tx, ty), tol * dabs + 1e-12, "dot n=" + n);
            assertClose(q, backend.squaredNorm(tx), tol * q + 1e-12, "squaredNorm n=" + n);
            assertEquals((float) mx, backend.maxAbs(tx), "maxAbs n=" + n);
            assertTrue(backend.allFinite(tx));
        }
        assertIae("dot", () -> backend.dot(zeros(3), zeros(4)));
    }

    @Test
    void reductionsSeeNaNAndInfinity() {
        float[] x = randn(5000);
        x[4321] = -1e30f;
        Tensor tx = t(x, x.length);
        assertEquals(1e30f, backend.maxAbs(tx));
        x[4321] = Float.NaN;
        Tensor tn = t(x, x.length);
        assertTrue(Float.isNaN(backend.maxAbs(tn)));
        assertFalse(backend.allFinite(tn));
        assertTrue(Double.isNaN(backend.sum(tn)));
        x[4321] = Float.NEGATIVE_INFINITY;
        Tensor ti = t(x, x.length);
        assertFalse(backend.allFinite(ti));
        assertEquals(Float.POSITIVE_INFINITY, backend.maxAbs(ti));
        Tensor small = t(new float[] {1f, Float.POSITIVE_INFINITY, 2f}, 3);
        assertFalse(backend.allFinite(small));
        assertEquals(5f, backend.maxAbs(t(new float[] {-5f, 3f}, 2)));
    }

    @Test
    void sumsAreRepeatable() {
        float[] x = randn(70001);
        Tensor tx = t(x, x.length);
        double first = backend.sum(tx);
        for (int i = 0; i < 3; i++) {
            assertEquals(first, backend.sum(tx));
        }
    }

    // ================================================================== rows

    @Test
    void gatherRows() {
        int rows = 9;
        int cols = 5;
        float[] src = randn(rows * cols);
        int[] idx = {8, 0, 3, 3, 7, 1, 2};
        Tensor ts = t(src, rows, cols);
        Tensor tIdx = ti(idx, idx.length);
        Tensor dst = zeros(4, cols);
        backend.gatherRows(ts, tIdx, 2, dst);
        float[] got = get(dst);
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(src[idx[2 + r] * cols + c], got[r * cols + c]);
            }
        }
        // int32 rows (labels)
        int[] labels = {10, 11, 12, 13, 14, 15, 16, 17, 18};
        Tensor tl = ti(labels, rows);
        Tensor dl = backend.allocateInt(3);
        made.add(dl);
        backend.gatherRows(tl, tIdx, 0, dl);
        assertArrayEquals(new int[] {18, 10, 13}, backend.downloadInt(dl));
        // errors
        assertIae("gatherRows", () -> backend.gatherRows(ts, ti(new int[] {0, 9}, 2), 0, zeros(2, cols)));
        assertIae("gatherRows", () -> backend.gatherRows(ts, ti(new int[] {-1}, 1), 0, zeros(1, cols)));
        assertIae("gatherRows", () -> backend.gatherRows(ts, tIdx, 5, dst)); // 5 + 4 > 7
        assertIae("gatherRows", () -> backend.gatherRows(ts, tIdx, 0, zeros(2, cols + 1)));
        assertIae("gatherRows", () -> backend.gatherRows(ts, tIdx, 0, dl));
        assertIae("gatherRows", () -> backend.gatherRows(ts, t(new float[2], 2), 0, zeros(2, cols)));
    }

    @Test
    void gatherManyRows() {
        int rows = 3000;
        int cols = 41;
        float[] src = randn(rows * cols);
        int[] idx = new int[rows];
        for (int i = 0; i < rows; i++) {
            idx[i] = random.nextInt(rows);
        }
        Tensor dst = zeros(rows, cols);
        backend.gatherRows(t(src, rows, cols), ti(idx, rows), 0, dst);
        float[] got = get(dst);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(src[idx[r] * cols + c], got[r * cols + c]);
            }
        }
    }

    @Test
    void argmaxRowsFirstMaximumAndNaN() {
        float nan = Float.NaN;
        float ninf = Float.NEGATIVE_INFINITY;
        float[] x = {
            1, 3, 3, 2,        // tie: first wins -> 1
            5, 1, 1, 5,        // tie at ends -> 0
            0, nan, 9, nan,    // NaN counts as maximum: first NaN -> 1
            nan, 1, 2, 3,      // -> 0
            ninf, ninf, ninf, ninf, // all -inf -> 0
            -1, -2, -0.5f, -3, // -> 2
        };
        Tensor out = backend.allocateInt(6);
        made.add(out);
        backend.argmaxRows(t(x, 6, 4), out);
        assertArrayEquals(new int[] {1, 0, 1, 0, 0, 2}, backend.downloadInt(out));
        int n = 500;
        int k = 37;
        float[] big = randn(n * k);
        Tensor ob = backend.allocateInt(n);
        made.add(ob);
        backend.argmaxRows(t(big, n, k), ob);
        int[] got = backend.downloadInt(ob);
        for (int r = 0; r < n; r++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (big[r * k + j] > big[r * k + best]) {
                    best = j;
                }
            }
            assertEquals(best, got[r], "row " + r);
        }
        assertIae("argmaxRows", () -> backend.argmaxRows(t(x, 6, 4), zeros(6)));
        Tensor o5 = backend.allocateInt(5);
        made.add(o5);
        assertIae("argmaxRows", () -> backend.argmaxRows(t(x, 6, 4), o5));
    }

    @Test
    void addRowVectorAndColumnSums() {
        int rows = 301;
        int cols = 37;
        float[] x = randn(rows * cols);
        float[] bias = randn(cols);
        Tensor tx = t(x, rows, cols);
        backend.addRowVector(tx, t(bias, cols));
        float[] got = get(tx);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(x[r * cols + c] + bias[c], got[r * cols + c]);
            }
        }
        assertIae("addRowVector", () -> backend.addRowVector(tx, zeros(cols + 1)));

        float[] old = randn(cols);
        Tensor out = t(old, cols);
        backend.columnSums(0.5f, t(x, rows, cols), 2f, out);
        float[] cs = get(out);
        for (int c = 0; c < cols; c++) {
            double s = 0;
            double abs = 0;
            for (int r = 0; r < rows; r++) {
                s += x[r * cols + c];
                abs += Math.abs(x[r * cols + c]);
            }
            assertClose(0.5 * s + 2.0 * old[c], cs[c], 1e-6 * (abs + Math.abs(2 * old[c])) + 1e-7, "columnSums[" + c
                    + "]");
        }
        float[] nan = new float[cols];
        java.util.Arrays.fill(nan, Float.NaN);
        Tensor outNan = t(nan, 1, cols);
        backend.columnSums(1f, t(x, rows, cols), 0f, outNan);
        for (float v : get(outNan)) {
            assertFalse(Float.isNaN(v), "beta = 0 must ignore the old contents");
        }
        assertIae("columnSums", () -> backend.columnSums(1f, tx, 0f, zeros(cols - 1)));
    }

    // ================================================================== activations

    @Test
    void reluForwardAndBackward() {
        int n = 70003;
        float[] x = randn(n);
        x[0] = 0f;
        x[1] = -0f;
        Tensor tx = t(x, n);
        Tensor act = zeros(n);
        backend.relu(tx, act);
        float[] a = get(act);
        for (int i = 0; i < n; i++) {
            assertEquals(x[i] > 0 ? x[i] : 0f, a[i], 0f, "relu[" + i + "]");
        }
        float[] g = randn(n);
        Tensor tg = t(g, n);
        Tensor gin = zeros(n);
        backend.reluBackward(tg, act, gin);
        float[] gi = get(gin);
        for (int i = 0; i < n; i++) {
            assertEquals(a[i] > 0 ? g[i] : 0f, gi[i], 0f, "reluBackward[" + i + "]");
        }
        // in place
        backend.relu(tx, tx);
        assertArrayEquals(a, get(tx));
        backend.reluBackward(tg, act, tg);
        assertArrayEquals(gi, get(tg));
        assertIae("relu", () -> backend.relu(zeros(3), zeros(4)));
        assertIae("reluBackward", () -> backend.reluBackward(zeros(3), zeros(3), zeros(4)));
    }

    // ================================================================== losses

    /**
     * Reference softmax cross-entropy in double; returns the loss, fills grad. Public: the CPU kernels' tests check
     * against it too.
     */
    public static double refSoftmaxCe(float[] z, int[] y, int n, int k, int normalizer, double[] grad) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[r * k + j]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += Math.exp(z[r * k + j] - max);
            }
            double lse = max + Math.log(s);
            total += lse - z[r * k + y[r]];
            for (int j = 0; j < k; j++) {
                grad[r * k + j] = (Math.exp(z[r * k + j] - lse) - (j == y[r] ? 1 : 0)) / normalizer;
            }
        }
        return total / normalizer;
    }

    @Test
    void softmaxCrossEntropyValuesAndGradients() {
        for (int[] nk : new int[][] {{1, 1}, {1, 3}, {37, 10}, {5, 17}, {2000, 10}, {3, 100}}) {
            int n = nk[0];
            int k = nk[1];
            float[] z = randn(n * k);
            for (int i = 0; i < z.length; i++) {
                z[i] *= 3;
            }
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = random.nextInt(k);
            }
            int normalizer = n + 3;
            double[] wantGrad = new double[n * k];
            double want = refSoftmaxCe(z, y, n, k, normalizer, wantGrad);
            Tensor lossOut = t(new float[] {7f, 7f, 7f}, 3);
            Tensor grad = zeros(n, k);
            backend.softmaxCrossEntropy(t(z, n, k), ti(y, n), grad, normalizer, lossOut, 1);
            float[] lo = get(lossOut);
            assertEquals(7f, lo[0], "other loss slots untouched");
            assertEquals(7f, lo[2], "other loss slots untouched");
            assertClose(want, lo[1], 1e-5 * Math.max(1, Math.abs(want)), "CE loss n=" + n + " k=" + k);
            float[] g = get(grad);
            for (int i = 0; i < g.length; i++) {
                assertClose(wantGrad[i], g[i], 5e-6 / normalizer + 1e-6 * Math.abs(wantGrad[i]), "CE grad[" + i
                        + "] n=" + n + " k=" + k);
            }
            // without gradient
            Tensor lo2 = zeros(1);
            backend.softmaxCrossEntropy(t(z, n, k), ti(y, n), null, normalizer, lo2, 0);
            assertEquals(lo[1], backend.get(lo2, 0), 1e-6f * Math.max(1f, Math.abs(lo[1])));
        }
    }

    /**
     * The fused dense layer + softmax cross-entropy against a double-precision reference of the calls it stands for;
     * the shapes include a full-batch one with several GEMM reduction chunks (where the CPU backend fuses).
     */
    @Test
    void linearSoftmaxCrossEntropyMatchesTheComposedDefinition() {
        for (int[] shape : new int[][] {{37, 5, 10, 1}, {100, 17, 8, 0}, {130, 40, 24, 1}, {6200, 30, 24, 1}}) {
            int n = shape[0];
            int in = shape[1];
            int k = shape[2];
            boolean bias = shape[3] == 1;
            float[] x = uniform(n * in, 0, 4);
            float[] w = uniform(in * k, -0.3, 0.3);
            float[] b = bias ? uniform(k, -1, 1) : null;
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = random.nextInt(k);
            }
            float[] z = new float[n * k];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < k; j++) {
                    double s = bias ? b[j] : 0;
                    for (int i = 0; i < in; i++) {
                        s += (double) x[r * in + i] * w[i * k + j];
                    }
                    z[r * k + j] = (float) s;
                }
            }
            int normalizer = n + 1;
            double[] wantGrad = new double[n * k];
            double want = refSoftmaxCe(z, y, n, k, normalizer, wantGrad);
            Tensor logits = zeros(n, k);
            Tensor grad = zeros(n, k);
            Tensor gradW = t(uniform(in * k, -9, 9), in, k); // old contents must not matter
            Tensor gradB = bias ? t(uniform(k, -9, 9), k) : null;
            Tensor lossOut = t(new float[] {5f, 5f}, 2);
            backend.linearSoftmaxCrossEntropy(t(x, n, in), t(w, in, k), bias ? t(b, k) : null, ti(y, n), logits, grad,
                    gradW, gradB, normalizer, lossOut, 1);
            String what = " n=" + n + " in=" + in + " k=" + k;
            float[] lo = get(lossOut);
            assertEquals(5f, lo[0], "other loss slots untouched");
            assertClose(want, lo[1], 1e-5 * Math.max(1, Math.abs(want)), "loss" + what);
            float[] zGot = get(logits);
            for (int i = 0; i < z.length; i++) {
                assertClose(z[i], zGot[i], 1e-5 * (1 + Math.abs(z[i])), "logit " + i + what);
            }
            float[] g = get(grad);
            for (int i = 0; i < g.length; i++) {
                assertClose(wantGrad[i], g[i], 2e-5 / normalizer + 1e-4 * Math.abs(wantGrad[i]), "grad " + i + what);
            }
            float[] gw = get(gradW);
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    double scale = 0;
                    for (int r = 0; r < n; r++) {
                        s += x[r * in + i] * wantGrad[r * k + j];
                        scale += Math.abs(x[r * in + i] * wantGrad[r * k + j]);
                    }
                    assertClose(s, gw[i * k + j], 1e-4 * scale + 1e-7, "gradW[" + i + ", " + j + "]" + what);
                }
            }
            if (bias) {
                float[] gb = get(gradB);
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    double scale = 0;
                    for (int r = 0; r < n; r++) {
                        s += wantGrad[r * k + j];
                        scale += Math.abs(wantGrad[r * k + j]);
                    }
                    assertClose(s, gb[j], 1e-4 * scale + 1e-7, "gradB[" + j + "]" + what);
                }
            }
        }
    }

    @Test
    void linearSoftmaxCrossEntropyRejectsBadInput() {
        Tensor x = t(randn(12), 4, 3);
        Tensor w = t(randn(6), 3, 2);
        Tensor z = zeros(4, 2);
        Tensor g = zeros(4, 2);
        Tensor gw = zeros(3, 2);
        Tensor lo = zeros(1);
        Tensor y = ti(new int[] {0, 1, 2, 0}, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw, null, 4, lo, 0));
        assertTrue(e.getMessage().contains("label 2"), e.getMessage());
        Tensor y2 = ti(new int[] {0, 1, 1, 0}, 4);
        assertRejected(() -> backend.linearSoftmaxCrossEntropy(x, w, null, y2, z, g, zeros(2, 2), null, 4, lo, 0));
        assertRejected(() -> backend.linearSoftmaxCrossEntropy(x, w, t(new float[2], 2), y2, z, g, gw, null, 4, lo,
                0));
        assertRejected(() -> backend.linearSoftmaxCrossEntropy(x, w, null, y2, z, null, gw, null, 4, lo, 0));
    }

    @Test
    void softmaxCrossEntropyMatchesFiniteDifferences() {
        int n = 4;
        int k = 6;
        float[] z = randn(n * k);
        int[] y = {0, 5, 2, 2};
        Tensor tz = t(z, n, k);
        Tensor ty = ti(y, n);
        Tensor grad = zeros(n, k);
        Tensor lo = zeros(1);
        backend.softmaxCrossEntropy(tz, ty, grad, n, lo, 0);
        float[] g = get(grad);
        double h = 1e-2;
        for (int i = 0; i < n * k; i++) {
            float[] zp = z.clone();
            float[] zm = z.clone();
            zp[i] += (float) h;
            zm[i] -= (float) h;
            double fd = (lossOf(zp, y, n, k) - lossOf(zm, y, n, k)) / ((zp[i] - zm[i]));
            assertClose(fd, g[i], 2e-3, "CE finite difference at " + i);
        }
    }

    private double lossOf(float[] z, int[] y, int n, int k) {
        Tensor lo = zeros(1);
        backend.softmaxCrossEntropy(t(z, n, k), ti(y, n), null, n, lo, 0);
        return backend.get(lo, 0);
    }

    @Test
    void softmaxCrossEntropyIsStableWithHugeLogits() {
        float[] z = {1e4f, 0f, -1e4f, -1e4f, 1e4f, 0f, 3e4f, 3e4f, -3e4f};
        int[] y = {1, 1, 0};
        Tensor grad = zeros(3, 3);
        Tensor lo = zeros(1);
        backend.softmaxCrossEntropy(t(z, 3, 3), ti(y, 3), grad, 3, lo, 0);
        double[] wantGrad = new double[9];
        double want = refSoftmaxCe(z, y, 3, 3, 3, wantGrad);
        float loss = backend.get(lo, 0);
        assertTrue(Float.isFinite(loss), "loss must be finite, got " + loss);
        assertClose(want, loss, 1e-6 * want, "huge-logit CE");
        float[] g = get(grad);
        for (int i = 0; i < 9; i++) {
            assertTrue(Float.isFinite(g[i]));
            assertClose(wantGrad[i], g[i], 1e-6, "huge-logit CE grad[" + i + "]");
        }
    }

    @Test
    void softmaxCrossEntropyRejectsBadLabelsAndShapes() {
        Tensor z = t(randn(6), 2, 3);
        Tensor lo = zeros(2);
        assertIae("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(z, ti(new int[] {0, 3}, 2), null, 2, lo,
                0));
        assertIae("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(z, ti(new int[] {-1, 0}, 2), null, 2, lo,
                0));
        assertIae("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(z, ti(new int[] {0}, 1), null, 2, lo, 0));
        assertIae("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(z, ti(new int[] {0, 1}, 2), zeros(3, 2), 2,
                lo, 0));
        assertIae("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(z, ti(new int[] {0, 1}, 2), null, 2, lo,
                2));
        assertIae("softmaxCrossEntropy", () -> backend.softmaxCrossEntropy(z, t(new float[2], 2), null, 2, lo, 0));
    }

    @Test
    void sigmoidBinaryCrossEntropy() {
        for (int[] nc : new int[][] {{1, 1}, {13, 3}, {3000, 7}}) {
            int n = nc[0];
            int c = nc[1];
            float[] x = randn(n * c);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 4;
            }
            float[] tt = uniform(n * c, 0, 1);
            if (x.length > 4) {
                x[0] = 1e4f;
                x[1] = -1e4f;
                x[2] = 80f;
                x[3] = -80f;
                tt[0] = 0f;
                tt[1] = 1f;
            }
            int normalizer = n;
            double count = (double) normalizer * c;
            double total = 0;
            double[] wantGrad = new double[n * c];
            for (int i = 0; i < n * c; i++) {
                double xi = x[i];
                total += Math.max(xi, 0) - xi * tt[i] + Math.log1p(Math.exp(-Math.abs(xi)));
                wantGrad[i] = (1 / (1 + Math.exp(-xi)) - tt[i]) / count;
            }
            Tensor grad = zeros(n, c);
            Tensor lo = zeros(2);
            backend.sigmoidBinaryCrossEntropy(t(x, n, c), t(tt, n, c), grad, normalizer, lo, 1);
            float loss = backend.get(lo, 1);
            assertTrue(Float.isFinite(loss));
            assertClose(total / count, loss, 1e-5 * Math.max(1, total / count), "BCE loss");
            float[] g = get(grad);
            for (int i = 0; i < g.length; i++) {
                assertClose(wantGrad[i], g[i], 1e-6 / count + 1e-5 * Math.abs(wantGrad[i]), "BCE grad[" + i + "]");
            }
        }
        // finite differences
        float[] x = randn(6);
        float[] tt = uniform(6, 0, 1);
        Tensor grad = zeros(6);
        backend.sigmoidBinaryCrossEntropy(t(x, 6), t(tt, 6), grad, 6, zeros(1), 0);
        float[] g = get(grad);
        for (int i = 0; i < 6; i++) {
            float[] xp = x.clone();
            float[] xm = x.clone();
            xp[i] += 1e-2f;
            xm[i] -= 1e-2f;
            double fd = (bce(xp, tt) - bce(xm, tt)) / (xp[i] - xm[i]);
            assertClose(fd, g[i], 2e-3, "BCE finite difference at " + i);
        }
        assertIae("sigmoidBinaryCrossEntropy", () -> backend.sigmoidBinaryCrossEntropy(zeros(3), zeros(4), null, 3,
                zeros(1), 0));
        assertIae("sigmoidBinaryCrossEntropy", () -> backend.sigmoidBinaryCrossEntropy(zeros(3), zeros(3), null, 0,
                zeros(1), 0));
    }

    private double bce(float[] x, float[] tt) {
        Tensor lo = zeros(1);
        backend.sigmoidBinaryCrossEntropy(t(x, x.length), t(tt, tt.length), null, x.length, lo, 0);
        return backend.get(lo, 0);
    }

    @Test
    void meanSquaredAndAbsoluteError() {
        for (int[] nc : new int[][] {{1, 1}, {9, 2}, {5000, 3}}) {
            int n = nc[0];
            int c = nc[1];
            float[] p = randn(n * c);
            float[] tt = randn(n * c);
            if (p.length > 2) {
                tt[1] = p[1]; // equal: MAE gradient 0
            }
            int normalizer = 2 * n;
            double count = (double) normalizer * c;
            double se = 0;
            double ae = 0;
            for (int i = 0; i < p.length; i++) {
                double d = (double) p[i] - tt[i];
                se += d * d;
                ae += Math.abs(d);
            }
            Tensor grad = zeros(n, c);
            Tensor lo = zeros(1);
            backend.meanSquaredError(t(p, n, c), t(tt, n, c), grad, normalizer, lo, 0);
            assertClose(se / count, backend.get(lo, 0), 1e-5 * se / count + 1e-9, "MSE");
            float[] g = get(grad);
            for (int i = 0; i < g.length; i++) {
                double want = 2 * ((double) p[i] - tt[i]) / count;
                assertClose(want, g[i], 1e-6 * Math.abs(want) + 1e-12, "MSE grad[" + i + "]");
            }
            backend.meanAbsoluteError(t(p, n, c), t(tt, n, c), grad, normalizer, lo, 0);
            assertClose(ae / count, backend.get(lo, 0), 1e-5 * ae / count + 1e-9, "MAE");
            g = get(grad);
            for (int i = 0; i < g.length; i++) {
                double want = Math.signum((double) p[i] - tt[i]) / count;
                assertClose(want, g[i], 1e-6 * Math.abs(want), "MAE grad[" + i + "]");
            }
            if (p.length > 2) {
                assertEquals(0f, g[1], 0f, "MAE gradient where p == t");
            }
        }
        assertIae("meanSquaredError", () -> backend.meanSquaredError(zeros(2, 3), zeros(3, 2), null, 2, zeros(1),
                0));
        assertIae("meanAbsoluteError", () -> backend.meanAbsoluteError(zeros(3), zeros(3), zeros(2), 3, zeros(1),
                0));
    }

    // ================================================================== optimizers (PARITY.md, in double)

    private static final int STEPS = 6;
    private static final double OPT_TOL = 3e-6;

    /** A parameter and a sequence of gradients; the backend's trajectory is compared to a double reference. */
    private record Problem(float[] theta, float[][] grads) {
    }

    private Problem problem(int n) {
        float[][] grads = new float[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            grads[s] = randn(n);
            if (s == 0) {
                for (int i = 0; i < n; i++) {
                    grads[s][i] *= 5; // a large first gradient, so that AMSGrad's max matters later
                }
            }
        }
        return new Problem(randn(n), grads);
    }

    private void assertTrajectory(double[] want, Tensor param, String what) {
        float[] got = get(param);
        for (int i = 0; i < want.length; i++) {
            assertClose(want[i], got[i], OPT_TOL * Math.max(1, Math.abs(want[i])), what + " θ[" + i + "]");
        }
    }

    private void checkSgd(double lr, double mom, double damp, boolean nesterov, double wd, boolean maximize,
            boolean textbook, int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] buf = new double[n];
        Tensor p = t(pr.theta().clone(), n);
        Tensor b = mom != 0 ? zeros(n) : null;
        Tensor g = zeros(n);
        String what = "sgd(lr=" + lr + ", momentum=" + mom + ", dampening=" + damp + ", nesterov=" + nesterov
                + ", wd=" + wd + ", maximize=" + maximize + ", textbook=" + textbook + ", n=" + n + ")";
        for (int s = 0; s < STEPS; s++) {
            float[] grad = pr.grads()[s];
            backend.upload(grad, 0, g);
            boolean first = s == 0 && !textbook;
            backend.sgdUpdate(p, g, b, lr, mom, damp, nesterov, wd, maximize, first);
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                if (mom != 0) {
                    buf[i] = first ? gi : mom * buf[i] + (1 - damp) * gi;
                    gi = nesterov ? gi + mom * buf[i] : buf[i];
                }
                th[i] -= lr * gi;
            }
            assertTrajectory(th, p, what + " step " + (s + 1));
            assertArrayEquals(grad, get(g), "sgdUpdate must not modify grad");
        }
    }

    @Test
    void sgdAllOptions() {
        checkSgd(0.1, 0, 0, false, 0, false, false, 37);
        checkSgd(0.1, 0, 0, false, 0.01, true, false, 5);
        checkSgd(0.05, 0.9, 0, false, 0, false, false, 37);
        checkSgd(0.05, 0.9, 0.3, false, 0.001, false, false, 37);
        checkSgd(0.05, 0.9, 0, true, 0.01, true, false, 37);
        checkSgd(0.02, 0.8, 0.8, false, 0, false, true, 37); // the lecture's EMA momentum
        checkSgd(0.01, 0.9, 0, true, 0, false, false, 70001);
    }

    @Test
    void sgdRejectsBadArguments() {
        Tensor p = zeros(3);
        assertIae("sgdUpdate", () -> backend.sgdUpdate(p, zeros(4), null, 0.1, 0, 0, false, 0, false, false));
        assertIae("sgdUpdate", () -> backend.sgdUpdate(p, zeros(3), null, 0.1, 0.9, 0, false, 0, false, false));
        assertIae("sgdUpdate", () -> backend.sgdUpdate(p, zeros(3), zeros(2), 0.1, 0.9, 0, false, 0, false, false));
    }

    private void checkAdam(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean decoupled,
            boolean maximize, int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] m = new double[n];
        double[] v = new double[n];
        double[] vmax = new double[n];
        Tensor p = t(pr.theta().clone(), n);
        Tensor tm = zeros(n);
        Tensor tv = zeros(n);
        Tensor tmax = amsgrad ? zeros(n) : null;
        Tensor g = zeros(n);
        String what = (decoupled ? "adamw" : "adam") + "(lr=" + lr + ", betas=" + b1 + "/" + b2 + ", eps=" + eps
                + ", wd=" + wd + ", amsgrad=" + amsgrad + ", maximize=" + maximize + ", n=" + n + ")";
        for (int s = 0; s < STEPS; s++) {
            int step = s + 1;
            float[] grad = pr.grads()[s];
            backend.upload(grad, 0, g);
            backend.adamUpdate(p, g, tm, tv, tmax, lr, b1, b2, eps, wd, decoupled, maximize, step);
            double bc1 = 1 - Math.pow(b1, step);
            double bc2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (decoupled) {
                    th[i] *= 1 - lr * wd;
                } else if (wd != 0) {
                    gi += wd * th[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double vh = v[i];
                if (amsgrad) {
                    vmax[i] = Math.max(vmax[i], v[i]);
                    vh = vmax[i];
                }
                th[i] -= (lr / bc1) * m[i] / (Math.sqrt(vh) / Math.sqrt(bc2) + eps);
            }
            assertTrajectory(th, p, what + " step " + step);
            assertArrayEquals(grad, get(g), "adamUpdate must not modify grad");
        }
        assertAllClose(m, get(tm), 1e-5, what + " m");
        assertAllClose(v, get(tv), 1e-5, what + " v");
        if (amsgrad) {
            assertAllClose(vmax, get(tmax), 1e-5, what + " maxV");
        }
    }

    @Test
    void adamAndAdamWAllOptions() {
        checkAdam(1e-3, 0.9, 0.999, 1e-8, 0, false, false, false, 37);
        checkAdam(1e-2, 0.8, 0.99, 1e-6, 0.1, false, false, false, 37);
        checkAdam(1e-2, 0.8, 0.99, 1e-6, 0.1, true, false, true, 37);
        checkAdam(1e-3, 0.9, 0.999, 1e-8, 0.01, false, true, false, 37);
        checkAdam(1e-2, 0.9, 0.99, 1e-8, 0.1, true, true, true, 37);
        checkAdam(3e-3, 0.9, 0.999, 1e-8, 0, true, false, false, 70001);
    }

    @Test
    void amsgradKeepsTheMaximumOfTheRawSecondMoment() {
        int n = 4;
        Tensor p = zeros(n);
        Tensor g = t(new float[] {10, -10, 10, -10}, n);
        Tensor m = zeros(n);
        Tensor v = zeros(n);
        Tensor vmax = zeros(n);
        backend.adamUpdate(p, g, m, v, vmax, 1e-3, 0.9, 0.9, 1e-8, 0, false, false, 1);
        float[] afterFirst = get(vmax);
        backend.upload(new float[] {0.1f, 0.1f, 0.1f, 0.1f}, 0, g);
        backend.adamUpdate(p, g, m, v, vmax, 1e-3, 0.9, 0.9, 1e-8, 0, false, false, 2);
        float[] vv = get(v);
        float[] vm = get(vmax);
        for (int i = 0; i < n; i++) {
            assertTrue(vv[i] < afterFirst[i], "v decays");
            assertEquals(afterFirst[i], vm[i], "maxV keeps the larger raw v");
        }
    }

    @Test
    void adamRejectsBadArguments() {
        Tensor p = zeros(3);
        assertIae("adamUpdate", () -> backend.adamUpdate(p, zeros(3), zeros(3), zeros(2), null, 1e-3, 0.9, 0.999,
                1e-8, 0, false, false, 1));
        assertIae("adamUpdate", () -> backend.adamUpdate(p, zeros(3), zeros(3), zeros(3), null, 1e-3, 0.9, 0.999,
                1e-8, 0, false, false, 0));
        assertIae("adamUpdate", () -> backend.adamUpdate(p, zeros(3), zeros(3), zeros(3), zeros(4), 1e-3, 0.9, 0.999,
                1e-8, 0, false, false, 1));
    }

    private void checkRmsprop(double lr, double alpha, double eps, double wd, double mom, boolean centered,
            boolean maximize, int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] sq = new double[n];
        double[] ga = new double[n];
        double[] buf = new double[n];
        Tensor p = t(pr.theta().clone(), n);
        Tensor tsq = zeros(n);
        Tensor tga = centered ? zeros(n) : null;
        Tensor tb = mom > 0 ? zeros(n) : null;
        Tensor g = zeros(n);
        String what = "rmsprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ", wd=" + wd + ", momentum=" + mom
                + ", centered=" + centered + ", maximize=" + maximize + ", n=" + n + ")";
        for (int s = 0; s < STEPS; s++) {
            float[] grad = pr.grads()[s];
            backend.upload(grad, 0, g);
            backend.rmspropUpdate(p, g, tsq, tga, tb, lr, alpha, eps, wd, mom, maximize);
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
                double d;
                if (centered) {
                    ga[i] = alpha * ga[i] + (1 - alpha) * gi;
                    d = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
                } else {
                    d = Math.sqrt(sq[i]) + eps;
                }
                if (mom > 0) {
                    buf[i] = mom * buf[i] + gi / d;
                    th[i] -= lr * buf[i];
                } else {
                    th[i] -= lr * gi / d;
                }
            }
            // centered RMSprop divides by sqrt(v − ḡ²), which amplifies float rounding: looser tolerance.
            double[] want = th;
            float[] got = get(p);
            for (int i = 0; i < n; i++) {
                assertClose(want[i], got[i], (centered ? 3e-5 : OPT_TOL) * Math.max(1, Math.abs(want[i])),
                        what + " step " + (s + 1) + " θ[" + i + "]");
            }
            assertArrayEquals(grad, get(g), "rmspropUpdate must not modify grad");
        }
    }

    @Test
    void rmspropAllOptions() {
        checkRmsprop(1e-2, 0.99, 1e-8, 0, 0, false, false, 37);
        checkRmsprop(1e-2, 0.9, 1e-6, 0.1, 0.9, true, true, 37);
        checkRmsprop(1e-2, 0.9, 1e-6, 0, 0.5, false, false, 37);
        checkRmsprop(1e-2, 0.9, 1e-6, 0.01, 0, true, false, 37);
        checkRmsprop(1e-3, 0.99, 1e-8, 0, 0.9, false, false, 70001);
    }

    private void checkAdagrad(double lr, double lrDecay, double init, double eps, double wd, boolean maximize,
            int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] sum = new double[n];
        java.util.Arrays.fill(sum, init);
        Tensor p = t(pr.theta().clone(), n);
        Tensor ts = zeros(n);
        backend.fill(ts, (float) init);
        Tensor g = zeros(n);
        String what = "adagrad(lr=" + lr + ", lrDecay=" + lrDecay + ", init=" + init + ", eps=" + eps + ", wd=" + wd
                + ", maximize=" + maximize + ", n=" + n + ")";
        for (int s = 0; s < STEPS; s++) {
            int step = s + 1;
            float[] grad = pr.grads()[s];
            backend.upload(grad, 0, g);
            double clr = lr / (1 + (step - 1) * lrDecay);
            backend.adagradUpdate(p, g, ts, clr, eps, wd, maximize);
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                sum[i] += gi * gi;
                th[i] -= clr * gi / (Math.sqrt(sum[i]) + eps);
            }
            assertTrajectory(th, p, what + " step " + step);
            assertArrayEquals(grad, get(g), "adagradUpdate must not modify grad");
        }
        assertAllClose(sum, get(ts), 1e-5, what + " sum");
    }

    @Test
    void adagradAllOptions() {
        checkAdagrad(1e-2, 0, 0, 1e-10, 0, false, 37);
        checkAdagrad(1e-1, 0.01, 0.1, 1e-6, 0.1, true, 37);
        checkAdagrad(5e-2, 0.5, 0, 1e-10, 0, false, 70001);
    }

    @Test
    void optimizerUpdatesRejectMismatchedState() {
        Tensor p = zeros(5);
        assertIae("rmspropUpdate", () -> backend.rmspropUpdate(p, zeros(5), zeros(4), null, null, 1e-2, 0.99, 1e-8,
                0, 0, false));
        assertIae("rmspropUpdate", () -> backend.rmspropUpdate(p, zeros(5), zeros(5), null, null, 1e-2, 0.99, 1e-8,
                0, 0.9, false));
        assertIae("adagradUpdate", () -> backend.adagradUpdate(p, zeros(5), zeros(6), 1e-2, 1e-10, 0, false));
        Tensor pi = backend.allocateInt(5);
        made.add(pi);
        assertIae("adagradUpdate", () -> backend.adagradUpdate(pi, zeros(5), zeros(5), 1e-2, 1e-10, 0, false));
    }

    // ------------------------------------------------------------------ nadam, radam, adamax, adadelta

    /** {@code steps} gradients of {@code n} elements, the first five times larger (so that Adamax's max matters). */
    private float[][] gradients(int n, int steps) {
        float[][] grads = new float[steps][];
        for (int s = 0; s < steps; s++) {
            grads[s] = randn(n);
            if (s == 0) {
                for (int i = 0; i < n; i++) {
                    grads[s][i] *= 5;
                }
            }
        }
        return grads;
    }

    private void checkNadam(double lr, double b1, double b2, double eps, double wd, double psi, boolean maximize,
            int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] m = new double[n];
        double[] v = new double[n];
        Tensor p = t(pr.theta().clone(), n);
        Tensor tm = zeros(n);
        Tensor tv = zeros(n);
        Tensor g = zeros(n);
        String what = "nadam(lr=" + lr + ", betas=" + b1 + "/" + b2 + ", eps=" + eps + ", wd=" + wd
                + ", momentum_decay=" + psi + ", maximize=" + maximize + ", n=" + n + ")";
        double product = 1;
        for (int s = 0; s < STEPS; s++) {
            int step = s + 1;
            float[] grad = pr.grads()[s];
            double mu = b1 * (1 - 0.5 * Math.pow(0.96, step * psi));
            double muNext = b1 * (1 - 0.5 * Math.pow(0.96, (step + 1) * psi));
            product *= mu;
            double s1 = lr * (1 - mu) / (1 - product);
            double s2 = lr * muNext / (1 - product * muNext);
            backend.upload(grad, 0, g);
            backend.nadamUpdate(p, g, tm, tv, s1, s2, b1, b2, eps, wd, maximize, step);
            double bc2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double d = Math.sqrt(v[i] / bc2) + eps;
                th[i] -= s1 * gi / d + s2 * m[i] / d;
            }
            assertTrajectory(th, p, what + " step " + step);
            assertArrayEquals(grad, get(g), "nadamUpdate must not modify grad");
        }
        assertAllClose(m, get(tm), 1e-5, what + " m");
        assertAllClose(v, get(tv), 1e-5, what + " v");
    }

    @Test
    void nadamAllOptions() {
        checkNadam(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3, false, 37);
        checkNadam(1e-2, 0.8, 0.99, 1e-6, 0.1, 0.01, true, 37);
        checkNadam(1e-2, 0, 0.9, 1e-8, 0, 4e-3, false, 5);
        checkNadam(3e-3, 0.9, 0.999, 1e-8, 0.01, 4e-3, false, 70001);
    }

    private void checkRadam(double lr, double b1, double b2, double eps, double wd, boolean maximize, int n,
            int steps, boolean expectAdapted) {
        float[] theta = randn(n);
        float[][] grads = gradients(n, steps);
        double[] th = toDouble(theta);
        double[] m = new double[n];
        double[] v = new double[n];
        Tensor p = t(theta.clone(), n);
        Tensor tm = zeros(n);
        Tensor tv = zeros(n);
        Tensor g = zeros(n);
        String what = "radam(lr=" + lr + ", betas=" + b1 + "/" + b2 + ", eps=" + eps + ", wd=" + wd + ", maximize="
                + maximize + ", n=" + n + ")";
        boolean adapted = false;
        boolean unadapted = false;
        for (int s = 0; s < steps; s++) {
            int step = s + 1;
            float[] grad = grads[s];
            backend.upload(grad, 0, g);
            backend.radamUpdate(p, g, tm, tv, lr, b1, b2, eps, wd, maximize, step);
            double bc1 = 1 - Math.pow(b1, step);
            double bc2 = 1 - Math.pow(b2, step);
            double rhoInf = 2 / (1 - b2) - 1;
            double rho = rhoInf - 2 * step * Math.pow(b2, step) / bc2;
            double rect = rho > 5 ? Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho))
                    : Double.NaN;
            adapted |= rho > 5;
            unadapted |= rho <= 5;
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mh = m[i] / bc1;
                th[i] -= rho > 5 ? mh * lr * Math.sqrt(bc2) / (Math.sqrt(v[i]) + eps) * rect : mh * lr;
            }
            assertTrajectory(th, p, what + " step " + step);
            assertArrayEquals(grad, get(g), "radamUpdate must not modify grad");
        }
        assertEquals(expectAdapted, adapted, what + ": some step has ρ_t > 5");
        assertTrue(unadapted, what + ": the first steps are un-adapted");
        assertAllClose(m, get(tm), 1e-5, what + " m");
        assertAllClose(v, get(tv), 1e-5, what + " v");
    }

    @Test
    void radamBothBranches() {
        checkRadam(1e-3, 0.9, 0.999, 1e-8, 0, false, 37, 12, true); // ρ_t > 5 from step 6
        checkRadam(1e-2, 0.8, 0.9, 1e-6, 0.1, true, 37, 12, true);
        checkRadam(1e-2, 0.9, 0.5, 1e-8, 0, false, 5, 8, false); // ρ∞ = 3: never adapted
        checkRadam(3e-3, 0.9, 0.99, 1e-8, 0.01, false, 70001, 8, true);
    }

    private void checkAdamax(double lr, double b1, double b2, double eps, double wd, boolean maximize, int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] m = new double[n];
        double[] u = new double[n];
        Tensor p = t(pr.theta().clone(), n);
        Tensor tm = zeros(n);
        Tensor tu = zeros(n);
        Tensor g = zeros(n);
        String what = "adamax(lr=" + lr + ", betas=" + b1 + "/" + b2 + ", eps=" + eps + ", wd=" + wd + ", maximize="
                + maximize + ", n=" + n + ")";
        for (int s = 0; s < STEPS; s++) {
            int step = s + 1;
            float[] grad = pr.grads()[s];
            backend.upload(grad, 0, g);
            backend.adamaxUpdate(p, g, tm, tu, lr, b1, b2, eps, wd, maximize, step);
            double clr = lr / (1 - Math.pow(b1, step));
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * gi;
                u[i] = Math.max(b2 * u[i], Math.abs(gi) + eps);
                th[i] -= clr * m[i] / u[i];
            }
            assertTrajectory(th, p, what + " step " + step);
            assertArrayEquals(grad, get(g), "adamaxUpdate must not modify grad");
        }
        assertAllClose(m, get(tm), 1e-5, what + " m");
        assertAllClose(u, get(tu), 1e-5, what + " u");
    }

    @Test
    void adamaxAllOptions() {
        checkAdamax(2e-3, 0.9, 0.999, 1e-8, 0, false, 37);
        checkAdamax(1e-2, 0.8, 0.5, 1e-3, 0.1, true, 37); // β2 0.5: the new |g| + ε often wins the max
        checkAdamax(1e-2, 0, 0, 1e-8, 0, false, 5);
        checkAdamax(3e-3, 0.9, 0.999, 1e-8, 0.01, false, 70001);
    }

    @Test
    void adamaxInfinityNormPropagatesNaN() {
        Tensor p = t(new float[] {1, 1, 1}, 3);
        Tensor g = t(new float[] {Float.NaN, 1, 2}, 3);
        Tensor m = zeros(3);
        Tensor u = t(new float[] {0, Float.NaN, 10}, 3);
        backend.adamaxUpdate(p, g, m, u, 1e-3, 0.9, 0.5, 1e-8, 0, false, 1);
        float[] uu = get(u);
        assertTrue(Float.isNaN(uu[0]), "NaN gradient");
        assertTrue(Float.isNaN(uu[1]), "NaN state");
        assertEquals(5f, uu[2], "β2·u wins");
    }

    private void checkAdadelta(double lr, double rho, double eps, double wd, boolean maximize, int n) {
        Problem pr = problem(n);
        double[] th = toDouble(pr.theta());
        double[] sq = new double[n];
        double[] acc = new double[n];
        Tensor p = t(pr.theta().clone(), n);
        Tensor tsq = zeros(n);
        Tensor tacc = zeros(n);
        Tensor g = zeros(n);
        String what = "adadelta(lr=" + lr + ", rho=" + rho + ", eps=" + eps + ", wd=" + wd + ", maximize=" + maximize
                + ", n=" + n + ")";
        for (int s = 0; s < STEPS; s++) {
            float[] grad = pr.grads()[s];
            backend.upload(grad, 0, g);
            backend.adadeltaUpdate(p, g, tsq, tacc, lr, rho, eps, wd, maximize);
            for (int i = 0; i < n; i++) {
                double gi = maximize ? -grad[i] : grad[i];
                if (wd != 0) {
                    gi += wd * th[i];
                }
                sq[i] = rho * sq[i] + (1 - rho) * gi * gi;
                double delta = Math.sqrt(acc[i] + eps) / Math.sqrt(sq[i] + eps) * gi;
                acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
                th[i] -= lr * delta;
            }
            assertTrajectory(th, p, what + " step " + (s + 1));
            assertArrayEquals(grad, get(g), "adadeltaUpdate must not modify grad");
        }
        assertAllClose(sq, get(tsq), 1e-5, what + " square_avg");
        assertAllClose(acc, get(tacc), 1e-5, what + " acc_delta");
    }

    @Test
    void adadeltaAllOptions() {
        checkAdadelta(1.0, 0.9, 1e-6, 0, false, 37);
        checkAdadelta(0.5, 0.8, 1e-4, 0.1, true, 37);
        checkAdadelta(1.0, 1.0, 1e-6, 0, false, 5); // ρ = 1: the averages never move, Δ = g
        checkAdadelta(2.0, 0.95, 1e-6, 0.01, false, 70001);
    }

    @Test
    void nadamRadamAdamaxAdadeltaRejectBadArguments() {
        Tensor p = zeros(3);
        Tensor g = zeros(3);
        Tensor a = zeros(3);
        Tensor b = zeros(3);
        Tensor shorter = zeros(2);
        assertIae("nadamUpdate", () -> backend.nadamUpdate(p, g, a, shorter, 1e-3, 1e-3, 0.9, 0.999, 1e-8, 0, false,
                1));
        assertIae("nadamUpdate", () -> backend.nadamUpdate(p, shorter, a, b, 1e-3, 1e-3, 0.9, 0.999, 1e-8, 0, false,
                1));
        assertIae("radamUpdate", () -> backend.radamUpdate(p, g, shorter, b, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1));
        assertIae("adamaxUpdate", () -> backend.adamaxUpdate(p, g, a, shorter, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1));
        assertIae("adadeltaUpdate", () -> backend.adadeltaUpdate(p, g, shorter, b, 1, 0.9, 1e-6, 0, false));
        assertIae("adadeltaUpdate", () -> backend.adadeltaUpdate(p, g, a, shorter, 1, 0.9, 1e-6, 0, false));
        Tensor pi = backend.allocateInt(3);
        made.add(pi);
        assertIae("adadeltaUpdate", () -> backend.adadeltaUpdate(pi, g, a, b, 1, 0.9, 1e-6, 0, false));
        // the scalars: every backend refuses them as the shared checks do
        assertRefusedAs(() -> OpChecks.nadam(1e-3, 1e-3, 0.9, 0.999, 1e-8, 0, 0),
                () -> backend.nadamUpdate(p, g, a, b, 1e-3, 1e-3, 0.9, 0.999, 1e-8, 0, false, 0));
        assertRefusedAs(() -> OpChecks.nadam(Double.NaN, 1e-3, 0.9, 0.999, 1e-8, 0, 1),
                () -> backend.nadamUpdate(p, g, a, b, Double.NaN, 1e-3, 0.9, 0.999, 1e-8, 0, false, 1));
        assertRefusedAs(() -> OpChecks.radam(1e-3, 1, 0.999, 1e-8, 0, 1),
                () -> backend.radamUpdate(p, g, a, b, 1e-3, 1, 0.999, 1e-8, 0, false, 1));
        assertRefusedAs(() -> OpChecks.radam(1e-3, 0.9, 0.999, 1e-8, 0, 0),
                () -> backend.radamUpdate(p, g, a, b, 1e-3, 0.9, 0.999, 1e-8, 0, false, 0));
        assertRefusedAs(() -> OpChecks.adamax(1e-3, 0.9, 0.999, Double.NaN, 0, 1),
                () -> backend.adamaxUpdate(p, g, a, b, 1e-3, 0.9, 0.999, Double.NaN, 0, false, 1));
        assertRefusedAs(() -> OpChecks.adamax(1e-3, 0.9, 0.999, 1e-8, 0, 0),
                () -> backend.adamaxUpdate(p, g, a, b, 1e-3, 0.9, 0.999, 1e-8, 0, false, 0));
        assertRefusedAs(() -> OpChecks.adadelta(1, 1.5, 1e-6, 0),
                () -> backend.adadeltaUpdate(p, g, a, b, 1, 1.5, 1e-6, 0, false));
        assertRefusedAs(() -> OpChecks.adadelta(Double.NaN, 0.9, 1e-6, 0),
                () -> backend.adadeltaUpdate(p, g, a, b, Double.NaN, 0.9, 1e-6, 0, false));
    }

    @Test
    void operationsAreRepeatable() {
        // Same inputs, same outputs, bit for bit (a backend may not vary its summation order between calls).
        int n = 700;
        int k = 10;
        float[] z = randn(n * k);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(k);
        }
        Tensor tz = t(z, n, k);
        Tensor ty = ti(y, n);
        Tensor g1 = zeros(n, k);
        Tensor g2 = zeros(n, k);
        Tensor lo = zeros(2);
        backend.softmaxCrossEntropy(tz, ty, g1, n, lo, 0);
        backend.softmaxCrossEntropy(tz, ty, g2, n, lo, 1);
        assertArrayEquals(get(g1), get(g2));
        float[] l = get(lo);
        assertEquals(l[0], l[1]);
        assertNotEquals(0f, l[0]);
        Tensor w = t(randn(784 * 24), 784, 24);
        Tensor x = t(randn(40 * 784), 40, 784);
        Tensor c1 = zeros(40, 24);
        Tensor c2 = zeros(40, 24);
        backend.gemm(false, false, 1f, x, w, 0f, c1);
        backend.gemm(false, false, 1f, x, w, 0f, c2);
        assertArrayEquals(get(c1), get(c2));
    }

    // ================================================================== the shared argument checks

    @Test
    void refusesTensorsAsTheSharedChecks() {
        Tensor x = zeros(3);
        Tensor xi = backend.allocateInt(3);
        made.add(xi);
        assertRefusedAs(() -> OpChecks.owned(backend, Tensor.class, null, "sum", "x"), () -> backend.sum(null));
        assertRefusedAs(() -> OpChecks.float32(backend, Tensor.class, xi, "scale", "x"), () -> backend.scale(2f, xi));
        assertRefusedAs(() -> OpChecks.int32(backend, Tensor.class, x, "argmaxRows", "out"),
                () -> backend.argmaxRows(zeros(3, 2), x));
        Tensor closed = backend.allocate(2, 2);
        closed.close();
        assertRefusedAs(() -> OpChecks.owned(backend, Tensor.class, closed, "axpy", "y"),
                () -> backend.axpy(1f, zeros(2, 2), closed));
        try (Backend other = createBackend()) {
            Tensor foreign = other.allocate(3);
            assertRefusedAs(() -> OpChecks.owned(backend, Tensor.class, foreign, "axpy", "x"),
                    () -> backend.axpy(1f, foreign, x));
        }
    }

    @Test
    void refusesMemoryArgumentsAsTheSharedChecks() {
        assertRefusedAs(() -> OpChecks.newShape("allocate", new int[] {2, 3, 4}), () -> backend.allocate(2, 3, 4));
        assertRefusedAs(() -> OpChecks.newShape("allocateInt", new int[] {-1}), () -> backend.allocateInt(-1));
        assertRefusedAs(() -> OpChecks.notNull(null, "upload", "data"), () -> backend.upload(null, 3));
        assertRefusedAs(() -> OpChecks.uploadLength("upload", 5, new int[] {2, 3}),
                () -> backend.upload(new float[5], 2, 3));
        assertRefusedAs(() -> OpChecks.uploadLength("uploadInt", 5, new int[] {6}),
                () -> backend.uploadInt(new int[5], 6));
        Tensor y = zeros(4);
        assertRefusedAs(() -> OpChecks.arrayRange("upload", "src", 5, 2, 4), () -> backend.upload(new float[5], 2, y));
        assertRefusedAs(() -> OpChecks.arrayRange("download", "dst", 6, 3, 4),
                () -> backend.download(y, new float[6], 3));
        assertRefusedAs(() -> OpChecks.elementIndex("get", 4, y), () -> backend.get(y, 4));
    }

    @Test
    void refusesElementwiseAndGemmArgumentsAsTheSharedChecks() {
        Tensor x = zeros(6);
        Tensor y = zeros(2, 2);
        assertRefusedAs(() -> OpChecks.sameSize("axpy", "x", x, "y", y), () -> backend.axpy(1f, x, y));
        assertRefusedAs(() -> OpChecks.sameSize("multiply", "a", x, "out", y),
                () -> backend.multiply(x, zeros(2, 3), y));
        assertRefusedAs(() -> OpChecks.sameSize("dot", "x", x, "y", y), () -> backend.dot(x, y));
        assertRefusedAs(() -> OpChecks.sameSize("relu", "x", x, "out", y), () -> backend.relu(x, y));
        assertRefusedAs(() -> OpChecks.sameSize("reluBackward", "gradOut", x, "gradIn", y),
                () -> backend.reluBackward(x, zeros(6), y));
        Tensor xi = backend.allocateInt(6);
        made.add(xi);
        assertRefusedAs(() -> OpChecks.sameDtype("copy", "src", x, "dst", xi), () -> backend.copy(x, xi));
        assertRefusedAs(() -> OpChecks.sameSize("copy", "src", x, "dst", y), () -> backend.copy(x, y));
        Tensor a = zeros(3, 4);
        Tensor b = zeros(4, 5);
        Tensor c = zeros(3, 5);
        assertRefusedAs(() -> OpChecks.gemm(true, false, a, b, c), () -> backend.gemm(true, false, 1f, a, b, 0f, c));
        assertRefusedAs(() -> OpChecks.gemm(false, true, a, b, c), () -> backend.gemm(false, true, 1f, a, b, 0f, c));
        Tensor s = zeros(3, 3);
        Tensor t = zeros(3, 3);
        assertRefusedAs(() -> OpChecks.gemm(false, false, s, t, s), () -> backend.gemm(false, false, 1f, s, t, 0f, s));
    }

    @Test
    void refusesRowArgumentsAsTheSharedChecks() {
        Tensor src = zeros(5, 2);
        Tensor idx = ti(new int[] {0, 4, 5, 1}, 4);
        assertRefusedAs(() -> OpChecks.gatherRows(src, idx, 0, zeros(3, 3)),
                () -> backend.gatherRows(src, idx, 0, zeros(3, 3)));
        assertRefusedAs(() -> OpChecks.gatherRows(src, idx, 2, zeros(3, 2)),
                () -> backend.gatherRows(src, idx, 2, zeros(3, 2)));
        assertRefusedAs(() -> OpChecks.gatherIndices(new int[] {0, 4, 5, 1}, 1, 2, src),
                () -> backend.gatherRows(src, idx, 1, zeros(2, 2)));
        Tensor x = zeros(4, 3);
        Tensor out3 = backend.allocateInt(3);
        made.add(out3);
        assertRefusedAs(() -> OpChecks.argmaxRows(x, out3), () -> backend.argmaxRows(x, out3));
        Tensor none = zeros(2, 0);
        Tensor out2 = backend.allocateInt(2);
        made.add(out2);
        assertRefusedAs(() -> OpChecks.argmaxRows(none, out2), () -> backend.argmaxRows(none, out2));
        Tensor bias = zeros(4);
        assertRefusedAs(() -> OpChecks.onePerColumn("addRowVector", "bias", bias, "x", x),
                () -> backend.addRowVector(x, bias));
        assertRefusedAs(() -> OpChecks.onePerColumn("columnSums", "out", bias, "x", x),
                () -> backend.columnSums(1f, x, 0f, bias));
    }

    @Test
    void refusesLossArgumentsAsTheSharedChecks() {
        String ce = "softmaxCrossEntropy";
        Tensor z = t(randn(6), 2, 3);
        Tensor lo = zeros(2);
        Tensor y = ti(new int[] {0, 1}, 2);
        Tensor y3 = ti(new int[] {0, 1, 2}, 3);
        assertRefusedAs(() -> OpChecks.lossOutput(ce, lo, 2, 2), () -> backend.softmaxCrossEntropy(z, y, null, 2, lo,
                2));
        assertRefusedAs(() -> OpChecks.lossOutput(ce, lo, 0, 0), () -> backend.softmaxCrossEntropy(z, y, null, 0, lo,
                0));
        assertRefusedAs(() -> OpChecks.softmaxCrossEntropy(ce, z, y3, null),
                () -> backend.softmaxCrossEntropy(z, y3, null, 2, lo, 0));
        Tensor g = zeros(3, 2);
        assertRefusedAs(() -> OpChecks.softmaxCrossEntropy(ce, z, y, g),
                () -> backend.softmaxCrossEntropy(z, y, g, 2, lo, 0));
        Tensor bad = ti(new int[] {0, 3}, 2);
        assertRefusedAs(() -> OpChecks.labels(ce, new int[] {0, 3}, 2, z),
                () -> backend.softmaxCrossEntropy(z, bad, null, 2, lo, 0));
        Tensor none = zeros(2, 0);
        assertRefusedAs(() -> OpChecks.softmaxCrossEntropy(ce, none, y, null),
                () -> backend.softmaxCrossEntropy(none, y, null, 2, lo, 0));
        Tensor t32 = zeros(3, 2);
        assertRefusedAs(() -> OpChecks.elementwiseLoss("sigmoidBinaryCrossEntropy", "logits", z, t32, null),
                () -> backend.sigmoidBinaryCrossEntropy(z, t32, null, 2, lo, 0));
        assertRefusedAs(() -> OpChecks.elementwiseLoss("meanSquaredError", "predictions", z, zeros(2, 3), g),
                () -> backend.meanSquaredError(z, zeros(2, 3), g, 2, lo, 0));
        assertRefusedAs(() -> OpChecks.elementwiseLoss("meanAbsoluteError", "predictions", z, t32, null),
                () -> backend.meanAbsoluteError(z, t32, null, 2, lo, 0));
        assertRefusedAs(() -> OpChecks.lossOutput("meanAbsoluteError", lo, -1, 2),
                () -> backend.meanAbsoluteError(z, zeros(2, 3), null, 2, lo, -1));
    }

    @Test
    void refusesLinearSoftmaxArgumentsAsTheSharedChecks() {
        Tensor x = t(randn(12), 4, 3);
        Tensor w = t(randn(6), 3, 2);
        Tensor y = ti(new int[] {0, 1, 1, 0}, 4);
        Tensor z = zeros(4, 2);
        Tensor g = zeros(4, 2);
        Tensor gw = zeros(3, 2);
        Tensor lo = zeros(1);
        Tensor b = zeros(2);
        Tensor gw22 = zeros(2, 2);
        assertRefusedAs(() -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw22, null, 4, lo, 0),
                () -> backend.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw22, null, 4, lo, 0));
        assertRefusedAs(() -> OpChecks.linearSoftmaxCrossEntropy(x, w, b, y, z, g, gw, null, 4, lo, 0),
                () -> backend.linearSoftmaxCrossEntropy(x, w, b, y, z, g, gw, null, 4, lo, 0));
        assertRefusedAs(() -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, w, null, 4, lo, 0),
                () -> backend.linearSoftmaxCrossEntropy(x, w, null, y, z, g, w, null, 4, lo, 0));
        assertRefusedAs(() -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, null, gw, null, 4, lo, 0),
                () -> backend.linearSoftmaxCrossEntropy(x, w, null, y, z, null, gw, null, 4, lo, 0));
        assertRefusedAs(() -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw, null, 4, lo, 1),
                () -> backend.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw, null, 4, lo, 1));
    }

    @Test
    void refusesOptimizerArgumentsAsTheSharedChecks() {
        Tensor p = zeros(3);
        Tensor g = zeros(3);
        Tensor s = zeros(3);
        Tensor s4 = zeros(4);
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        assertRefusedAs(() -> OpChecks.sameSize("sgdUpdate", "param", p, "grad", s4),
                () -> backend.sgdUpdate(p, s4, null, 0.1, 0, 0, false, 0, false, false));
        assertRefusedAs(() -> OpChecks.sgd(nan, 0, 0, false, 0),
                () -> backend.sgdUpdate(p, g, null, nan, 0, 0, false, 0, false, false));
        assertRefusedAs(() -> OpChecks.sgd(0.1, -0.5, 0, false, 0),
                () -> backend.sgdUpdate(p, g, s, 0.1, -0.5, 0, false, 0, false, false));
        assertRefusedAs(() -> OpChecks.sgd(0.1, 0, 0, true, 0),
                () -> backend.sgdUpdate(p, g, null, 0.1, 0, 0, true, 0, false, false));
        assertRefusedAs(() -> OpChecks.momentumBuffer("sgdUpdate", 0.9, null),
                () -> backend.sgdUpdate(p, g, null, 0.1, 0.9, 0, false, 0, false, false));
        assertRefusedAs(() -> OpChecks.sameSize("sgdUpdate", "param", p, "momentumBuffer", s4),
                () -> backend.sgdUpdate(p, g, s4, 0.1, 0.9, 0, false, 0, false, false));

        assertRefusedAs(() -> OpChecks.adam(1e-3, 0.9, 0.999, 1e-8, 0, 0),
                () -> backend.adamUpdate(p, g, s, zeros(3), null, 1e-3, 0.9, 0.999, 1e-8, 0, false, false, 0));
        assertRefusedAs(() -> OpChecks.adam(nan, 0.9, 0.999, 1e-8, 0, 1),
                () -> backend.adamUpdate(p, g, s, zeros(3), null, nan, 0.9, 0.999, 1e-8, 0, false, false, 1));
        assertRefusedAs(() -> OpChecks.adam(1e-3, 0.9, 0.999, inf, 0, 1),
                () -> backend.adamUpdate(p, g, s, zeros(3), null, 1e-3, 0.9, 0.999, inf, 0, false, false, 1));
        assertRefusedAs(() -> OpChecks.adam(1e-3, 1, 0.999, 1e-8, 0, 1),
                () -> backend.adamUpdate(p, g, s, zeros(3), null, 1e-3, 1, 0.999, 1e-8, 0, false, false, 1));
        assertRefusedAs(() -> OpChecks.sameSize("adamUpdate", "param", p, "maxV", s4),
                () -> backend.adamUpdate(p, g, s, zeros(3), s4, 1e-3, 0.9, 0.999, 1e-8, 0, false, false, 1));

        assertRefusedAs(() -> OpChecks.rmsprop(1e-2, nan, 1e-8, 0, 0),
                () -> backend.rmspropUpdate(p, g, s, null, null, 1e-2, nan, 1e-8, 0, 0, false));
        assertRefusedAs(() -> OpChecks.rmsprop(1e-2, 0.99, 1e-8, 0, -1),
                () -> backend.rmspropUpdate(p, g, s, null, zeros(3), 1e-2, 0.99, 1e-8, 0, -1, false));
        assertRefusedAs(() -> OpChecks.momentumBuffer("rmspropUpdate", 0.9, null),
                () -> backend.rmspropUpdate(p, g, s, null, null, 1e-2, 0.99, 1e-8, 0, 0.9, false));
        assertRefusedAs(() -> OpChecks.sameSize("rmspropUpdate", "param", p, "gradAvg", s4),
                () -> backend.rmspropUpdate(p, g, s, s4, null, 1e-2, 0.99, 1e-8, 0, 0, false));

        assertRefusedAs(() -> OpChecks.adagrad(inf, 1e-10, 0),
                () -> backend.adagradUpdate(p, g, s, inf, 1e-10, 0, false));
        assertRefusedAs(() -> OpChecks.adagrad(1e-2, 1e-10, nan),
                () -> backend.adagradUpdate(p, g, s, 1e-2, 1e-10, nan, false));
        assertRefusedAs(() -> OpChecks.sameSize("adagradUpdate", "param", p, "sum", s4),
                () -> backend.adagradUpdate(p, g, s4, 1e-2, 1e-10, 0, false));
    }
}

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
import dev.descent.backend.BinaryOp;
import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
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
            Arrays.fill(c, Float.NaN);
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
        Arrays.fill(nan, Float.NaN);
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
        Arrays.fill(sum, init);
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

    // ================================================================== views and the operations autodiff records
    //
    // References are computed here in double (or, for the exact operations, with the same float operations, to
    // compare bit for bit). Exact operations (+, −, ×, ÷, √, negation, |x|, max, POW's special exponents, copies,
    // picks, broadcasts of gradients) must match exactly; transcendental functions within a few ulps; sums within
    // their rounding. beta is 0 (over NaN, which must not show), 1 (old + gradient, exact) or 2 (exact too: 2·old is
    // exact, so fma and a separate multiply agree).

    /** Shapes every autodiff operation runs on: one element, one row, one column, odd sizes, and a parallel size. */
    private static final int[][] AD_SHAPES = {{1, 1}, {1, 7}, {7, 1}, {5, 3}, {37, 19}, {300, 257}};

    private static final float[] BETAS = {0f, 1f, 2f};

    /** Relative tolerance, in float ulps of the reference, for transcendental functions. */
    private static final int ULPS = 4;

    private static void assertSameBits(float want, float got, String what) {
        if (Float.floatToIntBits(want) != Float.floatToIntBits(got)) {
            fail(what + ": want " + want + ", got " + got + " (exact)");
        }
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            if (!same(want[i], got[i])) {
                assertSameBits(want[i], got[i], what + "[" + i + "]");
            }
        }
    }

    private static boolean same(float want, float got) {
        return Float.floatToIntBits(want) == Float.floatToIntBits(got);
    }

    /** What {@link #assertClose} accepts (checked first in loops, so that messages are built only for failures). */
    private static boolean near(double want, float got, double tol) {
        if (Double.isNaN(want)) {
            return Float.isNaN(got);
        }
        if (Double.isInfinite(want)) {
            return want == got;
        }
        return Math.abs(want - got) <= tol;
    }

    /** Within {@code ulps} float ulps of {@code want} (NaN and infinities exactly). */
    private static void assertUlps(double want, float got, int ulps, String what) {
        if (!near(want, got, ulps * Math.ulp((float) want))) {
            assertClose(want, got, ulps * Math.ulp((float) want), what);
        }
    }

    /** A gradient accumulator's start: NaN for beta 0 (it must not propagate), values otherwise. */
    private float[] accumulatorStart(int n, float beta) {
        float[] a = randn(n);
        if (beta == 0f) {
            Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    /** beta·old + t as every backend must give it when t is exact: beta 0 ignores old; 1 and 2 are exact scalings. */
    private static float acc(float beta, float old, float t) {
        return beta == 0f ? t : beta * old + t;
    }

    /** The same in double, for a gradient that is a sum or a transcendental value. */
    private static double accD(float beta, float old, double t) {
        return beta == 0f ? t : beta * (double) old + t;
    }

    private static String shape(int[] s) {
        return s[0] + "x" + s[1];
    }

    // ------------------------------------------------------------------ reshape

    @Test
    void reshapeViewsTheSameMemory() {
        float[] data = randn(6);
        Tensor x = t(data, 2, 3);
        Tensor v = backend.reshape(x, 3, 2);
        Tensor flat = backend.reshape(x, 6);
        Tensor row = backend.reshape(flat, 1, 6); // a view of a view views the same memory
        assertArrayEquals(new int[] {3, 2}, v.shape());
        assertEquals(3, v.rows());
        assertEquals(2, v.cols());
        assertArrayEquals(new int[] {6}, flat.shape());
        assertEquals(6, flat.rows());
        assertEquals(1, flat.cols());
        assertArrayEquals(new int[] {1, 6}, row.shape());
        assertEquals(DType.F32, v.dtype());
        assertTrue(v.backend() == backend);
        assertArrayEquals(data, get(v));
        assertArrayEquals(data, get(row));

        backend.fill(v, 2.5f); // a write through a view is seen in the base ...
        float[] filled = new float[6];
        Arrays.fill(filled, 2.5f);
        assertArrayEquals(filled, get(x));
        backend.upload(data, 0, x); // ... and a write to the base through the views
        assertArrayEquals(data, get(row));
        backend.scale(2f, row);
        assertEquals(2 * data[4], backend.get(x, 4));

        v.close(); // closing a view releases nothing
        assertTrue(v.isClosed());
        assertFalse(x.isClosed());
        assertFalse(row.isClosed());
        assertEquals(2 * data[5], get(row)[5]);
        assertRejected(() -> backend.download(v));
        v.close(); // idempotent

        x.close(); // closing the base closes every view of it, views of views too
        assertTrue(flat.isClosed());
        assertTrue(row.isClosed());
        assertRejected(() -> backend.download(flat));
        assertRejected(() -> backend.scale(2f, row));
        assertRejected(() -> backend.reshape(row, 6));
        assertRejected(() -> backend.reshape(x, 6));
    }

    @Test
    void reshapeOfIntTensorsAndClosingTheBackend() {
        Backend other = createBackend();
        Tensor xi = other.uploadInt(new int[] {1, 2, 3, 4, 5, 6}, 6);
        Tensor vi = other.reshape(xi, 2, 3);
        assertEquals(DType.I32, vi.dtype());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, other.downloadInt(vi));
        other.uploadInt(new int[] {7, 8, 9, 10, 11, 12}, 0, vi);
        assertArrayEquals(new int[] {7, 8, 9, 10, 11, 12}, other.downloadInt(xi));
        Tensor f = other.allocate(4);
        Tensor fv = other.reshape(f, 2, 2);
        other.close();
        assertTrue(vi.isClosed());
        assertTrue(fv.isClosed());
        fv.close(); // idempotent after the backend closed it
        assertRejected(() -> other.download(fv));
    }

    @Test
    void reshapeRefusesAnotherSize() {
        Tensor x = zeros(2, 3);
        assertRefusedAs(() -> OpChecks.reshape(x, new int[] {4, 2}), () -> backend.reshape(x, 4, 2));
        assertRefusedAs(() -> OpChecks.reshape(x, new int[] {5}), () -> backend.reshape(x, 5));
        assertRefusedAs(() -> OpChecks.reshape(x, new int[] {1, 2, 3}), () -> backend.reshape(x, 1, 2, 3));
        assertRefusedAs(() -> OpChecks.reshape(x, new int[] {-2, -3}), () -> backend.reshape(x, -2, -3));
        Tensor empty = zeros(0, 3);
        Tensor e = backend.reshape(empty, 3, 0);
        assertEquals(0, e.size());
    }

    // ------------------------------------------------------------------ unary

    /** Inputs inside the op's domain (and away from where float results lose all precision). */
    private float[] unaryInput(UnaryOp op, int n) {
        return switch (op) {
            case LOG, SQRT -> uniform(n, 0.05, 8);
            case LOG1P -> uniform(n, -0.9, 8);
            case EXP -> uniform(n, -10, 10);
            case SOFTPLUS -> uniform(n, -12, 26); // both sides of the x > 20 branch
            case POW -> uniform(n, 0.1, 3);
            case SIN, COS -> uniform(n, -6, 6);
            case TANH, SIGMOID -> uniform(n, -3, 3);
            default -> randn(n);
        };
    }

    private static double unaryRef(UnaryOp op, float p, float x) {
        double d = x;
        return switch (op) {
            case NEG -> -d;
            case EXP -> Math.exp(d);
            case LOG -> Math.log(d);
            case LOG1P -> Math.log1p(d);
            case SQRT -> Math.sqrt(d);
            case ABS -> Math.abs(d);
            case SIN -> Math.sin(d);
            case COS -> Math.cos(d);
            case TANH -> Math.tanh(d);
            case SIGMOID -> 1 / (1 + Math.exp(-d));
            case RELU -> x > 0 ? d : x == x ? 0 : Double.NaN;
            case SOFTPLUS -> x > 20 ? d : Math.log1p(Math.exp(d));
            case POW -> Math.pow(d, p);
        };
    }

    /** The exact operations' float results, as every backend must give them bit for bit (null: not exact). */
    private static Float unaryExact(UnaryOp op, float p, float x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQRT -> (float) Math.sqrt(x);
            case RELU -> Math.max(x, 0f);
            case POW -> powSpecial(x, p);
            default -> null;
        };
    }

    /** torch's special exponents; null for any other. */
    private static Float powSpecial(float x, float p) {
        if (p == 2f) {
            return x * x;
        } else if (p == 3f) {
            return x * x * x;
        } else if (p == 0.5f) {
            return (float) Math.sqrt(x);
        } else if (p == -0.5f) {
            return 1f / (float) Math.sqrt(x);
        } else if (p == -1f) {
            return 1f / x;
        } else if (p == -2f) {
            return 1f / (x * x);
        } else if (p == 1f) {
            return x;
        } else if (p == 0f) {
            return 1f;
        }
        return null;
    }

    private static final float[] POW_EXPONENTS = {2f, 3f, 0.5f, -0.5f, -1f, -2f, 1f, 0f, 1.5f, -0.75f, 2.5f};

    @Test
    void unaryMatchesItsReferenceOnEveryShape() {
        for (UnaryOp op : UnaryOp.values()) {
            float[] params = op == UnaryOp.POW ? POW_EXPONENTS : new float[] {0f};
            for (float p : params) {
                for (int[] s : AD_SHAPES) {
                    int n = s[0] * s[1];
                    float[] x = unaryInput(op, n);
                    Tensor tx = t(x, s[0], s[1]);
                    Tensor out = zeros(s[0], s[1]);
                    backend.unary(op, p, tx, out);
                    float[] got = get(out);
                    String what = "unary " + op.label() + " p=" + p + " " + shape(s);
                    for (int i = 0; i < n; i++) {
                        Float exact = unaryExact(op, p, x[i]);
                        if (exact != null) {
                            if (!same(exact, got[i])) {
                                assertSameBits(exact, got[i], what + " at " + i + " (x=" + x[i] + ")");
                            }
                        } else {
                            double want = unaryRef(op, p, x[i]);
                            if (!near(want, got[i], ULPS * Math.ulp((float) want))) {
                                assertUlps(want, got[i], ULPS, what + " at " + i + " (x=" + x[i] + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void unaryEdgeValuesAndInPlace() {
        float[] edges = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f, 3e38f,
            -3e38f, Float.MIN_VALUE, -2.5f};
        Tensor tx = t(edges, edges.length);
        Tensor out = zeros(edges.length);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG,
            UnaryOp.ABS, UnaryOp.SQRT, UnaryOp.RELU}) {
            backend.unary(op, 0f, tx, out);
            float[] got = get(out);
            for (int i = 0; i < edges.length; i++) {
                if (!same(unaryExact(op, 0f, edges[i]), got[i])) {
                    assertSameBits(unaryExact(op, 0f, edges[i]), got[i], "unary " + op.label() + "(" + edges[i] + ")");
                }
            }
        }
        for (float p : new float[] {2f, 3f, 0.5f, -0.5f, -1f, -2f, 1f, 0f}) {
            backend.unary(UnaryOp.POW, p, tx, out);
            float[] got = get(out);
            for (int i = 0; i < edges.length; i++) {
                if (!same(powSpecial(edges[i], p), got[i])) {
                    assertSameBits(powSpecial(edges[i], p), got[i], "pow p=" + p + " (" + edges[i] + ")");
                }
            }
        }
        float[] big = {25f, 20.5f, -200f, 90f};
        backend.unary(UnaryOp.SOFTPLUS, 0f, t(big, 4), out = zeros(4));
        float[] sp = get(out);
        assertEquals(25f, sp[0]); // x > 20: x itself
        assertEquals(20.5f, sp[1]);
        assertTrue(sp[2] >= 0f && sp[2] < 1e-30f, "softplus(-200) " + sp[2]);
        assertEquals(90f, sp[3]);
        backend.unary(UnaryOp.EXP, 0f, t(new float[] {-200f, 100f, Float.NEGATIVE_INFINITY}, 3),
                out = zeros(3));
        assertArrayEquals(new float[] {0f, Float.POSITIVE_INFINITY, 0f}, get(out));

        float[] x = uniform(45, 0.1, 4); // out may be x
        Tensor inPlace = t(x, 9, 5);
        backend.unary(UnaryOp.LOG, 0f, inPlace, inPlace);
        float[] got = get(inPlace);
        for (int i = 0; i < x.length; i++) {
            if (!near(Math.log(x[i]), got[i], ULPS * Math.ulp((float) (Math.log(x[i]))))) {
                assertUlps(Math.log(x[i]), got[i], ULPS, "log in place at " + i);
            }
        }
        Tensor sq = t(x, 45); // any shape of the same size
        Tensor sqOut = zeros(5, 9);
        backend.unary(UnaryOp.POW, 2f, sq, sqOut);
        float[] sqGot = get(sqOut);
        for (int i = 0; i < x.length; i++) {
            if (!same(x[i] * x[i], sqGot[i])) {
                assertSameBits(x[i] * x[i], sqGot[i], "pow 2 across shapes at " + i);
            }
        }
    }

    /** The gradient term every backend computes, in double from the float x, y and g; exact ones in float. */
    private static double unaryGradRef(UnaryOp op, float p, float x, float y, float g) {
        double d = x;
        return switch (op) {
            case NEG -> -(double) g;
            case EXP -> g * (double) y;
            case LOG -> g / d;
            case LOG1P -> g / (d + 1);
            case SQRT -> g / (2 * (double) y);
            case ABS -> g * (double) Math.signum(x);
            case SIN -> g * Math.cos(d);
            case COS -> g * -Math.sin(d);
            case TANH -> g * (1 - (double) y * y);
            case SIGMOID -> g * (1 - (double) y) * y;
            case RELU -> y > 0 ? g : 0;
            case SOFTPLUS -> x > 20 ? g : g * Math.exp(d) / (Math.exp(d) + 1);
            case POW -> p == 0 ? 0 : g * (p * Math.pow(d, p - 1.0));
        };
    }

    /** The exact gradient terms in float, bit for bit (null: not exact). */
    private static Float unaryGradExact(UnaryOp op, float p, float x, float y, float g) {
        switch (op) {
            case NEG:
                return -g;
            case SQRT:
                return g / (2f * y);
            case ABS:
                return g * (x > 0 ? 1f : x < 0 ? -1f : 0f);
            case RELU:
                return y > 0 ? g : 0f;
            case POW:
                if (p == 0f) {
                    return 0f;
                }
                Float pm1 = powSpecial(x, p - 1f);
                return pm1 == null ? null : g * (p * pm1);
            default:
                return null;
        }
    }

    @Test
    void unaryBackwardMatchesItsReferenceAndAccumulates() {
        for (UnaryOp op : UnaryOp.values()) {
            float[] params = op == UnaryOp.POW ? POW_EXPONENTS : new float[] {0f};
            for (float p : params) {
                for (int[] s : AD_SHAPES) {
                    for (float beta : BETAS) {
                        int n = s[0] * s[1];
                        float[] x = unaryInput(op, n);
                        float[] g = randn(n);
                        float[] old = accumulatorStart(n, beta);
                        Tensor tx = t(x, s[0], s[1]);
                        Tensor ty = zeros(s[0], s[1]);
                        backend.unary(op, p, tx, ty);
                        float[] y = get(ty);
                        Tensor gi = t(old, s[0], s[1]);
                        backend.unaryBackward(op, p, tx, ty, t(g, s[0], s[1]), beta, gi);
                        float[] got = get(gi);
                        String what = "unaryBackward " + op.label() + " p=" + p + " " + shape(s) + " beta=" + beta;
                        for (int i = 0; i < n; i++) {
                            Float exact = unaryGradExact(op, p, x[i], y[i], g[i]);
                            if (exact != null) {
                                float want = acc(beta, old[i], exact);
                                if (!same(want, got[i])) {
                                    assertSameBits(want, got[i], what + " at " + i + " (x=" + x[i] + ")");
                                }
                            } else {
                                double term = unaryGradRef(op, p, x[i], y[i], g[i]);
                                double want = accD(beta, old[i], term);
                                // 1 − y·y and 1 − y cancel: their error is relative to g, not to the term.
                                boolean cancels = op == UnaryOp.TANH
                                        || op == UnaryOp.SIGMOID;
                                double scale = Math.abs(term) + (cancels ? Math.abs(g[i]) : 0)
                                        + (beta == 0 ? 0 : Math.abs(beta * old[i]));
                                double tol = 8 * Math.ulp((float) scale) + 1e-30;
                                if (!near(want, got[i], tol)) {
                                    assertClose(want, got[i], tol, what + " at " + i + " (x=" + x[i] + ")");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void unaryBackwardMayOverwriteItsIncomingGradient() {
        float[] x = randn(23);
        float[] g = randn(23);
        Tensor tx = t(x, 23);
        Tensor ty = zeros(23);
        backend.unary(UnaryOp.ABS, 0f, tx, ty);
        Tensor tg = t(g, 23);
        backend.unaryBackward(UnaryOp.ABS, 0f, tx, ty, tg, 0f, tg);
        float[] got = get(tg);
        for (int i = 0; i < 23; i++) {
            if (!same(g[i] * Math.signum(x[i]), got[i])) {
                assertSameBits(g[i] * Math.signum(x[i]), got[i], "abs gradient in place at " + i);
            }
        }
        // sign is 0 at ±0 (and the gradient g·0)
        Tensor zs = t(new float[] {0f, -0f}, 2);
        Tensor zg = t(new float[] {3f, 3f}, 2);
        Tensor zi = zeros(2);
        backend.unaryBackward(UnaryOp.ABS, 0f, zs, zs, zg, 0f, zi);
        assertArrayEquals(new float[] {0f, 0f}, get(zi));
    }

    // ------------------------------------------------------------------ binary with broadcasting

    /** The four ways an operand of an r×c output may be shaped: whole, one row, one column, one element. */
    private static int[][] patterns(int r, int c) {
        return new int[][] {{r, c}, {1, c}, {r, 1}, {1, 1}};
    }

    private static String pattern(int[] p, int r, int c) {
        String kind = p[0] == r && p[1] == c ? "whole" : p[0] == 1 && p[1] == 1 ? "element" : p[0] == 1 ? "row"
                : "column";
        return kind + " " + shape(p);
    }

    /** Element (i, j) of an operand broadcast to the output. */
    private static float at(float[] a, int[] shape, int i, int j) {
        return a[(shape[0] == 1 ? 0 : i) * shape[1] + (shape[1] == 1 ? 0 : j)];
    }

    private float[] binaryInput(BinaryOp op, int argument, int n) {
        if (op == BinaryOp.POW) {
            return argument == 0 ? uniform(n, 0.2, 3) : uniform(n, -2, 2);
        }
        if (op == BinaryOp.DIV && argument == 1) {
            float[] b = uniform(n, 0.5, 3);
            for (int i = 0; i < n; i += 2) {
                b[i] = -b[i];
            }
            return b;
        }
        return randn(n);
    }

    private static float binaryExact(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
        };
    }

    @Test
    void binaryBroadcastsEveryPattern() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] s : AD_SHAPES) {
                int r = s[0];
                int c = s[1];
                for (int[] pa : patterns(r, c)) {
                    for (int[] pb : patterns(r, c)) {
                        float[] a = binaryInput(op, 0, pa[0] * pa[1]);
                        float[] b = binaryInput(op, 1, pb[0] * pb[1]);
                        Tensor out = zeros(r, c);
                        backend.binary(op, t(a, pa[0], pa[1]), t(b, pb[0], pb[1]), out);
                        float[] got = get(out);
                        String what = "binary " + op.label() + " out " + shape(s) + ", a " + pattern(pa, r, c)
                                + ", b " + pattern(pb, r, c);
                        for (int i = 0; i < r; i++) {
                            for (int j = 0; j < c; j++) {
                                float av = at(a, pa, i, j);
                                float bv = at(b, pb, i, j);
                                float v = got[i * c + j];
                                if (op == BinaryOp.POW) {
                                    double want = Math.pow(av, bv);
                                    if (!near(want, v, ULPS * Math.ulp((float) want))) {
                                        assertUlps(want, v, ULPS, what + " at (" + i + "," + j + ")");
                                    }
                                } else if (!same(binaryExact(op, av, bv), v)) {
                                    assertSameBits(binaryExact(op, av, bv), v, what + " at (" + i + "," + j + ")");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void binaryInPlaceAndRankOneOperands() {
        float[] a = randn(12);
        float[] b = randn(12);
        Tensor ta = t(a, 3, 4);
        backend.binary(BinaryOp.MUL, ta, t(b, 3, 4), ta); // out may be a
        float[] got = get(ta);
        for (int i = 0; i < 12; i++) {
            if (!same(a[i] * b[i], got[i])) {
                assertSameBits(a[i] * b[i], got[i], "mul in place at " + i);
            }
        }
        // A rank-1 [n] tensor is n rows of one column: it broadcasts across the columns; reshaped to [1, n], down the
        // rows.
        float[] x = randn(12);
        float[] v = randn(3);
        float[] w = randn(4);
        Tensor out = zeros(3, 4);
        backend.binary(BinaryOp.SUB, t(x, 3, 4), t(v, 3), out);
        float[] sub = get(out);
        Tensor wv = t(w, 4);
        backend.binary(BinaryOp.ADD, t(x, 3, 4), backend.reshape(wv, 1, 4), out);
        float[] add = get(out);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                if (!same(x[i * 4 + j] - v[i], sub[i * 4 + j])) {
                    assertSameBits(x[i * 4 + j] - v[i], sub[i * 4 + j], "sub [3] at (" + i + "," + j + ")");
                }
                assertSameBits(x[i * 4 + j] + w[j], add[i * 4 + j], "add [1, 4] view at (" + i + "," + j + ")");
            }
        }
        Tensor empty = zeros(0, 4);
        backend.binary(BinaryOp.ADD, empty, backend.reshape(wv, 1, 4), empty);
    }

    /** The elementwise gradient of {@code a op b} with respect to one argument, in double from float inputs. */
    private static double binaryGradRef(BinaryOp op, int argument, float a, float b, float y,
            float g) {
        double da = a;
        double db = b;
        return switch (op) {
            case ADD -> g;
            case SUB -> argument == 0 ? g : -(double) g;
            case MUL -> argument == 0 ? g * db : g * da;
            case DIV -> argument == 0 ? g / db : -g * (da / db / db);
            case POW -> argument == 0 ? (b == 0 ? 0 : g * (db * Math.pow(da, db - 1)))
                    : (a == 0 && b >= 0 ? 0 : g * ((double) y * Math.log(da)));
        };
    }

    /** The same in float where it is exact (null: not exact). */
    private static Float binaryGradExact(BinaryOp op, int argument, float a, float b, float g) {
        return switch (op) {
            case ADD -> g;
            case SUB -> argument == 0 ? g : -g;
            case MUL -> argument == 0 ? g * b : g * a;
            case DIV -> argument == 0 ? g / b : -g * ((a / b) / b);
            case POW -> null;
        };
    }

    @Test
    void binaryBackwardReducesOverEveryBroadcastPattern() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] s : AD_SHAPES) {
                int r = s[0];
                int c = s[1];
                for (int[] pa : patterns(r, c)) {
                    for (int[] pb : patterns(r, c)) {
                        for (int argument = 0; argument < 2; argument++) {
                            checkBinaryBackward(op, argument, r, c, pa, pb, BETAS[(argument + pa[0] + pb[1]) % 3]);
                        }
                    }
                }
            }
        }
    }

    private void checkBinaryBackward(BinaryOp op, int argument, int r, int c, int[] pa, int[] pb,
            float beta) {
        float[] a = binaryInput(op, 0, pa[0] * pa[1]);
        float[] b = binaryInput(op, 1, pb[0] * pb[1]);
        float[] g = randn(r * c);
        Tensor ta = t(a, pa[0], pa[1]);
        Tensor tb = t(b, pb[0], pb[1]);
        Tensor out = zeros(r, c);
        backend.binary(op, ta, tb, out);
        float[] y = get(out);
        int[] ps = argument == 0 ? pa : pb;
        float[] old = accumulatorStart(ps[0] * ps[1], beta);
        Tensor grad = t(old, ps[0], ps[1]);
        backend.binaryBackward(op, argument, ta, tb, out, t(g, r, c), beta, grad);
        float[] got = get(grad);
        String what = "binaryBackward " + op.label() + " of " + (argument == 0 ? "a" : "b") + ", out " + r + "x" + c
                + ", a " + pattern(pa, r, c) + ", b " + pattern(pb, r, c) + ", beta " + beta;
        boolean whole = ps[0] == r && ps[1] == c;
        double[] want = new double[ps[0] * ps[1]];
        double[] scale = new double[want.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                float av = at(a, pa, i, j);
                float bv = at(b, pb, i, j);
                int k = (ps[0] == 1 ? 0 : i) * ps[1] + (ps[1] == 1 ? 0 : j);
                Float exact = binaryGradExact(op, argument, av, bv, g[i * c + j]);
                if (whole && exact != null) {
                    if (!same(acc(beta, old[k], exact), got[k])) {
                        assertSameBits(acc(beta, old[k], exact), got[k], what + " at (" + i + "," + j + ")");
                    }
                }
                double term = exact != null ? exact : binaryGradRef(op, argument, av, bv, y[i * c + j], g[i * c + j]);
                want[k] += term;
                scale[k] += Math.abs(term);
            }
        }
        for (int k = 0; k < want.length; k++) {
            double tol = 1e-6 * scale[k] + (beta == 0 ? 0 : 4 * Math.ulp(beta * old[k])) + 1e-30;
            if (!near(accD(beta, old[k], want[k]), got[k], tol)) {
                assertClose(accD(beta, old[k], want[k]), got[k], tol, what + " element " + k);
            }
        }
    }

    @Test
    void binaryBackwardSpecialCases() {
        // POW: b = 0 gives a zero gradient of a; a = 0 with b ≥ 0 a zero gradient of b.
        Tensor a = t(new float[] {0f, 0f, 2f, 0f}, 4);
        Tensor b = t(new float[] {0f, 2f, 0f, -1f}, 4);
        Tensor y = zeros(4);
        backend.binary(BinaryOp.POW, a, b, y);
        assertArrayEquals(new float[] {1f, 0f, 1f, Float.POSITIVE_INFINITY}, get(y));
        Tensor g = t(new float[] {1f, 1f, 1f, 1f}, 4);
        Tensor ga = zeros(4);
        Tensor gb = zeros(4);
        backend.binaryBackward(BinaryOp.POW, 0, a, b, y, g, 0f, ga);
        backend.binaryBackward(BinaryOp.POW, 1, a, b, y, g, 0f, gb);
        float[] da = get(ga);
        float[] db = get(gb);
        assertEquals(0f, da[0]); // b = 0
        assertEquals(0f, da[1]); // 2·0^1
        assertEquals(0f, da[2]); // b = 0
        assertEquals(0f, db[0]); // a = 0, b ≥ 0
        assertEquals(0f, db[1]);
        assertEquals((float) Math.log(2), db[2], Math.ulp((float) Math.log(2)) * ULPS);
        assertEquals(Float.NEGATIVE_INFINITY, db[3], "a = 0, b < 0: g·(y·ln a) = 1·(∞·−∞)");
        // The whole gradient of a [1, 1] operand of a [1, 1] output: the elementwise path.
        Tensor x = t(new float[] {3f}, 1, 1);
        Tensor two = t(new float[] {2f}, 1, 1);
        Tensor o = zeros(1, 1);
        backend.binary(BinaryOp.MUL, x, two, o);
        Tensor gx = t(new float[] {Float.NaN}, 1, 1);
        backend.binaryBackward(BinaryOp.MUL, 0, x, two, o, t(new float[] {5f}, 1, 1), 0f, gx);
        assertEquals(10f, get(gx)[0]);
        backend.binaryBackward(BinaryOp.MUL, 1, x, two, o, t(new float[] {5f}, 1, 1), 1f, gx);
        assertEquals(25f, get(gx)[0]);
        // Broadcast over no rows: the gradient of the row operand is 0 (plus beta·old).
        Tensor none = zeros(0, 3);
        Tensor bias = t(new float[] {1f, 2f, 3f}, 1, 3);
        Tensor gbias = t(new float[] {Float.NaN, Float.NaN, Float.NaN}, 1, 3);
        backend.binaryBackward(BinaryOp.ADD, 1, none, bias, none, none, 0f, gbias);
        assertArrayEquals(new float[3], get(gbias));
    }

    // ------------------------------------------------------------------ reductions

    /** The output shapes that reduce x [r, c] over every element, down the columns, along the rows. */
    private static int[][] reduceOutputs(int r, int c) {
        return new int[][] {{1}, {1, 1}, {1, c}, {r, 1}, {r}};
    }

    @Test
    void reduceAlongEveryAxis() {
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] s : AD_SHAPES) {
                int r = s[0];
                int c = s[1];
                float[] x = randn(r * c);
                if (op == ReduceOp.MAX && r * c > 4) { // ties
                    x[1] = x[r * c - 1];
                    x[2] = x[r * c - 1];
                }
                Tensor tx = t(x, r, c);
                for (int[] os : reduceOutputs(r, c)) {
                    Tensor out = zeros(os);
                    backend.reduce(op, tx, out);
                    float[] got = get(out);
                    int axis = os.length == 1 && os[0] == 1 || os.length == 2 && os[0] * os[1] == 1 ? -1
                            : os.length == 2 && os[0] == 1 ? 0 : 1;
                    String what = "reduce " + op.label() + " of " + shape(s) + " into " + Arrays.toString(os);
                    int lines = got.length;
                    double[] sum = new double[lines];
                    double[] abs = new double[lines];
                    float[] max = new float[lines];
                    Arrays.fill(max, Float.NEGATIVE_INFINITY);
                    for (int i = 0; i < r; i++) {
                        for (int j = 0; j < c; j++) {
                            int k = axis == -1 ? 0 : axis == 0 ? j : i;
                            float v = x[i * c + j];
                            sum[k] += v;
                            abs[k] += Math.abs(v);
                            max[k] = Math.max(max[k], v);
                        }
                    }
                    for (int k = 0; k < lines; k++) {
                        int count = axis == -1 ? r * c : axis == 0 ? r : c;
                        double tol = 1e-6 * abs[k] / (op == ReduceOp.MEAN ? count : 1) + 1e-30;
                        double want = op == ReduceOp.SUM ? sum[k]
                                : op == ReduceOp.MEAN ? sum[k] / count : max[k];
                        if (op == ReduceOp.MAX ? !same(max[k], got[k]) : !near(want, got[k], tol)) {
                            assertClose(want, got[k], op == ReduceOp.MAX ? 0 : tol,
                                    what + " at " + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void reduceNaNAndEmpty() {
        float[] x = {1f, Float.NaN, 3f, 4f, 5f, 6f};
        Tensor tx = t(x, 2, 3);
        Tensor all = zeros(1);
        backend.reduce(ReduceOp.MAX, tx, all);
        assertTrue(Float.isNaN(get(all)[0]));
        Tensor cols = zeros(1, 3);
        backend.reduce(ReduceOp.MAX, tx, cols);
        float[] cm = get(cols);
        assertEquals(4f, cm[0]);
        assertTrue(Float.isNaN(cm[1]));
        assertEquals(6f, cm[2]);
        Tensor rows = zeros(2);
        backend.reduce(ReduceOp.MAX, tx, rows);
        float[] rm = get(rows);
        assertTrue(Float.isNaN(rm[0]));
        assertEquals(6f, rm[1]);
        backend.reduce(ReduceOp.SUM, tx, rows);
        assertTrue(Float.isNaN(get(rows)[0]));

        Tensor empty = zeros(0, 3);
        Tensor one = t(new float[] {7f}, 1);
        backend.reduce(ReduceOp.SUM, empty, one);
        assertEquals(0f, get(one)[0]);
        backend.reduce(ReduceOp.MEAN, empty, one);
        assertTrue(Float.isNaN(get(one)[0]), "the mean of no elements is NaN");
        Tensor three = t(new float[] {7f, 7f, 7f}, 1, 3);
        backend.reduce(ReduceOp.SUM, empty, three);
        assertArrayEquals(new float[3], get(three));
        backend.reduce(ReduceOp.MEAN, empty, three);
        assertTrue(Float.isNaN(get(three)[2]));
        Tensor emptyOut = zeros(0, 1);
        backend.reduce(ReduceOp.MAX, empty, emptyOut); // no lines: nothing to do
        assertRefusedAs(() -> OpChecks.reduce("reduce", ReduceOp.MAX, empty, one),
                () -> backend.reduce(ReduceOp.MAX, empty, one));
        assertRefusedAs(() -> OpChecks.reduce("reduce", ReduceOp.MAX, empty, three),
                () -> backend.reduce(ReduceOp.MAX, empty, three));
    }

    @Test
    void reduceBackwardSpreadsAndRoutesToTheFirstMaximum() {
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] s : AD_SHAPES) {
                int r = s[0];
                int c = s[1];
                float[] x = randn(r * c);
                if (r * c >= 6) { // ties (along a row, down a column, over all) and a NaN in some lines
                    x[r * c - 1] = x[0];
                    x[r * c - 2] = x[1];
                    x[r >= 2 ? c : 3] = x[0];
                    x[r * c / 2] = Float.NaN;
                    x[r * c / 2 + 1] = Float.NaN;
                }
                Tensor tx = t(x, r, c);
                for (int[] os : reduceOutputs(r, c)) {
                    for (float beta : BETAS) {
                        Tensor out = zeros(os);
                        backend.reduce(op, tx, out);
                        float[] g = randn(r == 0 ? 0 : (int) out.size());
                        float[] old = accumulatorStart(r * c, beta);
                        Tensor gi = t(old, r, c);
                        backend.reduceBackward(op, tx, out, t(g, os), beta, gi);
                        float[] got = get(gi);
                        int axis = out.size() == 1 ? -1 : os.length == 2 && os[0] == 1 ? 0 : 1;
                        String what = "reduceBackward " + op.label() + " of " + shape(s) + " into "
                                + Arrays.toString(os) + ", beta " + beta;
                        float[] want = new float[r * c];
                        int[] first = firstMaxima(x, r, c, axis);
                        for (int i = 0; i < r; i++) {
                            for (int j = 0; j < c; j++) {
                                int line = axis == -1 ? 0 : axis == 0 ? j : i;
                                int count = axis == -1 ? r * c : axis == 0 ? r : c;
                                float term = switch (op) {
                                    case SUM -> g[line];
                                    case MEAN -> g[line] / (float) count;
                                    case MAX -> first[line] == i * c + j ? g[line] : 0f;
                                };
                                want[i * c + j] = acc(beta, old[i * c + j], term);
                            }
                        }
                        assertSameBits(want, got, what);
                    }
                }
            }
        }
    }

    /** The index of each line's first maximum (its first NaN, if any) along {@code axis}. */
    private static int[] firstMaxima(float[] x, int r, int c, int axis) {
        int lines = axis == -1 ? 1 : axis == 0 ? c : r;
        int n = axis == -1 ? r * c : axis == 0 ? r : c;
        int[] first = new int[lines];
        for (int line = 0; line < lines; line++) {
            int best = -1;
            for (int k = 0; k < n; k++) {
                int idx = axis == -1 ? k : axis == 0 ? k * c + line : line * c + k;
                float v = x[idx];
                if (v != v) {
                    best = idx;
                    break;
                }
                if (best < 0 || v > x[best]) {
                    best = idx;
                }
            }
            first[line] = best;
        }
        return first;
    }

    // ------------------------------------------------------------------ softmax along rows

    @Test
    void softmaxRowsAndLogSoftmax() {
        for (int[] s : AD_SHAPES) {
            for (boolean log : new boolean[] {false, true}) {
                int r = s[0];
                int c = s[1];
                float[] x = randn(r * c);
                for (int i = 0; i < r; i += 3) {
                    x[i * c] += 1000f; // max-subtracted: huge logits are fine
                }
                Tensor tx = t(x, r, c);
                Tensor out = zeros(r, c);
                backend.softmaxRows(tx, out, log);
                float[] got = get(out);
                for (int i = 0; i < r; i++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) {
                        m = Math.max(m, x[i * c + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < c; j++) {
                        sum += Math.exp(x[i * c + j] - m);
                    }
                    for (int j = 0; j < c; j++) {
                        double z = x[i * c + j] - m;
                        double want = log ? z - Math.log(sum) : Math.exp(z) / sum;
                        double tol = log ? 1e-6 * (Math.abs(z) + Math.log(sum)) + 1e-7 : 4e-7 * want + 1e-30;
                        if (!near(want, got[i * c + j], tol)) {
                            assertClose(want, got[i * c + j], tol, (log ? "log" : "") + "softmaxRows " + shape(s)
                                + " at (" + i + "," + j + ")");
                        }
                    }
                }
                backend.softmaxRows(tx, tx, log); // out may be x
                assertArrayEquals(got, get(tx), "softmaxRows in place");
            }
        }
        Tensor empty = zeros(0, 4);
        backend.softmaxRows(empty, empty, false);
        Tensor one = t(new float[] {42f}, 1, 1);
        Tensor o = zeros(1, 1);
        backend.softmaxRows(one, o, false);
        assertEquals(1f, get(o)[0]);
        backend.softmaxRows(one, o, true);
        assertEquals(0f, get(o)[0]);
    }

    @Test
    void softmaxRowsBackwardFromTheOutput() {
        for (int[] s : AD_SHAPES) {
            for (boolean log : new boolean[] {false, true}) {
                for (float beta : BETAS) {
                    int r = s[0];
                    int c = s[1];
                    Tensor tx = t(randn(r * c), r, c);
                    Tensor out = zeros(r, c);
                    backend.softmaxRows(tx, out, log);
                    float[] y = get(out);
                    float[] g = randn(r * c);
                    float[] old = accumulatorStart(r * c, beta);
                    Tensor gi = t(old, r, c);
                    backend.softmaxRowsBackward(out, t(g, r, c), log, beta, gi);
                    float[] got = get(gi);
                    for (int i = 0; i < r; i++) {
                        double dot = 0;
                        double gs = 0;
                        double abs = 0;
                        for (int j = 0; j < c; j++) {
                            dot += (double) g[i * c + j] * y[i * c + j];
                            gs += g[i * c + j];
                            abs += Math.abs(g[i * c + j]);
                        }
                        for (int j = 0; j < c; j++) {
                            int k = i * c + j;
                            double term = log ? g[k] - Math.exp(y[k]) * gs : y[k] * (g[k] - dot);
                            double scale = log ? Math.abs(g[k]) + Math.exp(y[k]) * abs
                                    : Math.abs(y[k]) * (Math.abs(g[k]) + abs);
                            double tol = 1e-6 * scale + (beta == 0 ? 0 : 4 * Math.ulp(beta * old[k])) + 1e-30;
                            double want = accD(beta, old[k], term);
                            if (!near(want, got[k], tol)) {
                                assertClose(want, got[k], tol, (log ? "log" : "") + "softmaxRowsBackward " + shape(s)
                                        + " beta " + beta + " at (" + i + "," + j + ")");
                            }
                        }
                    }
                    if (beta == 0f) {
                        Tensor tg = t(g, r, c); // gradIn may be gradOut
                        backend.softmaxRowsBackward(out, tg, log, 0f, tg);
                        assertArrayEquals(got, get(tg), "softmaxRowsBackward in place " + shape(s));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ picks, transposes, blocks

    @Test
    void gatherColumnsAndScatterAddColumns() {
        for (int[] s : AD_SHAPES) {
            int r = s[0];
            int c = s[1];
            float[] x = randn(r * c);
            int[] labels = new int[r];
            for (int i = 0; i < r; i++) {
                labels[i] = random.nextInt(c);
            }
            labels[r - 1] = c - 1;
            Tensor ty = ti(labels, r);
            Tensor out = zeros(r);
            backend.gatherColumns(t(x, r, c), ty, out);
            float[] picked = get(out);
            for (int i = 0; i < r; i++) {
                if (!same(x[i * c + labels[i]], picked[i])) {
                    assertSameBits(x[i * c + labels[i]], picked[i], "gatherColumns " + shape(s) + " row " + i);
                }
            }
            for (float beta : BETAS) {
                float[] g = randn(r);
                float[] old = accumulatorStart(r * c, beta);
                Tensor gi = t(old, r, c);
                backend.scatterAddColumns(t(g, r, 1), ty, beta, gi); // gradOut: any shape of n elements
                float[] got = get(gi);
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < c; j++) {
                        int k = i * c + j;
                        if (!same(acc(beta, old[k], j == labels[i] ? g[i] : 0f), got[k])) {
                            assertSameBits(acc(beta, old[k], j == labels[i] ? g[i] : 0f), got[k],
                                "scatterAddColumns " + shape(s) + " beta " + beta + " at (" + i + "," + j + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void gatherAndScatterRefuseBadLabelsAndShapes() {
        Tensor x = zeros(3, 4);
        Tensor out = zeros(3);
        int[] bad = {0, 4, 1};
        Tensor tb = ti(bad, 3);
        assertRefusedAs(() -> OpChecks.labels("gatherColumns", bad, 3, "x", x),
                () -> backend.gatherColumns(x, tb, out));
        int[] negative = {0, 1, -1};
        Tensor tn = ti(negative, 3);
        assertRefusedAs(() -> OpChecks.labels("scatterAddColumns", negative, 3, "gradIn", x),
                () -> backend.scatterAddColumns(out, tn, 0f, x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.gatherColumns(x, tb, out));
        assertTrue(e.getMessage().contains("label 4") && e.getMessage().contains("row 1"), e.getMessage());
        Tensor y2 = ti(new int[] {0, 1}, 2);
        assertRefusedAs(() -> OpChecks.gatherColumns(x, y2, out), () -> backend.gatherColumns(x, y2, out));
        Tensor y3 = ti(new int[] {0, 1, 2}, 3);
        Tensor out4 = zeros(4);
        assertRefusedAs(() -> OpChecks.gatherColumns(x, y3, out4), () -> backend.gatherColumns(x, y3, out4));
        assertRefusedAs(() -> OpChecks.scatterAddColumns(out4, y3, x), () -> backend.scatterAddColumns(out4, y3, 0f,
                x));
        Tensor none = zeros(3, 0);
        assertRefusedAs(() -> OpChecks.gatherColumns(none, y3, out), () -> backend.gatherColumns(none, y3, out));
        assertRefusedAs(() -> OpChecks.int32(backend, Tensor.class, out, "gatherColumns", "labels"),
                () -> backend.gatherColumns(x, out, out));
    }

    @Test
    void transposeAccumulates() {
        int[][] shapes = {{1, 1}, {1, 7}, {7, 1}, {5, 3}, {37, 19}, {300, 257}, {16, 16}, {33, 17}};
        for (int[] s : shapes) {
            for (float beta : BETAS) {
                int r = s[0];
                int c = s[1];
                float[] x = randn(r * c);
                float[] old = accumulatorStart(r * c, beta);
                Tensor out = t(old, c, r);
                backend.transpose(t(x, r, c), beta, out);
                float[] got = get(out);
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < c; j++) {
                        if (!same(acc(beta, old[j * r + i], x[i * c + j]), got[j * r + i])) {
                            assertSameBits(acc(beta, old[j * r + i], x[i * c + j]), got[j * r + i],
                                "transpose " + shape(s) + " beta " + beta + " at (" + i + "," + j + ")");
                        }
                    }
                }
            }
        }
        float[] v = randn(5); // rank 1: one column
        Tensor row = zeros(1, 5);
        backend.transpose(t(v, 5), 0f, row);
        assertArrayEquals(v, get(row));
        Tensor x = zeros(2, 3);
        assertRefusedAs(() -> OpChecks.transpose(x, zeros(2, 3)), () -> backend.transpose(x, 0f, zeros(2, 3)));
        Tensor sq = zeros(3, 3);
        assertRefusedAs(() -> OpChecks.transpose(sq, sq), () -> backend.transpose(sq, 0f, sq));
    }

    @Test
    void copyBlockCopiesOnlyTheBlock() {
        float[] src = randn(7 * 9);
        for (float beta : BETAS) {
            float[] dst = randn(6 * 11);
            Tensor ts = t(src, 7, 9);
            Tensor td = t(dst, 6, 11);
            backend.copyBlock(ts, 2, 3, td, 1, 4, 4, 5, beta);
            float[] got = get(td);
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 11; j++) {
                    boolean in = i >= 1 && i < 5 && j >= 4 && j < 9;
                    float want = in ? acc(beta, dst[i * 11 + j], src[(i - 1 + 2) * 9 + (j - 4 + 3)]) : dst[i * 11 + j];
                    if (!same(want, got[i * 11 + j])) {
                        assertSameBits(want, got[i * 11 + j], "copyBlock beta " + beta + " at (" + i + "," + j + ")");
                    }
                }
            }
        }
        // One element of a loss vector, beta 0 over NaN; an empty block; int32 blocks.
        Tensor loss = t(new float[] {Float.NaN, Float.NaN, Float.NaN}, 3);
        backend.copyBlock(t(new float[] {2.5f}, 1, 1), 0, 0, loss, 1, 0, 1, 1, 0f);
        float[] l = get(loss);
        assertEquals(2.5f, l[1]);
        assertTrue(Float.isNaN(l[0]) && Float.isNaN(l[2]));
        backend.copyBlock(zeros(2, 2), 0, 0, loss, 3, 1, 0, 0, 1f);
        Tensor si = ti(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor di = ti(new int[] {9, 9, 9, 9}, 2, 2);
        backend.copyBlock(si, 0, 1, di, 0, 0, 2, 2, 0f);
        assertArrayEquals(new int[] {2, 3, 5, 6}, backend.downloadInt(di));
        Tensor big = zeros(400, 300);
        float[] wide = randn(400 * 300);
        Tensor tw = t(wide, 400, 300);
        backend.copyBlock(tw, 0, 0, big, 0, 0, 400, 300, 0f);
        assertArrayEquals(wide, get(big));
    }

    @Test
    void copyBlockRefusesBlocksOutsideAndSameTensors() {
        Tensor s = zeros(3, 4);
        Tensor d = zeros(2, 5);
        assertRefusedAs(() -> OpChecks.copyBlock(s, 0, 0, d, 0, 0, 3, 1), () -> backend.copyBlock(s, 0, 0, d, 0, 0, 3,
                1, 0f));
        assertRefusedAs(() -> OpChecks.copyBlock(s, 1, 1, d, 0, 2, 2, 4), () -> backend.copyBlock(s, 1, 1, d, 0, 2, 2,
                4, 0f));
        assertRefusedAs(() -> OpChecks.copyBlock(s, -1, 0, d, 0, 0, 1, 1), () -> backend.copyBlock(s, -1, 0, d, 0, 0,
                1, 1, 0f));
        assertRefusedAs(() -> OpChecks.copyBlock(s, 0, 0, d, 0, 0, -1, 1), () -> backend.copyBlock(s, 0, 0, d, 0, 0,
                -1, 1, 0f));
        assertRefusedAs(() -> OpChecks.copyBlock(s, 0, 0, s, 1, 1, 1, 1), () -> backend.copyBlock(s, 0, 0, s, 1, 1, 1,
                1, 0f));
        Tensor di = backend.allocateInt(2, 5);
        made.add(di);
        assertRefusedAs(() -> OpChecks.copyBlock(s, 0, 0, di, 0, 0, 1, 1), () -> backend.copyBlock(s, 0, 0, di, 0, 0,
                1, 1, 0f));
    }

    @Test
    void refusesAutodiffArgumentsAsTheSharedChecks() {
        UnaryOp exp = UnaryOp.EXP;
        BinaryOp add = BinaryOp.ADD;
        ReduceOp sum = ReduceOp.SUM;
        Tensor x = zeros(3, 4);
        Tensor y = zeros(3, 4);
        Tensor z = zeros(4, 3);
        Tensor odd = zeros(5);
        assertRefusedAs(() -> OpChecks.unary(exp, x, odd), () -> backend.unary(exp, 0f, x, odd));
        assertRefusedAs(() -> OpChecks.unary(null, x, y), () -> backend.unary(null, 0f, x, y));
        assertRefusedAs(() -> OpChecks.unaryBackward(exp, x, y, odd, x), () -> backend.unaryBackward(exp, 0f, x, y,
                odd, 0f, x));
        Tensor xi = backend.allocateInt(3, 4);
        made.add(xi);
        assertRefusedAs(() -> OpChecks.float32(backend, Tensor.class, xi, "unary", "x"),
                () -> backend.unary(exp, 0f, xi, y));
        Tensor row3 = zeros(1, 3);
        Tensor col4 = zeros(4, 1);
        assertRefusedAs(() -> OpChecks.binary(add, x, row3, y), () -> backend.binary(add, x, row3, y));
        assertRefusedAs(() -> OpChecks.binary(add, col4, x, y), () -> backend.binary(add, col4, x, y));
        assertRefusedAs(() -> OpChecks.binary(add, x, y, z), () -> backend.binary(add, x, y, z));
        assertRefusedAs(() -> OpChecks.binaryBackward(add, 2, x, y, y, y, x),
                () -> backend.binaryBackward(add, 2, x, y, y, y, 0f, x));
        Tensor row4 = zeros(1, 4);
        assertRefusedAs(() -> OpChecks.binaryBackward(add, 1, x, row4, y, y, x),
                () -> backend.binaryBackward(add, 1, x, row4, y, y, 0f, x));
        assertRefusedAs(() -> OpChecks.binaryBackward(add, 0, x, row4, y, z, x),
                () -> backend.binaryBackward(add, 0, x, row4, y, z, 0f, x));
        Tensor two = zeros(2);
        assertRefusedAs(() -> OpChecks.reduce("reduce", sum, x, two), () -> backend.reduce(sum, x, two));
        assertRefusedAs(() -> OpChecks.reduce("reduce", sum, x, z), () -> backend.reduce(sum, x, z));
        Tensor one = zeros(1);
        assertRefusedAs(() -> OpChecks.reduceBackward(sum, x, one, two, x), () -> backend.reduceBackward(sum, x, one,
                two, 0f, x));
        assertRefusedAs(() -> OpChecks.reduceBackward(sum, x, one, one, z), () -> backend.reduceBackward(sum, x, one,
                one, 0f, z));
        assertRefusedAs(() -> OpChecks.softmaxRows(x, z), () -> backend.softmaxRows(x, z, false));
        Tensor none = zeros(2, 0);
        assertRefusedAs(() -> OpChecks.softmaxRows(none, none), () -> backend.softmaxRows(none, none, true));
        assertRefusedAs(() -> OpChecks.softmaxRowsBackward(x, z, y), () -> backend.softmaxRowsBackward(x, z, false,
                0f, y));
        assertRefusedAs(() -> OpChecks.softmaxRowsBackward(x, y, z), () -> backend.softmaxRowsBackward(x, y, true,
                0f, z));
        Tensor closed = backend.allocate(3, 4);
        closed.close();
        assertRefusedAs(() -> OpChecks.owned(backend, Tensor.class, closed, "binary", "b"),
                () -> backend.binary(add, x, closed, y));
    }

    @Test
    void autodiffOperationsAreRepeatable() {
        // Same inputs, same bits, on sizes that take the parallel paths.
        int r = 500;
        int c = 301;
        Tensor x = t(randn(r * c), r, c);
        Tensor bias = t(randn(c), 1, c);
        Tensor g = t(randn(r * c), r, c);
        Tensor out1 = zeros(r, c);
        Tensor out2 = zeros(r, c);
        backend.unary(UnaryOp.TANH, 0f, x, out1);
        backend.unary(UnaryOp.TANH, 0f, x, out2);
        assertArrayEquals(get(out1), get(out2));
        Tensor gb1 = zeros(1, c);
        Tensor gb2 = zeros(1, c);
        backend.binaryBackward(BinaryOp.MUL, 1, x, bias, out1, g, 0f, gb1);
        backend.binaryBackward(BinaryOp.MUL, 1, x, bias, out1, g, 0f, gb2);
        assertArrayEquals(get(gb1), get(gb2));
        Tensor s1 = zeros(1);
        Tensor s2 = zeros(1);
        backend.reduce(ReduceOp.SUM, x, s1);
        backend.reduce(ReduceOp.SUM, x, s2);
        assertEquals(get(s1)[0], get(s2)[0]);
        backend.softmaxRows(x, out1, true);
        backend.softmaxRows(x, out2, true);
        assertArrayEquals(get(out1), get(out2));
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

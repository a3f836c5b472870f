package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.testkit.BackendContractTest;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link VectorKernels} against its reference twin {@link ScalarKernels}, kernel by kernel, over odd sizes (so every
 * loop tail is hit) and edge values (±0, NaN, ±∞, huge, subnormal).
 *
 * <p>Expected agreement:
 * <ul>
 *   <li>bit-identical: elementwise ops, {@code gemmPanel}, {@code columnSums}, {@code maxAbs}, {@code allFinite},
 *       every optimizer update (exactly, not to 1 ulp: all are correctly rounded float operations — fma, division,
 *       square root — in the same order), and the per-element gradients of the BCE, MSE and MAE losses (exp and
 *       log1p are the same polynomial in both twins);</li>
 *   <li>to rounding, with a tolerance scaled by the size: {@code sum}, {@code dot}, {@code squaredNorm}, the summed
 *       loss values (double accumulators, lane-wise vs sequential order), and the softmax gradient (whose
 *       denominator is such a sum).</li>
 * </ul>
 * Runs under whatever width the JVM picked; the module's second surefire execution reruns it with 128-bit vectors.
 */
class ScalarVsVectorTest {
    private static final int[] SIZES = {1, 3, 7, 15, 17, 31, 33, 63, 65, 127, 1023, 1025, 4097};
    private static final float[] EDGES = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        3e38f, -3e38f, Float.MIN_VALUE, -1e-40f, 1f, -1f};

    private final CpuKernels s = ScalarKernels.INSTANCE;
    private final CpuKernels v = VectorKernels.INSTANCE;
    private final Random random = new Random(7);

    private float[] data(int n, boolean edges) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * 3;
        }
        if (edges) {
            for (int i = 0; i < n; i += 1 + random.nextInt(5)) {
                a[i] = EDGES[random.nextInt(EDGES.length)];
            }
            a[n - 1] = EDGES[random.nextInt(EDGES.length)]; // the tail too
        }
        return a;
    }

    private float[] positive(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) Math.abs(random.nextGaussian()) + 0.01f;
        }
        return a;
    }

    private static void assertBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            boolean same = Float.floatToIntBits(want[i]) == Float.floatToIntBits(got[i]);
            if (!same) {
                fail(what + "[" + i + "] of " + want.length + ": scalar " + want[i] + ", vector " + got[i]);
            }
        }
    }

    private static void assertNear(double want, double got, double tol, String what) {
        if (Double.isNaN(want) || Double.isNaN(got)) {
            assertTrue(Double.isNaN(want) && Double.isNaN(got), what + ": scalar " + want + ", vector " + got);
            return;
        }
        if (want == got) {
            return;
        }
        if (!(Math.abs(want - got) <= tol)) {
            fail(what + ": scalar " + want + ", vector " + got + " (tol " + tol + ")");
        }
    }

    @Test
    void theRequestedWidthIsUsed() {
        String bits = System.getProperty(KernelSelection.BITS_PROPERTY);
        if (bits != null && !bits.equals("0")) {
            assertEquals(Math.min(Integer.parseInt(bits), VectorKernels.preferredBits()),
                    VectorKernels.F.vectorBitSize());
            assertTrue(KernelSelection.kernels() == VectorKernels.INSTANCE, KernelSelection.reason());
        }
        assertTrue(KernelSelection.reason().length() > 0);
    }

    /** The GEMM driver's row copies: packed strips (zero-padded) and padded rows back into tight ones. */
    @Test
    void rowCopies() {
        int lanes = v.gemmLanes();
        for (int cols : new int[] {1, 3, lanes - 1, lanes, lanes + 1, 10, 2 * lanes + 3, 3 * lanes}) {
            int w = (cols + lanes - 1) / lanes * lanes;
            int rows = 7;
            int ld = cols + 5;
            float[] src = data(rows * ld + 3, false);
            float[] ps = data(rows * w + 9, true);
            float[] pv = ps.clone();
            s.packRows(src, 2, ld, rows, cols, ps, 4, w);
            v.packRows(src, 2, ld, rows, cols, pv, 4, w);
            assertBits(ps, pv, "packRows cols=" + cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < w; c++) {
                    float want = c < cols ? src[2 + r * ld + c] : 0f;
                    assertBits(new float[] {want}, new float[] {pv[4 + r * w + c]}, "packRows (" + r + "," + c + ")");
                }
            }
            float[] cs = data(rows * cols + 6, true);
            float[] cv = cs.clone();
            s.copyRows(src, 1, ld, rows, cols, cs, 3, cols);
            v.copyRows(src, 1, ld, rows, cols, cv, 3, cols);
            assertBits(cs, cv, "copyRows cols=" + cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertBits(new float[] {src[1 + r * ld + c]}, new float[] {cv[3 + r * cols + c]},
                            "copyRows (" + r + "," + c + ")");
                }
            }
        }
    }

    /** Chunk partials added in order (GEMM and fused-pass combines): bit-identical, in place or not, every tail. */
    @Test
    void chunkPartialsAddedInOrder() {
        for (int len : SIZES) {
            for (int chunks : new int[] {1, 2, 5, 14}) {
                int stride = len + 3;
                float[] p = data(stride * chunks, true);
                float[] want = new float[len + 2];
                float[] got = new float[len + 2];
                s.addChunks(p, 1, stride, chunks, want, 2, len);
                v.addChunks(p, 1, stride, chunks, got, 2, len);
                assertBits(want, got, "addChunks len=" + len + " chunks=" + chunks);
                float sum = p[1 + len - 1];
                for (int ch = 1; ch < chunks; ch++) {
                    sum += p[1 + ch * stride + len - 1];
                }
                assertEquals(Float.floatToIntBits(sum), Float.floatToIntBits(got[2 + len - 1]), "last element, in order");
                float[] q = p.clone();
                v.addChunks(q, 1, stride, chunks, q, 1, len); // in place, into the first partial
                for (int i = 0; i < len; i++) {
                    assertEquals(Float.floatToIntBits(want[2 + i]), Float.floatToIntBits(q[1 + i]), "in place " + i);
                }
            }
        }
    }

    @Test
    void elementwise() {
        for (int n : SIZES) {
            for (boolean edges : new boolean[] {false, true}) {
                String at = " n=" + n + (edges ? " (edges)" : "");
                float[] x = data(n, edges);
                float[] y = data(n, edges);
                float[] ys = y.clone();
                float[] yv = y.clone();
                s.axpy(-0.7f, x, ys, 0, n);
                v.axpy(-0.7f, x, yv, 0, n);
                assertBits(ys, yv, "axpy" + at);

                float[] xs = x.clone();
                float[] xv = x.clone();
                s.scale(1.3f, xs, 0, n);
                v.scale(1.3f, xv, 0, n);
                assertBits(xs, xv, "scale" + at);

                float[] os = new float[n];
                float[] ov = new float[n];
                s.multiply(x, y, os, 0, n);
                v.multiply(x, y, ov, 0, n);
                assertBits(os, ov, "multiply" + at);

                xs = x.clone();
                xv = x.clone();
                s.clamp(xs, -1.5f, 2f, 0, n);
                v.clamp(xv, -1.5f, 2f, 0, n);
                assertBits(xs, xv, "clamp" + at);

                s.relu(x, os, 0, n);
                v.relu(x, ov, 0, n);
                assertBits(os, ov, "relu" + at);

                s.reluBackward(y, x, os, 0, n);
                v.reluBackward(y, x, ov, 0, n);
                assertBits(os, ov, "reluBackward" + at);

                // a sub-range leaves the rest alone
                if (n > 4) {
                    float[] rs = y.clone();
                    float[] rv = y.clone();
                    s.axpy(2f, x, rs, 1, n - 2);
                    v.axpy(2f, x, rv, 1, n - 2);
                    assertBits(rs, rv, "axpy sub-range" + at);
                }
            }
        }
    }

    @Test
    void rowAndColumnOps() {
        for (int cols : new int[] {1, 3, 8, 17, 24, 33, 65}) {
            for (int rows : new int[] {1, 5, 31}) {
                float[] x = data(rows * cols, true);
                float[] bias = data(cols, false);
                float[] xs = x.clone();
                float[] xv = x.clone();
                s.addRowVector(xs, bias, cols, 0, rows);
                v.addRowVector(xv, bias, cols, 0, rows);
                assertBits(xs, xv, "addRowVector " + rows + "x" + cols);

                float[] clean = data(rows * cols, false);
                double[] as = new double[cols];
                double[] av = new double[cols];
                as[0] = 0.5;
                av[0] = 0.5;
                s.columnSums(clean, cols, 0, rows, 0, cols, as);
                v.columnSums(clean, cols, 0, rows, 0, cols, av);
                for (int c = 0; c < cols; c++) {
                    assertEquals(as[c], av[c], "columnSums " + rows + "x" + cols + " col " + c);
                }
            }
        }
    }

    @Test
    void reductions() {
        for (int n : SIZES) {
            for (boolean edges : new boolean[] {false, true}) {
                String at = " n=" + n + (edges ? " (edges)" : "");
                float[] x = data(n, edges);
                float[] y = data(n, edges);
                double abs = 0;
                double dabs = 0;
                for (int i = 0; i < n; i++) {
                    abs += Math.abs(x[i]);
                    dabs += Math.abs((double) x[i] * y[i]);
                }
                double tol = 4 * n * Math.ulp(1.0);
                assertNear(s.sum(x, 0, n), v.sum(x, 0, n), tol * abs, "sum" + at);
                assertNear(s.dot(x, y, 0, n), v.dot(x, y, 0, n), tol * dabs, "dot" + at);
                double sq = s.squaredNorm(x, 0, n);
                assertNear(sq, v.squaredNorm(x, 0, n), tol * sq, "squaredNorm" + at);
                assertEquals(Float.floatToIntBits(s.maxAbs(x, 0, n)), Float.floatToIntBits(v.maxAbs(x, 0, n)),
                        "maxAbs" + at);
                assertEquals(s.allFinite(x, 0, n), v.allFinite(x, 0, n), "allFinite" + at);
                if (n > 2) {
                    assertNear(s.sum(x, 1, n - 1), v.sum(x, 1, n - 1), tol * abs, "sum sub-range" + at);
                }
            }
        }
    }

    @Test
    void losses() {
        for (int k : new int[] {1, 2, 3, 7, 8, 10, 17, 33, 100}) {
            int rows = 13;
            float[] z = data(rows * k, false);
            z[k / 2] = 1e4f;
            z[rows * k - 1] = -1e4f;
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                labels[r] = random.nextInt(k);
            }
            float[] gs = new float[rows * k];
            float[] gv = new float[rows * k];
            double ls = s.softmaxCrossEntropy(z, labels, gs, k, 0, rows, 1f / rows);
            double lv = v.softmaxCrossEntropy(z, labels, gv, k, 0, rows, 1f / rows);
            assertNear(ls, lv, 1e-6 * Math.max(1, Math.abs(ls)), "softmaxCrossEntropy loss k=" + k);
            for (int i = 0; i < gs.length; i++) {
                assertNear(gs[i], gv[i], 4e-7 / rows + 4e-7 * Math.abs(gs[i]), "softmaxCrossEntropy grad k=" + k
                        + " [" + i + "]");
            }
            // gradient written over the logits (aliasing)
            float[] za = z.clone();
            double la = v.softmaxCrossEntropy(za, labels, za, k, 0, rows, 1f / rows);
            assertEquals(lv, la, "aliased logits/grad loss k=" + k);
            assertBits(gv, za, "aliased logits/grad k=" + k);
        }
        for (int n : SIZES) {
            float[] x = data(n, false);
            if (n > 3) {
                x[0] = 1e4f;
                x[1] = -1e4f;
                x[2] = 0f;
            }
            float[] t = new float[n];
            for (int i = 0; i < n; i++) {
                t[i] = random.nextFloat();
            }
            float[] gs = new float[n];
            float[] gv = new float[n];
            float scale = 1f / n;
            double ls = s.sigmoidBinaryCrossEntropy(x, t, gs, 0, n, scale);
            double lv = v.sigmoidBinaryCrossEntropy(x, t, gv, 0, n, scale);
            assertNear(ls, lv, 1e-6 * Math.max(1, Math.abs(ls)), "BCE loss n=" + n);
            assertBits(gs, gv, "BCE grad n=" + n);
            ls = s.squaredError(x, t, gs, 0, n, 2 * scale);
            lv = v.squaredError(x, t, gv, 0, n, 2 * scale);
            assertNear(ls, lv, 4 * n * Math.ulp(ls), "squaredError n=" + n);
            assertBits(gs, gv, "squaredError grad n=" + n);
            float[] p = data(n, true);
            float[] q = data(n, true);
            if (n > 2) {
                q[1] = p[1];
            }
            ls = s.absoluteError(p, q, gs, 0, n, scale);
            lv = v.absoluteError(p, q, gv, 0, n, scale);
            assertNear(ls, lv, 4 * n * Math.ulp(Math.abs(ls)) + 1e-300, "absoluteError n=" + n);
            assertBits(gs, gv, "absoluteError grad n=" + n);
            s.absoluteError(x, t, null, 0, n, scale); // no gradient wanted
            v.absoluteError(x, t, null, 0, n, scale);
        }
    }

    /**
     * The softmax's row losses: each twin's per-row values add up, in row order from the start value, to the sum it
     * returns, bit for bit; rows computed in pieces (as the fused pass's threads compute them) give the same row
     * losses and gradient as one call; the gradient does not depend on whether row losses are asked for; and the two
     * twins' row losses agree to rounding.
     */
    @Test
    void softmaxRowLossesAddUpToTheSum() {
        int group = CpuKernels.LOG_GROUP;
        for (int k : new int[] {1, 3, 8, 10, 24, 33}) {
            int rows = 21;
            float[] z = data(rows * k, false);
            z[k / 2] = 1e4f; // a row whose other classes underflow
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                labels[r] = random.nextInt(k);
            }
            // Independent reference: each row's max + log Σ exp(z − max) − z_y in double, added up.
            double reference = BackendContractTest.refSoftmaxCe(z, labels, rows, k, 1, new double[rows * k]);
            double[][] twinTerms = new double[2][];
            CpuKernels[] twins = {s, v};
            for (int t = 0; t < 2; t++) {
                CpuKernels kern = twins[t];
                String at = (t == 0 ? "scalar" : "vector") + " k=" + k;
                double start = 0.75;
                int off = 3;
                double[] rowLoss = new double[off + 2 * rows];
                float[] g = new float[rows * k];
                double total = kern.softmaxCrossEntropy(z, labels, g, k, 0, rows, 0.5f, start, rowLoss, off);
                assertNear(start + reference, total, 1e-6 * Math.abs(reference), at + ": sum vs reference");
                double again = start;
                for (int r = 0; r < rows; r++) {
                    double term = rowLoss[off + 2 * r];
                    double groupLog = rowLoss[off + 2 * r + 1];
                    assertTrue(term >= 0, at + ": row " + r + " max - z_y " + term);
                    boolean endsGroup = (r + 1) % group == 0 || r + 1 == rows;
                    assertTrue(endsGroup ? groupLog >= 0 : groupLog == 0.0, at + ": row " + r + " log " + groupLog);
                    again += term;
                    again += groupLog;
                }
                assertEquals(Double.doubleToRawLongBits(total), Double.doubleToRawLongBits(again),
                        at + ": row terms added in order");
                float[] plain = new float[rows * k];
                assertEquals(Double.doubleToRawLongBits(total), Double.doubleToRawLongBits(
                        kern.softmaxCrossEntropy(z, labels, plain, k, 0, rows, 0.5f, start)), at + ": sum");
                assertBits(plain, g, at + ": gradient with and without row terms");
                double[] pieces = new double[2 * rows];
                float[] gp = new float[rows * k];
                double chained = start;
                for (int r0 = 0; r0 < rows; r0 += group) { // pieces cut at multiples of the log group
                    int r1 = Math.min(rows, r0 + group);
                    kern.softmaxCrossEntropy(z, labels, gp, k, r0, r1, 0.5f, 0, pieces, 2 * r0);
                    chained = kern.softmaxCrossEntropy(z, labels, null, k, r0, r1, 0.5f, chained);
                }
                assertEquals(Double.doubleToRawLongBits(total), Double.doubleToRawLongBits(chained),
                        at + ": sum continued piece by piece");
                for (int i = 0; i < 2 * rows; i++) {
                    assertEquals(Double.doubleToRawLongBits(rowLoss[off + i]), Double.doubleToRawLongBits(pieces[i]),
                            at + ": row " + i / 2 + " term " + i % 2 + " computed in pieces");
                }
                assertBits(g, gp, at + ": gradient computed in pieces");
                twinTerms[t] = pieces;
            }
            for (int i = 0; i < 2 * rows; i++) {
                double want = twinTerms[0][i];
                assertNear(want, twinTerms[1][i], 1e-6 * Math.max(1, Math.abs(want)), "row " + i / 2 + " term "
                        + i % 2 + " k=" + k);
            }
        }
    }

    @Test
    void optimizerUpdatesAreBitIdentical() {
        for (int n : SIZES) {
            for (boolean edges : new boolean[] {false, true}) {
                String at = " n=" + n + (edges ? " (edges)" : "");
                float[] p = data(n, edges);
                float[] g = data(n, edges);
                float[] st1 = data(n, false);
                float[] st2 = positive(n);
                float[] st3 = positive(n);
                for (int variant = 0; variant < 8; variant++) {
                    boolean a = (variant & 1) != 0;
                    boolean b = (variant & 2) != 0;
                    boolean c = (variant & 4) != 0;
                    String what = at + " variant " + variant;
                    {
                        float[][] sx = {p.clone(), st1.clone()};
                        float[][] vx = {p.clone(), st1.clone()};
                        s.sgd(sx[0], g, sx[1], 0, n, -0.05f, a, 0.01f, true, 0.9f, 0.9f, b && !c, c, b && c);
                        v.sgd(vx[0], g, vx[1], 0, n, -0.05f, a, 0.01f, true, 0.9f, 0.9f, b && !c, c, b && c);
                        assertBits(sx[0], vx[0], "sgd θ" + what);
                        assertBits(sx[1], vx[1], "sgd buf" + what);
                        sx[0] = p.clone();
                        vx[0] = p.clone();
                        s.sgd(sx[0], g, null, 0, n, -0.1f, a, 0.1f, false, 0f, 1f, false, b, false);
                        v.sgd(vx[0], g, null, 0, n, -0.1f, a, 0.1f, false, 0f, 1f, false, b, false);
                        assertBits(sx[0], vx[0], "sgd plain θ" + what);
                    }
                    {
                        float[][] sx = {p.clone(), st1.clone(), st2.clone(), st3.clone()};
                        float[][] vx = {p.clone(), st1.clone(), st2.clone(), st3.clone()};
                        float[] smax = b ? sx[3] : null;
                        float[] vmax = b ? vx[3] : null;
                        s.adam(sx[0], g, sx[1], sx[2], smax, 0, n, -0.0123f, 0.9f, 0.1f, 0.999f, 0.001f, 0.0447f,
                                1e-8f, a, 0.01f, c, 0.9999f, a && b);
                        v.adam(vx[0], g, vx[1], vx[2], vmax, 0, n, -0.0123f, 0.9f, 0.1f, 0.999f, 0.001f, 0.0447f,
                                1e-8f, a, 0.01f, c, 0.9999f, a && b);
                        for (int i = 0; i < 4; i++) {
                            assertBits(sx[i], vx[i], "adam state " + i + what);
                        }
                    }
                    {
                        float[][] sx = {p.clone(), st2.clone(), st1.clone(), st3.clone()};
                        float[][] vx = {p.clone(), st2.clone(), st1.clone(), st3.clone()};
                        s.rmsprop(sx[0], g, sx[1], b ? sx[2] : null, c ? sx[3] : null, 0, n, -0.01f, 0.99f, 0.01f,
                                1e-8f, a, 0.1f, c, 0.9f, a && c);
                        v.rmsprop(vx[0], g, vx[1], b ? vx[2] : null, c ? vx[3] : null, 0, n, -0.01f, 0.99f, 0.01f,
                                1e-8f, a, 0.1f, c, 0.9f, a && c);
                        for (int i = 0; i < 4; i++) {
                            assertBits(sx[i], vx[i], "rmsprop state " + i + what);
                        }
                    }
                    {
                        float[][] sx = {p.clone(), st2.clone()};
                        float[][] vx = {p.clone(), st2.clone()};
                        s.adagrad(sx[0], g, sx[1], 0, n, -0.01f, 1e-10f, a, 0.1f, b);
                        v.adagrad(vx[0], g, vx[1], 0, n, -0.01f, 1e-10f, a, 0.1f, b);
                        assertBits(sx[0], vx[0], "adagrad θ" + what);
                        assertBits(sx[1], vx[1], "adagrad sum" + what);
                    }
                }
            }
        }
    }

    @Test
    void nadamRadamAdamaxAdadeltaAreBitIdentical() {
        for (int n : SIZES) {
            for (boolean edges : new boolean[] {false, true}) {
                String at = " n=" + n + (edges ? " (edges)" : "");
                float[] p = data(n, edges);
                float[] g = data(n, edges);
                float[] st1 = data(n, edges);
                float[] st2 = positive(n);
                if (edges) {
                    st2[n - 1] = Float.NaN; // a NaN state element must stay NaN in both twins
                }
                for (int variant = 0; variant < 8; variant++) {
                    boolean wd = (variant & 1) != 0;
                    boolean max = (variant & 2) != 0;
                    boolean adaptive = (variant & 4) != 0;
                    String what = at + " variant " + variant;
                    {
                        float[][] sx = {p.clone(), st1.clone(), st2.clone()};
                        float[][] vx = {p.clone(), st1.clone(), st2.clone()};
                        s.nadam(sx[0], g, sx[1], sx[2], 0, n, -0.0021f, -0.0183f, 0.9f, 0.1f, 0.999f, 0.001f,
                                0.00299f, 1e-8f, wd, 0.01f, max);
                        v.nadam(vx[0], g, vx[1], vx[2], 0, n, -0.0021f, -0.0183f, 0.9f, 0.1f, 0.999f, 0.001f,
                                0.00299f, 1e-8f, wd, 0.01f, max);
                        for (int i = 0; i < 3; i++) {
                            assertBits(sx[i], vx[i], "nadam state " + i + what);
                        }
                    }
                    {
                        float[][] sx = {p.clone(), st1.clone(), st2.clone()};
                        float[][] vx = {p.clone(), st1.clone(), st2.clone()};
                        s.radam(sx[0], g, sx[1], sx[2], 0, n, 0.01f, 0.9f, 0.1f, 0.99f, 0.01f, 0.468f, adaptive,
                                0.2421f, 0.0817f, 1e-8f, wd, 0.01f, max);
                        v.radam(vx[0], g, vx[1], vx[2], 0, n, 0.01f, 0.9f, 0.1f, 0.99f, 0.01f, 0.468f, adaptive,
                                0.2421f, 0.0817f, 1e-8f, wd, 0.01f, max);
                        for (int i = 0; i < 3; i++) {
                            assertBits(sx[i], vx[i], "radam state " + i + what);
                        }
                    }
                    {
                        float[][] sx = {p.clone(), st1.clone(), st2.clone()};
                        float[][] vx = {p.clone(), st1.clone(), st2.clone()};
                        float beta2 = adaptive ? 0.5f : 0.999f;
                        s.adamax(sx[0], g, sx[1], sx[2], 0, n, -0.0137f, 0.9f, 0.1f, beta2, 1e-3f, wd, 0.01f, max);
                        v.adamax(vx[0], g, vx[1], vx[2], 0, n, -0.0137f, 0.9f, 0.1f, beta2, 1e-3f, wd, 0.01f, max);
                        for (int i = 0; i < 3; i++) {
                            assertBits(sx[i], vx[i], "adamax state " + i + what);
                        }
                    }
                    {
                        float[][] sx = {p.clone(), st2.clone(), st2.clone()};
                        float[][] vx = {p.clone(), st2.clone(), st2.clone()};
                        float rho = adaptive ? 1f : 0.9f;
                        s.adadelta(sx[0], g, sx[1], sx[2], 0, n, -1f, rho, 1 - rho, 1e-6f, wd, 0.01f, max);
                        v.adadelta(vx[0], g, vx[1], vx[2], 0, n, -1f, rho, 1 - rho, 1e-6f, wd, 0.01f, max);
                        for (int i = 0; i < 3; i++) {
                            assertBits(sx[i], vx[i], "adadelta state " + i + what);
                        }
                    }
                }
            }
        }
    }

    /**
     * Rows of at most one vector take {@code softmaxOneVector}: the same bits as the general loop over a row's vectors
     * ({@code softmaxRows}) for every class count up to a vector, whole rows and pieces, with and without the gradient
     * (also written over the logits) and the row terms.
     */
    @Test
    void oneVectorSoftmaxIsTheGeneralLoopBitForBit() {
        VectorKernels vk = VectorKernels.INSTANCE;
        for (int k = 1; k <= vk.gemmLanes(); k++) {
            int rows = 37;
            float[] z = data(rows * k, false);
            z[k / 2] = 1e4f; // a row whose other classes underflow
            z[rows * k - 1] = -1e4f;
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                labels[r] = random.nextInt(k);
            }
            for (int[] cut : new int[][] {{0, rows}, {0, 8}, {5, 29}, {36, 37}, {3, 3}}) {
                for (boolean withGrad : new boolean[] {false, true}) {
                    String what = "k=" + k + " rows " + cut[0] + ".." + cut[1] + " grad=" + withGrad;
                    float[] gOne = withGrad ? new float[rows * k] : null;
                    float[] gRows = withGrad ? new float[rows * k] : null;
                    double[] tOne = new double[2 + 2 * rows];
                    double[] tRows = new double[2 + 2 * rows];
                    double one = vk.softmaxOneVector(z, labels, gOne, k, cut[0], cut[1], 0.25f, 0.5, tOne, 2);
                    double all = vk.softmaxRows(z, labels, gRows, k, cut[0], cut[1], 0.25f, 0.5, tRows, 2);
                    assertEquals(Double.doubleToRawLongBits(all), Double.doubleToRawLongBits(one), what + ": sum");
                    for (int i = 0; i < tOne.length; i++) {
                        assertEquals(Double.doubleToRawLongBits(tRows[i]), Double.doubleToRawLongBits(tOne[i]),
                                what + ": row term " + i);
                    }
                    if (withGrad) {
                        assertBits(gRows, gOne, what + ": gradient");
                    }
                }
            }
            // the gradient written over the logits, as the fused pass and the CPU backend may ask
            float[] zOne = z.clone();
            float[] zRows = z.clone();
            double one = vk.softmaxOneVector(zOne, labels, zOne, k, 0, rows, 1f / rows, 0, null, 0);
            double all = vk.softmaxRows(zRows, labels, zRows, k, 0, rows, 1f / rows, 0, null, 0);
            assertEquals(Double.doubleToRawLongBits(all), Double.doubleToRawLongBits(one), "k=" + k + " aliased");
            assertBits(zRows, zOne, "k=" + k + " aliased gradient");
        }
    }

    @Test
    void gemmPanelsAreBitIdentical() {
        int lanes = v.gemmLanes();
        for (int w = lanes; w <= 3 * lanes; w += lanes) {
            for (int rows : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
                for (int kLen : new int[] {1, 2, 7, 31, 256}) {
                    for (boolean trans : new boolean[] {false, true}) {
                        int rs = trans ? 1 : kLen + 3;
                        int ks = trans ? rows + 2 : 1;
                        float[] a = data(rows * kLen + (rows + 3) * (kLen + 3), false);
                        float[] pb = data(kLen * (w + 5) + 5, false);
                        int ldd = w + 3;
                        float[] d0 = data(rows * ldd + 2, false);
                        for (int ldb : new int[] {w, w + 5}) { // packed strip, or B used in place
                            for (boolean acc : new boolean[] {false, true}) {
                                float[] ds = d0.clone();
                                float[] dv = d0.clone();
                                s.gemmPanel(a, 1, rs, ks, rows, kLen, pb, 2, ldb, w, ds, 1, ldd, acc);
                                v.gemmPanel(a, 1, rs, ks, rows, kLen, pb, 2, ldb, w, dv, 1, ldd, acc);
                                assertBits(ds, dv, "gemmPanel w=" + w + " ldb=" + ldb + " rows=" + rows + " k="
                                        + kLen + " trans=" + trans + " acc=" + acc);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Panels padded to whole vectors with fewer valid destination columns: the same bits in the valid columns, and
     * nothing written past them (the next columns of a tightly packed destination belong to another row).
     */
    @Test
    void gemmPanelsWriteOnlyTheValidColumns() {
        int lanes = v.gemmLanes();
        for (int w = lanes; w <= 3 * lanes; w += lanes) {
            for (int valid = w - lanes + 1; valid <= w; valid++) {
                for (int rows : new int[] {1, 3, 4, 9}) {
                    for (int kLen : new int[] {1, 7, 33}) {
                        float[] a = data(rows * (kLen + 3) + 4, false);
                        float[] pb = data(kLen * w + 5, false);
                        int ldd = valid + 2;
                        float[] d0 = data(rows * ldd + w + 4, false);
                        for (boolean acc : new boolean[] {false, true}) {
                            float[] ds = d0.clone();
                            float[] dv = d0.clone();
                            s.gemmPanel(a, 1, kLen + 3, 1, rows, kLen, pb, 2, w, w, valid, ds, 1, ldd, acc);
                            v.gemmPanel(a, 1, kLen + 3, 1, rows, kLen, pb, 2, w, w, valid, dv, 1, ldd, acc);
                            String what = "gemmPanel w=" + w + " valid=" + valid + " rows=" + rows + " k=" + kLen
                                    + " acc=" + acc;
                            assertBits(ds, dv, what);
                            for (int i = 0; i < d0.length; i++) {
                                int col = (i - 1) % ldd;
                                boolean written = i >= 1 && i < 1 + rows * ldd && col < valid;
                                if (!written) {
                                    assertEquals(Float.floatToRawIntBits(d0[i]), Float.floatToRawIntBits(dv[i]),
                                            what + ": element " + i + " past the valid columns was written");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

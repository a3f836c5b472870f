package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The autodiff kernels of {@link VectorKernels} against their reference twin {@link ScalarKernels}, in
 * {@link ScalarVsVectorTest}'s way: odd sizes (every loop tail), edge values, offsets and strides.
 *
 * <p>Every kernel must give the same bits in both twins: the vector ones use only correctly rounded operations (+, −,
 * ×, ÷, √, fma, max) in the scalar twin's order, the transcendental functions are java.lang.Math's in both, and
 * sigmoid, softplus and the softmax's exps are {@link ScalarKernels#expNonPositive} and
 * {@link ScalarKernels#log1pUnit} lane by lane. Only the softmax along rows and its gradient agree to rounding: their
 * sums in double add the lanes in another order.
 */
class ScalarVsVectorAutodiffTest {
    private static final int[] SIZES = {1, 3, 7, 15, 17, 31, 33, 63, 65, 127, 1023, 1025, 4097};
    private static final float[] EDGES = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        3e38f, -3e38f, Float.MIN_VALUE, -1e-40f, 1f, -1f, 25f, -25f};
    private static final float[] BETAS = {0f, 1f, 0.75f};

    private final CpuKernels s = ScalarKernels.INSTANCE;
    private final CpuKernels v = VectorKernels.INSTANCE;
    private final Random random = new Random(11);

    private float[] data(int n, boolean edges) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian() * 3;
        }
        if (edges) {
            for (int i = 0; i < n; i += 1 + random.nextInt(5)) {
                a[i] = EDGES[random.nextInt(EDGES.length)];
            }
            a[n - 1] = EDGES[random.nextInt(EDGES.length)];
        }
        return a;
    }

    /** An accumulator: NaN where beta is 0 (it must not show), values otherwise. */
    private float[] accumulator(int n, float beta) {
        float[] a = data(n, false);
        if (beta == 0f) {
            java.util.Arrays.fill(a, Float.NaN);
        }
        return a;
    }

    private static void assertBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                fail(what + "[" + i + "] of " + want.length + ": scalar " + want[i] + ", vector " + got[i]);
            }
        }
    }


    private static void assertNear(double want, double got, double tol, String what) {
        if (Double.isNaN(want) || Double.isNaN(got)) {
            if (!(Double.isNaN(want) && Double.isNaN(got))) {
                fail(what + ": scalar " + want + ", vector " + got);
            }
            return;
        }
        if (!(want == got || Math.abs(want - got) <= tol)) {
            fail(what + ": scalar " + want + ", vector " + got + " (tol " + tol + ")");
        }
    }

    private interface Forward {
        void run(CpuKernels k, float[] x, float[] out, int from, int to);
    }

    private interface Backward {
        void run(CpuKernels k, float[] in, float[] g, float beta, float[] gi, int from, int to);
    }

    private void forward(String name, Forward f) {
        for (int n : SIZES) {
            for (boolean edges : new boolean[] {false, true}) {
                float[] x = data(n + 2, edges);
                float[] os = data(n + 2, false);
                float[] ov = os.clone();
                f.run(s, x, os, 1, n + 1); // an offset range: the elements around it stay as they are
                f.run(v, x, ov, 1, n + 1);
                String what = name + " n=" + n + (edges ? " (edges)" : "");
                assertBits(os, ov, what);
                float[] inPlace = x.clone(); // out may be x
                f.run(v, inPlace, inPlace, 0, n + 2);
                float[] apart = new float[n + 2];
                f.run(v, x, apart, 0, n + 2);
                assertBits(apart, inPlace, what + " in place");
            }
        }
    }

    private void backward(String name, Backward f) {
        for (int n : SIZES) {
            for (float beta : BETAS) {
                for (boolean edges : new boolean[] {false, true}) {
                    float[] in = data(n, edges);
                    float[] g = data(n, edges);
                    float[] gs = accumulator(n, beta);
                    float[] gv = gs.clone();
                    f.run(s, in, g, beta, gs, 0, n);
                    f.run(v, in, g, beta, gv, 0, n);
                    String what = name + " n=" + n + " beta=" + beta + (edges ? " (edges)" : "");
                    assertBits(gs, gv, what);
                }
            }
            float[] in = data(n, false); // gradIn may be gradOut
            float[] g = data(n, false);
            float[] apart = new float[n];
            f.run(v, in, g, 0f, apart, 0, n);
            f.run(v, in, g, 0f, g, 0, n);
            assertBits(apart, g, name + " n=" + n + " in place");
        }
    }

    @Test
    void elementwiseFunctions() {
        forward("neg", (k, x, o, a, b) -> k.neg(x, o, a, b));
        forward("sqrt", (k, x, o, a, b) -> k.sqrt(x, o, a, b));
        forward("abs", (k, x, o, a, b) -> k.abs(x, o, a, b));
        forward("exp", (k, x, o, a, b) -> k.exp(x, o, a, b));
        forward("log", (k, x, o, a, b) -> k.log(x, o, a, b));
        forward("log1p", (k, x, o, a, b) -> k.log1p(x, o, a, b));
        forward("sin", (k, x, o, a, b) -> k.sin(x, o, a, b));
        forward("cos", (k, x, o, a, b) -> k.cos(x, o, a, b));
        forward("tanh", (k, x, o, a, b) -> k.tanh(x, o, a, b));
        forward("sigmoid", (k, x, o, a, b) -> k.sigmoid(x, o, a, b));
        forward("softplus", (k, x, o, a, b) -> k.softplus(x, o, a, b));
        for (float p : new float[] {2f, 3f, 0.5f, -0.5f, -1f, -2f, 1f, 0f, -0f}) {
            forward("pow " + p, (k, x, o, a, b) -> k.pow(p, x, o, a, b));
        }
        for (float p : new float[] {1.5f, -0.75f, 2.5f, 7f}) { // Math.pow per element in both twins
            forward("pow " + p, (k, x, o, a, b) -> k.pow(p, x, o, a, b));
        }
    }

    @Test
    void elementwiseGradients() {
        backward("negGrad", (k, in, g, beta, gi, a, b) -> k.negGrad(g, beta, gi, a, b));
        backward("expGrad", (k, in, g, beta, gi, a, b) -> k.expGrad(in, g, beta, gi, a, b));
        backward("logGrad", (k, in, g, beta, gi, a, b) -> k.logGrad(in, g, beta, gi, a, b));
        backward("log1pGrad", (k, in, g, beta, gi, a, b) -> k.log1pGrad(in, g, beta, gi, a, b));
        backward("sqrtGrad", (k, in, g, beta, gi, a, b) -> k.sqrtGrad(in, g, beta, gi, a, b));
        backward("absGrad", (k, in, g, beta, gi, a, b) -> k.absGrad(in, g, beta, gi, a, b));
        backward("tanhGrad", (k, in, g, beta, gi, a, b) -> k.tanhGrad(in, g, beta, gi, a, b));
        backward("sigmoidGrad", (k, in, g, beta, gi, a, b) -> k.sigmoidGrad(in, g, beta, gi, a, b));
        backward("reluGrad", (k, in, g, beta, gi, a, b) -> k.reluGrad(in, g, beta, gi, a, b));
        backward("sinGrad", (k, in, g, beta, gi, a, b) -> k.sinGrad(in, g, beta, gi, a, b));
        backward("cosGrad", (k, in, g, beta, gi, a, b) -> k.cosGrad(in, g, beta, gi, a, b));
        backward("softplusGrad", (k, in, g, beta, gi, a, b) -> k.softplusGrad(in, g, beta, gi, a, b));
        // p − 1 special (exact) and general
        for (float p : new float[] {3f, 2f, 1.5f, 0.5f, 1f, 0f, -1f}) {
            backward("powGrad " + p, (k, in, g, beta, gi, a, b) -> k.powGrad(p, in, g, beta, gi, a, b));
        }
        for (float p : new float[] {2.5f, -0.5f, -2f, 0.25f}) { // Math.pow per element in both twins
            backward("powGrad " + p, (k, in, g, beta, gi, a, b) -> k.powGrad(p, in, g, beta, gi, a, b));
        }
    }

    private interface Strided {
        void run(CpuKernels k, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff,
                int n);
    }

    /** Every stride pair (whole or one element for each operand), offsets, and the elements around the output. */
    private void strided(String name, boolean positiveA, Strided f) {
        for (int n : SIZES) {
            for (int as = 0; as < 2; as++) {
                for (int bs = 0; bs < 2; bs++) {
                    float[] a = data(n + 3, !positiveA);
                    if (positiveA) {
                        for (int i = 0; i < a.length; i++) {
                            a[i] = Math.abs(a[i]) + 0.01f;
                        }
                    }
                    float[] b = data(n + 2, true);
                    float[] os = data(n + 4, false);
                    float[] ov = os.clone();
                    f.run(s, a, 3, as, b, 2, bs, os, 1, n);
                    f.run(v, a, 3, as, b, 2, bs, ov, 1, n);
                    String what = name + " n=" + n + " strides " + as + "," + bs;
                    assertBits(os, ov, what);
                }
            }
        }
    }

    @Test
    void broadcastingBinaryOperations() {
        strided("add", false, (k, a, ao, as, b, bo, bs, o, oo, n) -> k.add(a, ao, as, b, bo, bs, o, oo, n));
        strided("sub", false, (k, a, ao, as, b, bo, bs, o, oo, n) -> k.sub(a, ao, as, b, bo, bs, o, oo, n));
        strided("mul", false, (k, a, ao, as, b, bo, bs, o, oo, n) -> k.mul(a, ao, as, b, bo, bs, o, oo, n));
        strided("div", false, (k, a, ao, as, b, bo, bs, o, oo, n) -> k.div(a, ao, as, b, bo, bs, o, oo, n));
        strided("pow", true, (k, a, ao, as, b, bo, bs, o, oo, n) -> k.pow(a, ao, as, b, bo, bs, o, oo, n));
    }

    private interface Grad {
        void run(CpuKernels k, float[] g, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] y,
                float beta, float[] d, int n);
    }

    private void grad(String name, boolean positiveA, Grad f) {
        for (int n : SIZES) {
            for (float beta : BETAS) {
                for (int as = 0; as < 2; as++) {
                    for (int bs = 0; bs < 2; bs++) {
                        float[] g = data(n + 1, true);
                        float[] a = data(n + 3, !positiveA);
                        if (positiveA) {
                            for (int i = 0; i < a.length; i++) {
                                a[i] = Math.abs(a[i]) + 0.01f;
                            }
                            a[3] = 0f; // POW's zero cases
                        }
                        float[] b = data(n + 2, true);
                        float[] y = data(n + 5, false);
                        float[] ds = accumulator(n + 2, beta);
                        float[] dv = ds.clone();
                        f.run(s, g, a, 3, as, b, 2, bs, y, beta, ds, n);
                        f.run(v, g, a, 3, as, b, 2, bs, y, beta, dv, n);
                        String what = name + " n=" + n + " beta=" + beta + " strides " + as + "," + bs;
                        assertBits(ds, dv, what);
                    }
                }
            }
        }
    }

    @Test
    void broadcastingGradients() {
        grad("spread", false, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.spread(a, ao, as, 1f, beta, d, 2, n));
        grad("spread -1", false, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.spread(a, ao, as, -1f, beta, d, 2, n));
        grad("spread /7", false, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.spread(a, ao, as, 7f, beta, d, 2, n));
        grad("mulGrad", false, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.mulGrad(g, 1, a, ao, as, beta, d, 2, n));
        grad("divGradA", false, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.divGradA(g, 1, b, bo, bs, beta, d, 2, n));
        grad("divGradB", false, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.divGradB(g, 1, a, ao, as, b, bo, bs, beta, d, 2, n));
        grad("powGradA", true, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.powGradA(g, 1, a, ao, as, b, bo, bs, beta, d, 2, n));
        grad("powGradB", true, (k, g, a, ao, as, b, bo, bs, y, beta, d, n) ->
                k.powGradB(g, 1, a, ao, as, b, bo, bs, y, 4, beta, d, 2, n));
    }

    @Test
    void maxima() {
        for (int n : SIZES) {
            for (boolean edges : new boolean[] {false, true}) {
                float[] x = data(n + 2, edges);
                String what = "max n=" + n + (edges ? " (edges)" : "");
                assertEquals(Float.floatToIntBits(s.max(x, 1, n + 1)), Float.floatToIntBits(v.max(x, 1, n + 1)), what);
            }
        }
        float[] zeros = {-0f, 0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f};
        assertEquals(Float.floatToIntBits(s.max(zeros, 0, zeros.length)),
                Float.floatToIntBits(v.max(zeros, 0, zeros.length)), "max of ±0");
        assertEquals(Float.NEGATIVE_INFINITY, v.max(zeros, 3, 3), "max of nothing");
        for (int cols : new int[] {1, 3, 8, 17, 24, 33, 65}) {
            for (int rows : new int[] {1, 5, 31}) {
                float[] x = data(rows * cols, true);
                float[] as = data(cols + 2, false);
                float[] av = as.clone();
                s.columnMax(x, cols, 0, rows, 1, cols, as);
                v.columnMax(x, cols, 0, rows, 1, cols, av);
                assertBits(as, av, "columnMax " + rows + "x" + cols);
            }
        }
    }

    @Test
    void softmaxRowsAndTheirGradients() {
        for (int cols : new int[] {1, 2, 3, 7, 8, 10, 17, 33, 100}) {
            int rows = 9;
            float[] x = data(rows * cols, false);
            x[cols / 2] = 1e4f;
            x[rows * cols - 1] = -1e4f;
            x[cols] = Float.NEGATIVE_INFINITY;
            for (boolean log : new boolean[] {false, true}) {
                String what = (log ? "log" : "") + "softmaxRows cols=" + cols;
                float[] ys = new float[rows * cols];
                float[] yv = new float[rows * cols];
                s.softmaxRows(x, ys, cols, 0, rows, log);
                v.softmaxRows(x, yv, cols, 0, rows, log);
                for (int i = 0; i < ys.length; i++) {
                    double tol = log ? 1e-6 * (1 + Math.abs(ys[i])) : 4e-7 * Math.abs(ys[i]) + 1e-30;
                    assertNear(ys[i], yv[i], tol, what + " [" + i + "]");
                }
                float[] inPlace = x.clone();
                v.softmaxRows(inPlace, inPlace, cols, 0, rows, log);
                assertBits(yv, inPlace, what + " in place");
                for (float beta : BETAS) {
                    float[] g = data(rows * cols, false);
                    float[] gs = accumulator(rows * cols, beta);
                    float[] gv = gs.clone();
                    s.softmaxRowsGrad(ys, g, cols, 0, rows, log, beta, gs);
                    v.softmaxRowsGrad(ys, g, cols, 0, rows, log, beta, gv);
                    for (int i = 0; i < gs.length; i++) {
                        double tol = 2e-6 * (Math.abs(gs[i]) + 3 * Math.sqrt(cols)) + 1e-30;
                        assertNear(gs[i], gv[i], tol, what + " grad beta=" + beta + " [" + i + "]");
                    }
                    float[] ga = g.clone(); // gradIn may be gradOut
                    float[] apart = new float[g.length];
                    v.softmaxRowsGrad(ys, g, cols, 0, rows, log, 0f, apart);
                    v.softmaxRowsGrad(ys, ga, cols, 0, rows, log, 0f, ga);
                    assertBits(apart, ga, what + " grad in place");
                }
            }
        }
    }

    @Test
    void transposes() {
        for (int[] shape : new int[][] {{1, 1}, {1, 17}, {17, 1}, {16, 16}, {33, 17}, {40, 65}}) {
            int rows = shape[0];
            int cols = shape[1];
            float[] x = data(rows * cols, true);
            for (float beta : BETAS) {
                float[] os = accumulator(rows * cols, beta);
                float[] ov = os.clone();
                s.transpose(x, rows, cols, 0, rows, beta, os);
                v.transpose(x, rows, cols, 0, rows, beta, ov);
                assertBits(os, ov, "transpose " + rows + "x" + cols + " beta=" + beta);
            }
        }
    }
}

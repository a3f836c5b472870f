package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.BinaryOp;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operations reverse-mode autodiff records ({@code reshape} to {@code copyBlock}) on CUDA, each against a
 * reference computed here in double precision from the same float inputs: odd shapes and shapes that take several
 * blocks, every broadcast pattern of both operands, every reduction axis, ties and NaN in maxima, beta 0 over NaN
 * accumulators and beta 1 accumulation, views, bad labels found on the host and on the device; and a training step
 * made of them replayed as a CUDA graph, bit for bit as run directly, without waiting for the device.
 *
 * <p>Tolerance: the float kernels round each operation once (transcendentals once, from double), so an element may
 * differ from the double reference by a few roundings of the magnitudes it was computed from ({@link #assertNear}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaAutodiffOpsTest {
    private static final int[][] SHAPES = {{1, 1}, {1, 7}, {7, 1}, {5, 3}, {37, 19}};
    /** Shapes that take several partial blocks (300 x 37), strided rows (3 x 700) and several column tiles. */
    private static final int[][] LARGE = {{300, 37}, {3, 700}, {70, 45}};
    private static final double ROUNDING = 0x1p-24;
    private static final float[] SPECIALS = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        20f, 25f, -25f, 1e-20f};
    private static final float[] POW_EXPONENTS = {2f, 3f, 0.5f, -0.5f, -1f, -2f, 1f, 0f, 1.5f, -1.3f};

    private CudaBackend cuda;
    private final Random random = new Random(20261207);
    private final List<Tensor> made = new ArrayList<>();

    @BeforeAll
    void open() {
        cuda = CudaTests.open();
    }

    @AfterAll
    void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    @AfterEach
    void closeTensors() {
        for (Tensor t : made) {
            t.close();
        }
        made.clear();
    }

    // ------------------------------------------------------------------------------------------------ unary

    @Test
    void unaryMatchesTheReferenceOnEveryShapeWithSpecialValues() {
        for (UnaryOp op : UnaryOp.values()) {
            for (float p : op == UnaryOp.POW ? POW_EXPONENTS : new float[] {0f}) {
                for (int[] s : SHAPES) {
                    float[] x = unaryInput(op, p, s[0] * s[1]);
                    Tensor tx = up(x, s);
                    Tensor out = nanTensor(s);
                    cuda.unary(op, p, tx, out);
                    float[] got = cuda.download(out);
                    double[] want = new double[x.length];
                    double[] mag = new double[x.length];
                    for (int i = 0; i < x.length; i++) {
                        want[i] = unaryRef(op, p, x[i]);
                        mag[i] = Math.abs(want[i]);
                    }
                    String what = op + " p=" + p + " " + Arrays.toString(s);
                    assertNear(want, mag, got, what);
                    if (exact(op, p)) {
                        for (int i = 0; i < x.length; i++) {
                            assertEquals(exactUnary(op, p, x[i]), got[i], what + " exactly at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void unaryOutMayAliasX() {
        float[] x = uniform(35, -3, 3);
        Tensor t = up(x, 5, 7);
        cuda.unary(UnaryOp.TANH, 0f, t, t);
        float[] got = cuda.download(t);
        for (int i = 0; i < x.length; i++) {
            assertEquals((float) Math.tanh(x[i]), got[i], 2 * Math.ulp((float) Math.tanh(x[i])));
        }
    }

    @Test
    void unaryBackwardMatchesTheReferenceWithBeta0OverNaNAndBeta1() {
        for (UnaryOp op : UnaryOp.values()) {
            for (float p : op == UnaryOp.POW ? POW_EXPONENTS : new float[] {0f}) {
                for (int[] s : SHAPES) {
                    int n = s[0] * s[1];
                    float[] x = unaryInput(op, p, n);
                    Tensor tx = up(x, s);
                    Tensor ty = zeros(s);
                    cuda.unary(op, p, tx, ty);
                    float[] y = cuda.download(ty);
                    float[] g = uniform(n, -2, 2);
                    Tensor tg = up(g, s);
                    for (float beta : new float[] {0f, 1f, 0.5f}) {
                        float[] acc = beta == 0f ? nan(n) : uniform(n, -2, 2);
                        Tensor gin = up(acc, s);
                        cuda.unaryBackward(op, p, tx, ty, tg, beta, gin);
                        double[] want = new double[n];
                        double[] mag = new double[n];
                        for (int i = 0; i < n; i++) {
                            double[] r = unaryGradRef(op, p, x[i], y[i], g[i]);
                            accumulateRef(beta, acc[i], r[0], r[1], want, mag, i);
                        }
                        assertNear(want, mag, cuda.download(gin),
                                op + "' p=" + p + " beta=" + beta + " " + Arrays.toString(s));
                    }
                }
            }
        }
    }

    @Test
    void unaryBackwardGradInMayAliasGradOut() {
        float[] x = uniform(21, -3, 3);
        float[] g = uniform(21, -2, 2);
        Tensor tx = up(x, 3, 7);
        Tensor ty = zeros(3, 7);
        cuda.unary(UnaryOp.SIGMOID, 0f, tx, ty);
        float[] y = cuda.download(ty);
        Tensor tg = up(g, 3, 7);
        cuda.unaryBackward(UnaryOp.SIGMOID, 0f, tx, ty, tg, 0f, tg);
        float[] got = cuda.download(tg);
        for (int i = 0; i < g.length; i++) {
            assertEquals((g[i] * (1f - y[i])) * y[i], got[i], "the kernel's float formula, element " + i);
        }
    }

    private float[] unaryInput(UnaryOp op, float p, int n) {
        float[] x = switch (op) {
            case LOG, SQRT -> uniform(n, 0.01, 4);
            case LOG1P -> uniform(n, -0.5, 3);
            case POW -> p == Math.rint(p) ? uniform(n, -2, 2) : uniform(n, 0.01, 3);
            default -> uniform(n, -4, 4);
        };
        if (n >= SPECIALS.length * 4) {
            System.arraycopy(SPECIALS, 0, x, 0, SPECIALS.length);
        }
        return x;
    }

    /** POW's exponents that torch special-cases, as the contract spells them (in double). */
    private static double powRule(double x, double p) {
        if (p == 2) {
            return x * x;
        }
        if (p == 3) {
            return x * x * x;
        }
        if (p == 0.5) {
            return Math.sqrt(x);
        }
        if (p == -0.5) {
            return 1 / Math.sqrt(x);
        }
        if (p == -1) {
            return 1 / x;
        }
        if (p == -2) {
            return 1 / (x * x);
        }
        if (p == 1) {
            return x;
        }
        if (p == 0) {
            return 1;
        }
        return Math.pow(x, p);
    }

    private static double unaryRef(UnaryOp op, double p, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0;
            case SOFTPLUS -> x > 20 ? x : Math.log1p(Math.exp(x));
            case POW -> powRule(x, p);
        };
    }

    /** The contract's exact operations: NEG, ABS, SQRT, RELU and POW with an exponent torch special-cases. */
    private static boolean exact(UnaryOp op, float p) {
        return switch (op) {
            case NEG, ABS, SQRT, RELU -> true;
            case POW -> p == 2 || p == 3 || p == 0.5f || p == -0.5f || p == -1 || p == -2 || p == 1 || p == 0;
            default -> false;
        };
    }

    private static float exactUnary(UnaryOp op, float p, float x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQRT -> (float) Math.sqrt(x);
            case RELU -> x > 0 || Float.isNaN(x) ? x : 0f;
            default -> p == 2 ? x * x : p == 3 ? x * x * x : p == 0.5f ? (float) Math.sqrt(x)
                    : p == -0.5f ? 1f / (float) Math.sqrt(x) : p == -1 ? 1f / x : p == -2 ? 1f / (x * x)
                    : p == 1 ? x : 1f;
        };
    }

    /** The gradient g·op'(x) from x and the backend's y, and the magnitude its roundings scale with. */
    private static double[] unaryGradRef(UnaryOp op, double p, double x, double y, double g) {
        double v = switch (op) {
            case NEG -> -g;
            case EXP -> g * y;
            case LOG -> g / x;
            case LOG1P -> g / (x + 1);
            case SQRT -> g / (2 * y);
            case ABS -> g * ((x > 0 ? 1 : 0) - (x < 0 ? 1 : 0));
            case SIN -> g * Math.cos(x);
            case COS -> g * -Math.sin(x);
            case TANH -> g * (1 - y * y);
            case SIGMOID -> g * (1 - y) * y;
            case RELU -> y > 0 ? g : 0;
            case SOFTPLUS -> x > 20 ? g : g * Math.exp(x) / (Math.exp(x) + 1);
            case POW -> p == 0 ? 0 : g * p * powRule(x, p - 1);
        };
        double mag = switch (op) {
            case TANH -> Math.abs(g) * (1 + y * y);
            case SIGMOID -> Math.abs(g * y) * (Math.abs(1 - y) + Math.abs(y));
            case LOG1P -> Math.abs(v) * (1 + (Math.abs(x) + 1) / Math.abs(x + 1));
            default -> Math.abs(v);
        };
        return new double[] {v, mag};
    }

    // ------------------------------------------------------------------------------------------------ binary

    /** The operand shapes that broadcast to [rows, cols]: the output's, one row, one column, one element. */
    private static int[][] patterns(int rows, int cols) {
        return new int[][] {{rows, cols}, {1, cols}, {rows, 1}, {1, 1}};
    }

    @Test
    void binaryMatchesTheReferenceForEveryBroadcastPattern() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] s : SHAPES) {
                for (int[] sa : patterns(s[0], s[1])) {
                    for (int[] sb : patterns(s[0], s[1])) {
                        float[] a = operandA(op, sa[0] * sa[1]);
                        float[] b = operandB(op, sb[0] * sb[1]);
                        Tensor out = nanTensor(s);
                        cuda.binary(op, up(a, sa), up(b, sb), out);
                        double[] want = new double[s[0] * s[1]];
                        double[] mag = new double[want.length];
                        for (int i = 0; i < s[0]; i++) {
                            for (int j = 0; j < s[1]; j++) {
                                double av = at(a, sa, i, j);
                                double bv = at(b, sb, i, j);
                                int e = i * s[1] + j;
                                want[e] = binaryRef(op, av, bv);
                                mag[e] = op == BinaryOp.ADD || op == BinaryOp.SUB ? Math.abs(av) + Math.abs(bv)
                                        : Math.abs(want[e]);
                            }
                        }
                        assertNear(want, mag, cuda.download(out), op + " " + Arrays.toString(sa) + " "
                                + Arrays.toString(sb) + " -> " + Arrays.toString(s));
                    }
                }
            }
        }
    }

    @Test
    void binaryOutMayAliasAnOperandOfItsShape() {
        float[] a = uniform(15, -2, 2);
        float[] b = uniform(3, -2, 2);
        Tensor ta = up(a, 5, 3);
        cuda.binary(BinaryOp.MUL, ta, up(b, 1, 3), ta);
        float[] got = cuda.download(ta);
        for (int e = 0; e < 15; e++) {
            assertEquals(a[e] * b[e % 3], got[e], "element " + e);
        }
    }

    @Test
    void binaryBackwardReducesBroadcastOperandsForEveryPatternAndBeta() {
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] s : SHAPES) {
                binaryBackwardCases(op, s, new float[] {0f, 1f});
            }
        }
    }

    @Test
    void binaryBackwardOnShapesThatTakeSeveralBlocks() {
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW}) {
            for (int[] s : LARGE) {
                binaryBackwardCases(op, s, new float[] {0f, 0.5f});
            }
        }
    }

    private void binaryBackwardCases(BinaryOp op, int[] s, float[] betas) {
        int rows = s[0];
        int cols = s[1];
        for (int[] sa : patterns(rows, cols)) {
            for (int[] sb : patterns(rows, cols)) {
                float[] a = operandA(op, sa[0] * sa[1]);
                float[] b = operandB(op, sb[0] * sb[1]);
                Tensor ta = up(a, sa);
                Tensor tb = up(b, sb);
                Tensor out = zeros(s);
                cuda.binary(op, ta, tb, out);
                float[] y = cuda.download(out);
                float[] g = uniform(rows * cols, -2, 2);
                Tensor tg = up(g, s);
                for (int arg = 0; arg < 2; arg++) {
                    int[] sg = arg == 0 ? sa : sb;
                    for (float beta : betas) {
                        float[] acc = beta == 0f ? nan(sg[0] * sg[1]) : uniform(sg[0] * sg[1], -2, 2);
                        Tensor grad = up(acc, sg);
                        cuda.binaryBackward(op, arg, ta, tb, out, tg, beta, grad);
                        double[] sum = new double[acc.length];
                        double[] sumMag = new double[acc.length];
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) {
                                int e = i * cols + j;
                                double[] t = binaryGradRef(op, arg, at(a, sa, i, j), at(b, sb, i, j), y[e], g[e]);
                                int k = (sg[0] == 1 ? 0 : i) * sg[1] + (sg[1] == 1 ? 0 : j);
                                sum[k] += t[0];
                                sumMag[k] += t[1];
                            }
                        }
                        double[] want = new double[acc.length];
                        double[] mag = new double[acc.length];
                        for (int k = 0; k < acc.length; k++) {
                            accumulateRef(beta, acc[k], sum[k], sumMag[k], want, mag, k);
                        }
                        assertNear(want, mag, cuda.download(grad), op + " d/d" + (arg == 0 ? "a " : "b ")
                                + Arrays.toString(sa) + " " + Arrays.toString(sb) + " -> " + Arrays.toString(s)
                                + " beta=" + beta);
                    }
                }
            }
        }
    }

    @Test
    void powGradientsFollowTorchsSpecialCases() {
        // d/da is 0 where b == 0; d/db is 0 where a == 0 and b >= 0 (else y ln a: -inf, NaN for a < 0)
        float[] a = {0f, 0f, 0f, 2f, -2f, -2f, 0f, 3f};
        float[] b = {2f, 0f, -1f, 0f, 2f, 0.5f, 0.5f, -0.5f};
        float[] g = {1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f};
        Tensor ta = up(a, 2, 4);
        Tensor tb = up(b, 2, 4);
        Tensor y = zeros(2, 4);
        cuda.binary(BinaryOp.POW, ta, tb, y);
        float[] yv = cuda.download(y);
        Tensor ga = nanTensor(2, 4);
        Tensor gb = nanTensor(2, 4);
        cuda.binaryBackward(BinaryOp.POW, 0, ta, tb, y, up(g, 2, 4), 0f, ga);
        cuda.binaryBackward(BinaryOp.POW, 1, ta, tb, y, up(g, 2, 4), 0f, gb);
        float[] da = cuda.download(ga);
        float[] db = cuda.download(gb);
        for (int i = 0; i < a.length; i++) {
            double wantA = b[i] == 0 ? 0 : b[i] * Math.pow(a[i], b[i] - 1);
            double wantB = a[i] == 0 && b[i] >= 0 ? 0 : yv[i] * Math.log(a[i]);
            assertNear(new double[] {wantA}, new double[] {Math.abs(wantA)}, new float[] {da[i]}, "d/da at " + i);
            assertNear(new double[] {wantB}, new double[] {Math.abs(wantB)}, new float[] {db[i]}, "d/db at " + i);
        }
        assertEquals(0f, da[1]);
        assertEquals(0f, db[0]);
        assertEquals(0f, db[1]);
        assertTrue(Float.isNaN(db[4]), "ln of a negative base");
    }

    private float[] operandA(BinaryOp op, int n) {
        return op == BinaryOp.POW ? uniform(n, 0.2, 2.5) : uniform(n, -2, 2);
    }

    private float[] operandB(BinaryOp op, int n) {
        if (op == BinaryOp.DIV) {
            float[] b = uniform(n, 0.5, 2);
            for (int i = 0; i < n; i++) {
                b[i] = random.nextBoolean() ? b[i] : -b[i];
            }
            return b;
        }
        return uniform(n, -2, 2);
    }

    private static double binaryRef(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
        };
    }

    /** One element's g·∂(a op b)/∂arg from the backend's y, and the magnitude its roundings scale with. */
    private static double[] binaryGradRef(BinaryOp op, int arg, double a, double b, double y, double g) {
        double v = switch (op) {
            case ADD -> g;
            case SUB -> arg == 0 ? g : -g;
            case MUL -> arg == 0 ? g * b : g * a;
            case DIV -> arg == 0 ? g / b : -g * a / b / b;
            case POW -> arg == 0 ? (b == 0 ? 0 : g * b * Math.pow(a, b - 1))
                    : (a == 0 && b >= 0 ? 0 : g * y * Math.log(a));
        };
        // d/da of POW: the kernel rounds b - 1 to float first, which moves a^(b-1) by up to |b-1| |ln a| roundings
        double mag = op == BinaryOp.POW && arg == 0 ? Math.abs(v) * (1 + Math.abs(b - 1) * Math.abs(Math.log(a)))
                : Math.abs(v);
        return new double[] {v, mag};
    }

    // ------------------------------------------------------------------------------------------------ reductions

    /** The output shapes of a reduction of [rows, cols]: one element, one per column, one per row (and rank-1). */
    private static int[][] reduceOutputs(int rows, int cols) {
        return new int[][] {{1}, {1, 1}, {1, cols}, {rows, 1}, {rows}};
    }

    @Test
    void reduceSumMeanMaxAlongEveryAxis() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] s : shapes) {
                // small integers for MAX: many ties, which go to the first maximum
                float[] x = op == ReduceOp.MAX ? smallInts(s[0] * s[1]) : uniform(s[0] * s[1], -2, 2);
                Tensor tx = up(x, s);
                for (int[] so : reduceOutputs(s[0], s[1])) {
                    Tensor out = nanTensor(so);
                    cuda.reduce(op, tx, out);
                    int[][] lines = lines(s, so);
                    double[] want = new double[lines.length];
                    double[] mag = new double[lines.length];
                    for (int k = 0; k < lines.length; k++) {
                        if (op == ReduceOp.MAX) {
                            want[k] = x[firstMax(x, lines[k])];
                            continue;
                        }
                        for (int e : lines[k]) {
                            want[k] += x[e];
                            mag[k] += Math.abs(x[e]);
                        }
                        if (op == ReduceOp.MEAN) {
                            want[k] /= lines[k].length;
                            mag[k] /= lines[k].length;
                        }
                    }
                    float[] got = cuda.download(out);
                    String what = op + " " + Arrays.toString(s) + " -> " + Arrays.toString(so);
                    assertNear(want, mag, got, what);
                    if (op == ReduceOp.MAX) {
                        for (int k = 0; k < lines.length; k++) {
                            assertEquals((float) want[k], got[k], what + " exactly at " + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void reduceBackwardAlongEveryAxisWithBeta0OverNaNAndBeta1() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] s : shapes) {
                int n = s[0] * s[1];
                float[] x = op == ReduceOp.MAX ? smallInts(n) : uniform(n, -2, 2);
                Tensor tx = up(x, s);
                for (int[] so : reduceOutputs(s[0], s[1])) {
                    Tensor out = zeros(so);
                    cuda.reduce(op, tx, out);
                    int[][] lines = lines(s, so);
                    float[] g = uniform(lines.length, -2, 2);
                    Tensor tg = up(g, so);
                    for (float beta : new float[] {0f, 1f}) {
                        float[] acc = beta == 0f ? nan(n) : uniform(n, -2, 2);
                        Tensor gin = up(acc, s);
                        cuda.reduceBackward(op, tx, out, tg, beta, gin);
                        double[] v = new double[n];
                        for (int k = 0; k < lines.length; k++) {
                            if (op == ReduceOp.MAX) {
                                v[firstMax(x, lines[k])] = g[k];
                            } else {
                                for (int e : lines[k]) {
                                    v[e] = op == ReduceOp.MEAN ? (double) g[k] / lines[k].length : g[k];
                                }
                            }
                        }
                        double[] want = new double[n];
                        double[] mag = new double[n];
                        for (int e = 0; e < n; e++) {
                            accumulateRef(beta, acc[e], v[e], Math.abs(v[e]), want, mag, e);
                        }
                        assertNear(want, mag, cuda.download(gin), op + "' " + Arrays.toString(s) + " -> "
                                + Arrays.toString(so) + " beta=" + beta);
                    }
                }
            }
        }
    }

    @Test
    void maximaGoToTheFirstMaximumOrTheFirstNaN() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        // rows: a tie, two NaNs, all -inf, -0 before 0, 0 before -0, the maximum last
        float[] x = {
            1, 3, 3, 2, 3,
            0, 5, nan, 9, nan,
            -inf, -inf, -inf, -inf, -inf,
            -0f, 0f, -1, -2, -0f,
            0f, -0f, -1, -2, 0f,
            1, 2, 3, 4, 5,
        };
        int[] first = {1, 2, 0, 0, 0, 4};
        int rows = 6;
        int cols = 5;
        float[] xt = new float[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                xt[j * rows + i] = x[i * cols + j];
            }
        }
        float[] g = uniform(rows, 1, 2);
        // along rows of x, and down the columns of its transpose: the same lines
        for (boolean down : new boolean[] {false, true}) {
            Tensor tx = down ? up(xt, cols, rows) : up(x, rows, cols);
            Tensor out = down ? nanTensor(1, rows) : nanTensor(rows, 1);
            cuda.reduce(ReduceOp.MAX, tx, out);
            float[] m = cuda.download(out);
            Tensor gin = down ? nanTensor(cols, rows) : nanTensor(rows, cols);
            cuda.reduceBackward(ReduceOp.MAX, tx, out, down ? up(g, 1, rows) : up(g, rows, 1), 0f, gin);
            float[] gi = cuda.download(gin);
            for (int i = 0; i < rows; i++) {
                float want = x[i * cols + first[i]];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(m[i]),
                        "max of line " + i + (down ? " (columns)" : " (rows)") + ": " + m[i]);
                for (int j = 0; j < cols; j++) {
                    float got = down ? gi[j * rows + i] : gi[i * cols + j];
                    assertEquals(j == first[i] ? g[i] : 0f, got, "gradient of line " + i + " at " + j);
                }
            }
        }
        for (int i = 0; i < rows; i++) {
            // over everything: each row alone, as one tensor
            Tensor tx = up(Arrays.copyOfRange(x, i * cols, (i + 1) * cols), cols);
            Tensor out = nanTensor(1);
            cuda.reduce(ReduceOp.MAX, tx, out);
            assertEquals(Float.floatToRawIntBits(x[i * cols + first[i]]),
                    Float.floatToRawIntBits(cuda.download(out)[0]), "max of row " + i + " as one tensor");
        }
    }

    @Test
    void theFirstMaximumWinsAcrossTheBlocksOfALargeReduction() {
        int n = 300 * 37; // 11 partial blocks of 1024 elements
        for (int[] hot : new int[][] {{5, 9000}, {9000, 10500}, {1100, 11099}}) {
            for (boolean withNaN : new boolean[] {false, true}) {
                float[] x = uniform(n, -1, 1);
                float v = withNaN ? Float.NaN : 7f;
                x[hot[0]] = v;
                x[hot[1]] = v;
                Tensor tx = up(x, 300, 37);
                Tensor out = nanTensor(1, 1);
                cuda.reduce(ReduceOp.MAX, tx, out);
                assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(cuda.download(out)[0]));
                Tensor gin = nanTensor(300, 37);
                cuda.reduceBackward(ReduceOp.MAX, tx, out, up(new float[] {3f}, 1), 0f, gin);
                float[] gi = cuda.download(gin);
                for (int e = 0; e < n; e++) {
                    assertEquals(e == hot[0] ? 3f : 0f, gi[e], "element " + e + ", maxima at "
                            + Arrays.toString(hot));
                }
            }
        }
    }

    @Test
    void reductionsOverNothing() {
        Tensor empty = zeros(0, 3);
        Tensor sums = nanTensor(1, 3);
        cuda.reduce(ReduceOp.SUM, empty, sums);
        assertArrayEquals(new float[] {0, 0, 0}, cuda.download(sums));
        cuda.reduce(ReduceOp.MEAN, empty, sums);
        float[] means = cuda.download(sums);
        for (float m : means) {
            assertTrue(Float.isNaN(m), "the mean of nothing is NaN");
        }
        Tensor one = nanTensor(1);
        cuda.reduce(ReduceOp.SUM, zeros(0), one);
        assertEquals(0f, cuda.download(one)[0]);
        cuda.reduce(ReduceOp.MEAN, zeros(0), one);
        assertTrue(Float.isNaN(cuda.download(one)[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.reduce(ReduceOp.MAX, empty, sums));
        assertTrue(e.getMessage().startsWith("reduce max: the maximum of no elements is undefined"), e.getMessage());
    }

    /** The element indices each output element of a reduction of shape s into so reads, in order. */
    private static int[][] lines(int[] s, int[] so) {
        int rows = s[0];
        int cols = s[1];
        long outSize = so.length == 1 ? so[0] : (long) so[0] * so[1];
        if (outSize == 1) {
            int[] all = new int[rows * cols];
            for (int e = 0; e < all.length; e++) {
                all[e] = e;
            }
            return new int[][] {all};
        }
        boolean downColumns = so.length == 2 && so[0] == 1 && so[1] == cols;
        int[][] lines = new int[downColumns ? cols : rows][];
        for (int k = 0; k < lines.length; k++) {
            lines[k] = new int[downColumns ? rows : cols];
            for (int t = 0; t < lines[k].length; t++) {
                lines[k][t] = downColumns ? t * cols + k : k * cols + t;
            }
        }
        return lines;
    }

    /** The first maximum of x over the indices of a line (NaN counts as the largest). */
    private static int firstMax(float[] x, int[] line) {
        int best = line[0];
        for (int e : line) {
            if (Float.isNaN(x[e])) {
                return e;
            }
            if (x[e] > x[best]) {
                best = e;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------------------------------------ softmax

    @Test
    void softmaxAndLogSoftmaxAlongRows() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            float[] x = uniform(rows * cols, -5, 5);
            if (rows >= 5) {
                for (int j = 0; j < cols; j++) {
                    x[j] = 1000f + j % 3;                 // max-subtracted: no overflow
                    x[2 * cols + j] = -1000f - j % 2;     // nor underflow of the whole row
                }
                x[4 * cols + cols - 1] = Float.NaN;       // a NaN makes its row NaN
            }
            Tensor tx = up(x, s);
            for (boolean log : new boolean[] {false, true}) {
                Tensor out = nanTensor(s);
                cuda.softmaxRows(tx, out, log);
                float[] got = cuda.download(out);
                double[] want = new double[x.length];
                double[] mag = new double[x.length];
                for (int i = 0; i < rows; i++) {
                    double m = Double.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int j = 0; j < cols; j++) {
                        m = Math.max(m, x[i * cols + j]);
                        nan |= Float.isNaN(x[i * cols + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < cols; j++) {
                        sum += Math.exp(x[i * cols + j] - m);
                    }
                    for (int j = 0; j < cols; j++) {
                        int e = i * cols + j;
                        double d = x[e] - m;
                        want[e] = nan ? Double.NaN : log ? d - Math.log(sum) : Math.exp(d) / sum;
                        mag[e] = log ? Math.abs(d) + Math.abs(Math.log(sum)) : Math.abs(want[e]);
                    }
                }
                assertNear(want, mag, got, (log ? "logSoftmax " : "softmax ") + Arrays.toString(s));
            }
        }
    }

    @Test
    void softmaxOutMayAliasX() {
        float[] x = uniform(37 * 19, -3, 3);
        Tensor a = up(x, 37, 19);
        Tensor b = zeros(37, 19);
        cuda.softmaxRows(a, b, true);
        cuda.softmaxRows(a, a, true);
        assertArrayEquals(cuda.download(b), cuda.download(a));
    }

    @Test
    void softmaxBackwardWithBeta0OverNaNAndBeta1() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            int n = rows * cols;
            Tensor tx = up(uniform(n, -3, 3), s);
            float[] g = uniform(n, -2, 2);
            Tensor tg = up(g, s);
            for (boolean log : new boolean[] {false, true}) {
                Tensor ty = zeros(s);
                cuda.softmaxRows(tx, ty, log);
                float[] y = cuda.download(ty);
                for (float beta : new float[] {0f, 1f}) {
                    float[] acc = beta == 0f ? nan(n) : uniform(n, -2, 2);
                    Tensor gin = up(acc, s);
                    cuda.softmaxRowsBackward(ty, tg, log, beta, gin);
                    double[] want = new double[n];
                    double[] mag = new double[n];
                    for (int i = 0; i < rows; i++) {
                        double sum = 0;
                        double sumMag = 0;
                        for (int j = 0; j < cols; j++) {
                            int e = i * cols + j;
                            sum += log ? g[e] : (double) g[e] * y[e];
                            sumMag += Math.abs(log ? g[e] : (double) g[e] * y[e]);
                        }
                        for (int j = 0; j < cols; j++) {
                            int e = i * cols + j;
                            double v = log ? g[e] - Math.exp(y[e]) * sum : y[e] * (g[e] - sum);
                            double vm = log ? Math.abs(g[e]) + Math.exp(y[e]) * sumMag
                                    : Math.abs(y[e]) * (Math.abs(g[e]) + sumMag);
                            accumulateRef(beta, acc[e], v, vm, want, mag, e);
                        }
                    }
                    assertNear(want, mag, cuda.download(gin), (log ? "logSoftmax' " : "softmax' ")
                            + Arrays.toString(s) + " beta=" + beta);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ columns

    @Test
    void gatherColumnsPicksOneElementPerRow() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        for (int[] s : shapes) {
            float[] x = uniform(s[0] * s[1], -2, 2);
            int[] labels = labels(s[0], s[1]);
            Tensor out = nanTensor(s[0]);
            cuda.gatherColumns(up(x, s), upInt(labels, s[0]), out);
            float[] got = cuda.download(out);
            for (int i = 0; i < s[0]; i++) {
                assertEquals(x[i * s[1] + labels[i]], got[i], Arrays.toString(s) + " row " + i);
            }
        }
    }

    @Test
    void scatterAddColumnsWithBeta0OverNaNAndBeta1() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        for (int[] s : shapes) {
            int n = s[0] * s[1];
            float[] g = uniform(s[0], -2, 2);
            int[] labels = labels(s[0], s[1]);
            for (float beta : new float[] {0f, 1f, 0.5f}) {
                float[] acc = beta == 0f ? nan(n) : uniform(n, -2, 2);
                Tensor gin = up(acc, s);
                cuda.scatterAddColumns(up(g, s[0], 1), upInt(labels, s[0]), beta, gin);
                double[] want = new double[n];
                double[] mag = new double[n];
                for (int e = 0; e < n; e++) {
                    int i = e / s[1];
                    double v = e % s[1] == labels[i] ? g[i] : 0;
                    accumulateRef(beta, acc[e], v, Math.abs(v), want, mag, e);
                }
                assertNear(want, mag, cuda.download(gin), "scatterAddColumns " + Arrays.toString(s) + " beta="
                        + beta);
            }
        }
    }

    @Test
    void labelsTheHostKnowsAreCheckedAtTheCall() {
        Tensor x = up(uniform(6, -1, 1), 2, 3);
        Tensor labels = upInt(new int[] {0, 5}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.gatherColumns(x, labels, zeros(2)));
        assertEquals("gatherColumns: label 5 at row 1 is outside [0, 3) for x [2, 3]", e.getMessage());
        Tensor negative = upInt(new int[] {-1, 0}, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> cuda.scatterAddColumns(zeros(2), negative, 0f, zeros(2, 3)));
        assertEquals("scatterAddColumns: label -1 at row 0 is outside [0, 3) for gradIn [2, 3]", e.getMessage());
    }

    @Test
    void labelsOnlyTheDeviceKnowsAreReportedAtTheNextSync() {
        Tensor x = up(uniform(12, -1, 1), 4, 3);
        Tensor labels = deviceLabels(4, 10, 7, 1); // row 1 holds 7: outside [0, 3)
        Tensor out = nanTensor(4);
        cuda.gatherColumns(x, labels, out); // queued: no exception, no wait
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cuda::synchronize);
        assertTrue(e.getMessage().startsWith("gatherColumns: label 7 in row 1 is outside [0, 3) (found on the "
                + "device; reported by synchronize"), e.getMessage());
        float[] got = cuda.download(out); // reported once; the good rows were gathered
        assertEquals(cuda.download(x)[0], got[0]);
        assertTrue(Float.isNaN(got[1]), "the bad row is left as it was");

        Tensor gin = nanTensor(4, 3);
        cuda.scatterAddColumns(up(new float[] {1, 2, 3, 4}, 4), labels, 0f, gin);
        e = assertThrows(IllegalArgumentException.class, () -> cuda.get(gin, 0));
        assertTrue(e.getMessage().startsWith("scatterAddColumns: label 7 in row 1 is outside [0, 3) (found on the "
                + "device; reported by get"), e.getMessage());
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 3, 0, 0, 4, 0, 0}, cuda.download(gin),
                "the bad row is only scaled (beta 0: zeros)");
    }

    /** Int32 labels written by a kernel (argmax of a one-hot), so the host does not know them. */
    private Tensor deviceLabels(int rows, int cols, int hotColumn, int hotRow) {
        float[] x = new float[rows * cols];
        x[hotRow * cols + hotColumn] = 1f;
        Tensor labels = cuda.allocateInt(rows);
        made.add(labels);
        cuda.argmaxRows(up(x, rows, cols), labels);
        return labels;
    }

    private int[] labels(int rows, int cols) {
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = random.nextInt(cols);
        }
        return y;
    }

    // ------------------------------------------------------------------------------------------------ blocks

    @Test
    void transposeWithBeta0OverNaNAndBeta1() {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(SHAPES));
        shapes.addAll(Arrays.asList(LARGE));
        shapes.add(new int[] {7}); // rank 1: one column, so out is [1, 7]
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s.length == 2 ? s[1] : 1;
            int n = rows * cols;
            float[] x = uniform(n, -2, 2);
            Tensor tx = up(x, s);
            for (float beta : new float[] {0f, 1f}) {
                float[] acc = beta == 0f ? nan(n) : uniform(n, -2, 2);
                Tensor out = up(acc, cols, rows);
                cuda.transpose(tx, beta, out);
                double[] want = new double[n];
                double[] mag = new double[n];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        int e = j * rows + i;
                        accumulateRef(beta, acc[e], x[i * cols + j], Math.abs(x[i * cols + j]), want, mag, e);
                    }
                }
                assertNear(want, mag, cuda.download(out), "transpose " + Arrays.toString(s) + " beta=" + beta);
            }
        }
    }

    @Test
    void copyBlockWritesOnlyTheBlock() {
        int[][] cases = {
            // src rows, cols, dst rows, cols, srcRow, srcCol, dstRow, dstCol, rows, cols
            {37, 19, 20, 30, 3, 4, 5, 6, 7, 11},
            {5, 3, 5, 3, 0, 0, 0, 0, 5, 3},
            {1, 7, 7, 1, 0, 2, 4, 0, 1, 1},
            {300, 37, 40, 37, 250, 0, 0, 0, 40, 37},
            {5, 3, 4, 4, 1, 1, 2, 2, 0, 2},  // an empty block
        };
        for (int[] c : cases) {
            float[] src = uniform(c[0] * c[1], -2, 2);
            Tensor ts = up(src, c[0], c[1]);
            for (float beta : new float[] {0f, 1f, 0.5f}) {
                float[] dst = uniform(c[2] * c[3], -2, 2);
                if (beta == 0f) {
                    for (int i = 0; i < c[8]; i++) {
                        for (int j = 0; j < c[9]; j++) {
                            dst[(c[6] + i) * c[3] + c[7] + j] = Float.NaN; // ignored
                        }
                    }
                }
                Tensor td = up(dst, c[2], c[3]);
                cuda.copyBlock(ts, c[4], c[5], td, c[6], c[7], c[8], c[9], beta);
                double[] want = new double[dst.length];
                double[] mag = new double[dst.length];
                for (int e = 0; e < dst.length; e++) {
                    want[e] = dst[e];
                    mag[e] = Math.abs(dst[e]);
                }
                for (int i = 0; i < c[8]; i++) {
                    for (int j = 0; j < c[9]; j++) {
                        int e = (c[6] + i) * c[3] + c[7] + j;
                        float v = src[(c[4] + i) * c[1] + c[5] + j];
                        accumulateRef(beta, dst[e], v, Math.abs(v), want, mag, e);
                    }
                }
                float[] got = cuda.download(td);
                assertNear(want, mag, got, "copyBlock " + Arrays.toString(c) + " beta=" + beta);
                for (int e = 0; e < dst.length; e++) {
                    int i = e / c[3] - c[6];
                    int j = e % c[3] - c[7];
                    if (i < 0 || i >= c[8] || j < 0 || j >= c[9]) {
                        assertEquals(dst[e], got[e], "untouched outside the block, element " + e);
                    }
                }
            }
        }
    }

    @Test
    void accumulationIsRoundedOnceAsAnFma() {
        // beta·old + v where rounding the product first, or the sum to double first, gives another float: old =
        // -(1 + 2^-20), beta = 2^-12 (1 - 2^-20), v = 2^12 + 2^-11; the exact value lies just above the midpoint
        // 2^12 + 2^-12, which a double sum reaches exactly and rounds to even (2^12)
        float[] old = {-(1 + 0x1p-20f), 3f, -7.25f, 1e-30f, 5e37f};
        float[] v = {0x1p12f + 0x1p-11f, 0.1f, 1e-8f, -2e-30f, 3e38f};
        float beta = 0x1p-12f * (1 - 0x1p-20f);
        assertEquals(0x1p12f + 0x1p-11f, Math.fma(beta, old[0], v[0]), "the case is what it says");
        assertEquals(0x1p12f, (float) (beta * (double) old[0] + v[0]), "the case is what it says");
        float[] betas = {beta, 0.3f, 1.7f, -0.9f, 10f};
        for (float b : betas) {
            Tensor dst = up(old, 5);
            cuda.copyBlock(up(v, 5), 0, 0, dst, 0, 0, 5, 1, b);
            Tensor out = up(old, 1, 5);
            cuda.transpose(up(v, 5), b, out);
            float[] viaCopy = cuda.download(dst);
            float[] viaTranspose = cuda.download(out);
            for (int i = 0; i < old.length; i++) {
                float want = Math.fma(b, old[i], v[i]);
                assertEquals(want, viaCopy[i], "copyBlock beta=" + b + " at " + i);
                assertEquals(want, viaTranspose[i], "transpose beta=" + b + " at " + i);
            }
        }
        float[] x = uniform(4096, -3, 3);
        float[] acc = uniform(4096, -3, 3);
        float[] g = uniform(4096, -3, 3);
        for (float b : new float[] {0.37f, -1.3f}) {
            Tensor gin = up(acc, 64, 64);
            Tensor tx = up(x, 64, 64);
            cuda.unaryBackward(UnaryOp.NEG, 0f, tx, tx, up(g, 64, 64), b, gin);
            float[] got = cuda.download(gin);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.fma(b, acc[i], -g[i]), got[i], "neg' beta=" + b + " at " + i);
            }
        }
    }

    @Test
    void copyBlockOfInt32CopiesAndTheHostKeepsKnowingTheContents() {
        Tensor all = upInt(new int[] {0, 1, 2, 9, 1, 2}, 6);
        Tensor batch = cuda.allocateInt(3);
        made.add(batch);
        cuda.copyBlock(all, 1, 0, batch, 0, 0, 3, 1, 0f); // labels 1, 2, 9
        assertArrayEquals(new int[] {1, 2, 9}, cuda.downloadInt(batch));
        Tensor logits = up(uniform(9, -1, 1), 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.gatherColumns(logits, batch, zeros(3)));
        assertEquals("gatherColumns: label 9 at row 2 is outside [0, 3) for x [3, 3]", e.getMessage());
        cuda.copyBlock(all, 3, 0, batch, 0, 0, 3, 1, 1f); // integer add: 1 + 9, 2 + 1, 9 + 2
        assertArrayEquals(new int[] {10, 3, 11}, cuda.downloadInt(batch));
    }

    @Test
    void copyBlockRefusesBlocksOutsideAndTheSameTensor() {
        Tensor a = zeros(4, 5);
        Tensor b = zeros(3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.copyBlock(a, 2, 3, b, 0, 0, 3, 2, 0f));
        assertEquals("copyBlock: the 3x2 block at (2, 3) is outside src [4, 5]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cuda.copyBlock(a, 0, 0, a, 1, 1, 1, 1, 0f));
        assertEquals("copyBlock: src and dst must be different tensors", e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ views

    @Test
    void aViewSharesTheMemoryOfItsBase() {
        Tensor base = up(new float[] {1, 2, 3, 4, 5, 6}, 6);
        Tensor view = cuda.reshape(base, 2, 3);
        made.add(view);
        assertArrayEquals(new int[] {2, 3}, view.shape());
        assertEquals(2, view.rows());
        assertEquals(3, view.cols());
        assertEquals(cuda, view.backend());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, cuda.download(view));
        cuda.scale(2f, view); // a write through the view is seen through the base
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, cuda.download(base));
        cuda.fill(base, 1f); // and the other way round
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, cuda.download(view));
        // a bias [3] broadcast as a row through a [1, 3] view
        Tensor bias = up(new float[] {10, 20, 30}, 3);
        Tensor out = zeros(2, 3);
        cuda.binary(BinaryOp.ADD, view, cuda.reshape(bias, 1, 3), out);
        assertArrayEquals(new float[] {11, 21, 31, 11, 21, 31}, cuda.download(out));
        Tensor viewOfView = cuda.reshape(view, 3, 2);
        cuda.fill(viewOfView, 4f);
        assertArrayEquals(new float[] {4, 4, 4, 4, 4, 4}, cuda.download(base));
    }

    @Test
    void closingAViewFreesNothingAndClosingTheBaseClosesItsViews() {
        long bytes = cuda.bytesAllocated();
        int live = cuda.liveTensors();
        Tensor base = cuda.allocate(4, 6);
        Tensor view = cuda.reshape(base, 24);
        Tensor view2 = cuda.reshape(view, 2, 12);
        assertEquals(bytes + 96, cuda.bytesAllocated(), "a view holds no memory");
        assertEquals(live + 1, cuda.liveTensors(), "a view is not a tensor of its own");
        view.close();
        view.close();
        assertTrue(view.isClosed());
        assertFalse(base.isClosed());
        assertFalse(view2.isClosed(), "a view's views are views of the base");
        assertEquals(bytes + 96, cuda.bytesAllocated(), "closing a view frees nothing");
        cuda.fill(base, 2f);
        assertArrayEquals(new float[] {2, 2}, Arrays.copyOf(cuda.download(view2), 2));
        assertThrows(IllegalStateException.class, () -> cuda.fill(view, 1f));
        base.close();
        assertTrue(view2.isClosed(), "closing the base closes its views");
        assertEquals(bytes, cuda.bytesAllocated());
        assertEquals(live, cuda.liveTensors());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cuda.fill(view2, 1f));
        assertTrue(e.getMessage().startsWith("fill: x [2, 12] is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> cuda.reshape(view2, 24));
    }

    @Test
    void closingTheBackendClosesViews() {
        CudaBackend other = CudaTests.open();
        Tensor base = other.allocate(3, 4);
        Tensor view = other.reshape(base, 12);
        other.close();
        assertTrue(base.isClosed());
        assertTrue(view.isClosed());
        view.close(); // idempotent after the backend closed
    }

    @Test
    void reshapeRefusesAnotherSizeAndForeignTensors() {
        Tensor x = zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.reshape(x, 4, 2));
        assertEquals("reshape: cannot view [2, 3] (size 6) as [4, 2] (size 8)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cuda.reshape(x, 1, 2, 3));
        try (CudaBackend other = CudaTests.open(); Tensor foreign = other.allocate(6)) {
            assertThrows(IllegalArgumentException.class, () -> cuda.reshape(foreign, 2, 3));
        }
    }

    @Test
    void intViewsShareWhatTheHostKnowsOfTheirContents() {
        Tensor labels = cuda.allocateInt(1, 4);
        made.add(labels);
        Tensor flat = cuda.reshape(labels, 4);
        cuda.uploadInt(new int[] {0, 1, 7, 2}, 0, flat); // written through the view
        Tensor x = up(uniform(12, -1, 1), 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.gatherColumns(x, cuda.reshape(labels, 4, 1), zeros(4)));
        assertEquals("gatherColumns: label 7 at row 2 is outside [0, 3) for x [4, 3]", e.getMessage());
        cuda.argmaxRows(up(new float[] {0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0}, 4, 3), labels); // a kernel wrote them
        Tensor out = nanTensor(4);
        cuda.gatherColumns(x, flat, out); // checked on the device now: they are fine
        cuda.synchronize();
        float[] xs = cuda.download(x);
        assertArrayEquals(new float[] {xs[1], xs[3], xs[8], xs[10]}, cuda.download(out));
    }

    @Test
    void viewsCanBeMadeAndClosedWhileAGraphIsCaptured() {
        Tensor base = up(new float[] {1, 2, 3, 4}, 4);
        Tensor out = zeros(2, 2);
        CudaGraph g = cuda.captureGraph(() -> {
            Tensor v = cuda.reshape(base, 2, 2);
            cuda.unary(UnaryOp.NEG, 0f, v, out);
            v.close();
        });
        try {
            g.replay();
            assertArrayEquals(new float[] {-1, -2, -3, -4}, cuda.download(out));
            assertFalse(base.isClosed());
        } finally {
            g.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ determinism

    @Test
    void reductionsRepeatBitForBitOnAnotherBackend() {
        float[] x = uniform(300 * 37, -3, 3);
        float[] g = uniform(300 * 37, -1, 1);
        float[] first = reductionsOf(cuda, x, g);
        assertArrayEquals(first, reductionsOf(cuda, x, g));
        try (CudaBackend other = CudaTests.open()) {
            assertArrayEquals(first, reductionsOf(other, x, g));
        }
    }

    /** Everything that sums: reduce along each axis, the broadcast gradients, softmax, on the given inputs. */
    private static float[] reductionsOf(CudaBackend b, float[] x, float[] g) {
        List<Tensor> ts = new ArrayList<>();
        try {
            Tensor tx = keep(ts, b.upload(x, 300, 37));
            Tensor tg = keep(ts, b.upload(g, 300, 37));
            Tensor all = keep(ts, b.allocate(1));
            Tensor cols = keep(ts, b.allocate(1, 37));
            Tensor rows = keep(ts, b.allocate(300, 1));
            Tensor sm = keep(ts, b.allocate(300, 37));
            Tensor smg = keep(ts, b.allocate(300, 37));
            b.reduce(ReduceOp.SUM, tx, all);
            b.reduce(ReduceOp.MEAN, tx, cols);
            b.reduce(ReduceOp.SUM, tx, rows);
            Tensor one = keep(ts, b.upload(new float[] {1.5f}, 1, 1));
            Tensor prod = keep(ts, b.allocate(300, 37));
            b.binary(BinaryOp.MUL, tx, one, prod);
            Tensor gOne = keep(ts, b.allocate(1, 1));
            b.binaryBackward(BinaryOp.MUL, 1, tx, one, prod, tg, 0f, gOne);
            Tensor gCols = keep(ts, b.upload(Arrays.copyOf(g, 37), 1, 37));
            b.binaryBackward(BinaryOp.MUL, 0, cols, tx, sm, tg, 1f, gCols);
            b.softmaxRows(tx, sm, false);
            b.softmaxRowsBackward(sm, tg, false, 0f, smg);
            float[] out = new float[1 + 37 + 300 + 1 + 300 * 37 + 37];
            b.download(all, out, 0);
            b.download(gCols, out, 1);
            b.download(rows, out, 38);
            b.download(gOne, out, 338);
            b.download(smg, out, 339);
            b.download(cols, out, 339 + 300 * 37);
            return out;
        } finally {
            for (Tensor t : ts) {
                t.close();
            }
        }
    }

    private static Tensor keep(List<Tensor> ts, Tensor t) {
        ts.add(t);
        return t;
    }

    // ------------------------------------------------------------------------------------------------ graphs

    /**
     * A two-layer classifier's step written with the autodiff operations (views, broadcasting, softmax, the pick and
     * its scatter, reductions, transpose, block copies) with scalars that change every step (POW's exponent, beta,
     * the loss slot of copyBlock, the learning rate): run through runStep with graphs, it is captured once, replayed
     * with the scalars patched in, never waits for the device nor allocates, and gives bit for bit what the same
     * steps give run directly.
     */
    @Test
    void aTrainingStepOfTheseOperationsReplaysAsAGraphBitForBit() {
        int steps = 7;
        float[][] direct;
        try (CudaBackend off = openWithGraphs("off"); Step s = new Step(off, steps)) {
            for (int k = 0; k < steps; k++) {
                int step = k;
                off.runStep(16, () -> s.run(step));
            }
            direct = s.results();
            assertEquals(0, off.stepGraphs().captures());
        }
        try (CudaBackend on = CudaTests.open(); Step s = new Step(on, steps)) {
            on.runStep(16, () -> s.run(0)); // direct
            on.runStep(16, () -> s.run(1)); // captured
            long[] before = emulatorCounters();
            for (int k = 2; k < steps; k++) {
                int step = k;
                on.runStep(16, () -> s.run(step));
            }
            long[] during = minus(emulatorCounters(), before);
            StepGraphs sg = on.stepGraphs();
            assertEquals(1, sg.captures());
            assertEquals(steps - 2, sg.replays(), "every later step is one graph launch");
            assertEquals(0, sg.fallbacks());
            assertTrue(sg.patchedParams() >= 3L * (steps - 2), "changing scalars are patched: " + sg.patchedParams());
            if (during != null) {
                assertEquals(0, during[0] + during[1] + during[2], "no stream, event or device synchronisation");
                assertEquals(0, during[3] + during[5], "no device or host allocation");
                assertEquals(0, during[7], "no kernel launched one by one");
                assertEquals(steps - 2, during[8], "one graph launch per step");
            }
            float[][] graphed = s.results();
            for (int i = 0; i < direct.length; i++) {
                assertArrayEquals(direct[i], graphed[i], "result " + i + " bit for bit");
            }
            for (float loss : graphed[0]) {
                assertTrue(Float.isFinite(loss) && loss > 0, "loss " + loss);
            }
        }
    }

    /** The step's tensors, allocated once. */
    private static final class Step implements AutoCloseable {
        static final int B = 16;
        static final int D = 9;
        static final int H = 7;
        static final int K = 5;
        final CudaBackend b;
        final List<Tensor> ts = new ArrayList<>();
        final Tensor x;
        final Tensor labels;
        final Tensor w1;
        final Tensor b1;
        final Tensor w2;
        final Tensor losses;
        final Tensor z;
        final Tensor hPre;
        final Tensor h;
        final Tensor hp;
        final Tensor logits;
        final Tensor logp;
        final Tensor picked;
        final Tensor mean;
        final Tensor loss;
        final Tensor one;
        final Tensor gMean;
        final Tensor gPicked;
        final Tensor gLogp;
        final Tensor gLogits;
        final Tensor gHs;
        final Tensor gHp;
        final Tensor gH;
        final Tensor gPre;
        final Tensor gZ;
        final Tensor gB1;
        final Tensor gW1;
        final Tensor gW1t;
        final Tensor gW2;
        final Tensor rowMax;
        final Tensor gRowMax;
        final Tensor scale;
        final Tensor gScale;
        final Tensor hs;

        Step(CudaBackend b, int steps) {
            this.b = b;
            Random r = new Random(5);
            x = keep(b.upload(values(r, B * D), B, D));
            int[] y = new int[B];
            for (int i = 0; i < B; i++) {
                y[i] = r.nextInt(K);
            }
            labels = keep(b.uploadInt(y, B));
            w1 = keep(b.upload(values(r, D * H), D, H));
            b1 = keep(b.upload(values(r, H), H));
            w2 = keep(b.upload(values(r, H * K), H, K));
            scale = keep(b.upload(new float[] {0.9f}, 1, 1));
            losses = keep(b.allocate(1, steps));
            z = keep(b.allocate(B, H));
            hPre = keep(b.allocate(B, H));
            h = keep(b.allocate(B, H));
            hp = keep(b.allocate(B, H));
            hs = keep(b.allocate(B, H));
            logits = keep(b.allocate(B, K));
            logp = keep(b.allocate(B, K));
            picked = keep(b.allocate(B));
            mean = keep(b.allocate(1, 1));
            loss = keep(b.allocate(1, 1));
            one = keep(b.upload(new float[] {1f}, 1, 1));
            gMean = keep(b.allocate(1, 1));
            gPicked = keep(b.allocate(B));
            gLogp = keep(b.allocate(B, K));
            gLogits = keep(b.allocate(B, K));
            gHs = keep(b.allocate(B, H));
            gHp = keep(b.allocate(B, H));
            gH = keep(b.allocate(B, H));
            gPre = keep(b.allocate(B, H));
            gZ = keep(b.allocate(B, H));
            gB1 = keep(b.allocate(H));
            gW1 = keep(b.allocate(D, H));
            gW1t = keep(b.allocate(H, D));
            gW2 = keep(b.allocate(H, K));
            rowMax = keep(b.allocate(B, 1));
            gRowMax = keep(b.allocate(B, 1));
            gScale = keep(b.allocate(1, 1));
        }

        private Tensor keep(Tensor t) {
            ts.add(t);
            return t;
        }

        private static float[] values(Random r, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (r.nextGaussian() * 0.5);
            }
            return v;
        }

        void run(int step) {
            float p = step % 2 == 0 ? 2f : 3f;         // POW's exponent changes
            float lr = 0.1f / (1 + step);              // so does the learning rate
            Tensor bias = b.reshape(b1, 1, H);         // a view made inside the step
            Tensor gBias = b.reshape(gB1, 1, H);
            b.gemm(false, false, 1f, x, w1, 0f, z);
            b.binary(BinaryOp.ADD, z, bias, hPre);
            b.unary(UnaryOp.TANH, 0f, hPre, h);
            b.unary(UnaryOp.POW, p, h, hp);
            b.binary(BinaryOp.MUL, hp, scale, hs);
            b.gemm(false, false, 1f, hs, w2, 0f, logits);
            b.softmaxRows(logits, logp, true);
            b.gatherColumns(logp, labels, picked);
            b.reduce(ReduceOp.MEAN, picked, mean);
            b.unary(UnaryOp.NEG, 0f, mean, loss);
            b.copyBlock(loss, 0, 0, losses, 0, step, 1, 1, 0f); // the loss slot moves every step
            b.reduce(ReduceOp.MAX, logits, rowMax);
            // backward
            b.unaryBackward(UnaryOp.NEG, 0f, mean, loss, one, 0f, gMean);
            b.reduceBackward(ReduceOp.MEAN, picked, mean, gMean, 0f, gPicked);
            b.scatterAddColumns(gPicked, labels, 0f, gLogp);
            b.softmaxRowsBackward(logp, gLogp, true, 0f, gLogits);
            b.fill(gRowMax, 0.01f);
            b.reduceBackward(ReduceOp.MAX, logits, rowMax, gRowMax, 1f, gLogits);
            b.gemm(true, false, 1f, hs, gLogits, 0f, gW2);
            b.gemm(false, true, 1f, gLogits, w2, 0f, gHs);
            b.binaryBackward(BinaryOp.MUL, 1, hp, scale, hs, gHs, 0f, gScale);
            b.binaryBackward(BinaryOp.MUL, 0, hp, scale, hs, gHs, 0f, gHp);
            b.unaryBackward(UnaryOp.POW, p, h, hp, gHp, 0f, gH);
            b.unaryBackward(UnaryOp.TANH, 0f, hPre, h, gH, step % 2 == 0 ? 0f : 0.5f, gPre);
            b.binaryBackward(BinaryOp.ADD, 1, z, bias, hPre, gPre, 0f, gBias);
            b.binaryBackward(BinaryOp.ADD, 0, z, bias, hPre, gPre, 0f, gZ);
            b.gemm(true, false, 1f, gZ, x, 0f, gW1t);
            b.transpose(gW1t, 0f, gW1);
            b.axpy(-lr, gW1, w1);
            b.axpy(-lr, gB1, b1);
            b.axpy(-lr, gW2, w2);
            bias.close();
            gBias.close();
        }

        float[][] results() {
            return new float[][] {b.download(losses), b.download(w1), b.download(b1), b.download(w2),
                b.download(gScale), b.download(rowMax)};
        }

        @Override
        public void close() {
            for (Tensor t : ts) {
                t.close();
            }
        }
    }

    private static CudaBackend openWithGraphs(String value) {
        String old = System.getProperty("descent.cuda.graphs");
        System.setProperty("descent.cuda.graphs", value);
        try {
            return CudaTests.open();
        } finally {
            if (old == null) {
                System.clearProperty("descent.cuda.graphs");
            } else {
                System.setProperty("descent.cuda.graphs", old);
            }
        }
    }

    /**
     * The emulator's call counters (stream, event, device syncs, mallocs, frees, host mallocs, host frees, launches,
     * graph launches, ...), or null on a real device.
     */
    @SuppressWarnings("restricted")
    private static long[] emulatorCounters() {
        String dir = System.getProperty("descent.test.cuda.emulator");
        if (dir == null) {
            return null;
        }
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(dir, "libcudart.so.13"), Arena.global());
        MemorySegment c = lib.find("descent_emulator_counters").orElseThrow().reinterpret(12 * 8);
        long[] v = new long[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return v;
    }

    private static long[] minus(long[] a, long[] b) {
        if (a == null || b == null) {
            return null;
        }
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Tensor up(float[] data, int... shape) {
        Tensor t = cuda.upload(data, shape);
        made.add(t);
        return t;
    }

    private Tensor upInt(int[] data, int... shape) {
        Tensor t = cuda.uploadInt(data, shape);
        made.add(t);
        return t;
    }

    private Tensor zeros(int... shape) {
        Tensor t = cuda.allocate(shape);
        made.add(t);
        return t;
    }

    /** A tensor full of NaN: an output that must be overwritten, an accumulator that beta 0 must ignore. */
    private Tensor nanTensor(int... shape) {
        Tensor t = zeros(shape);
        cuda.fill(t, Float.NaN);
        return t;
    }

    private static float[] nan(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    private float[] uniform(int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return a;
    }

    /** Integers in [-1, 2] as floats: rows and columns full of ties. */
    private float[] smallInts(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextInt(4) - 1;
        }
        return a;
    }

    /** Element (i, j) of an operand of shape s broadcast to the output. */
    private static float at(float[] v, int[] s, int i, int j) {
        return v[(s[0] == 1 ? 0 : i) * s[1] + (s[1] == 1 ? 0 : j)];
    }

    /** want[k] ← beta·acc + v (beta 0 ignores acc), with the magnitude of both terms. */
    private static void accumulateRef(float beta, float acc, double v, double vMag, double[] want, double[] mag,
            int k) {
        want[k] = beta == 0f ? v : beta * (double) acc + v;
        mag[k] = beta == 0f ? vMag : Math.abs(beta * (double) acc) + vMag;
    }

    /**
     * Each element of {@code got} within 16 float roundings of its magnitude ({@code mag}, the size of the values it
     * was computed from) of {@code want}: NaN where want is NaN, the same infinity where want overflows float.
     */
    private static void assertNear(double[] want, double[] mag, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            String at = what + " [" + i + "]: want " + want[i] + ", got " + got[i];
            if (Double.isNaN(want[i])) {
                assertTrue(Float.isNaN(got[i]), at);
                continue;
            }
            float w = (float) want[i];
            if (Float.isInfinite(w)) {
                assertEquals(w, got[i], at);
                continue;
            }
            double m = Double.isFinite(mag[i]) ? mag[i] : Math.abs(want[i]);
            assertTrue(Math.abs(got[i] - want[i]) <= 16 * ROUNDING * m + Float.MIN_NORMAL, at);
        }
    }
}

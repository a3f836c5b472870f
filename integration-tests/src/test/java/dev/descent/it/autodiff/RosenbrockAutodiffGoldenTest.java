package dev.descent.it.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autodiff.ExpressionObjective;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.Trajectory;
import dev.descent.optim.Optimizers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lecture's Rosenbrock written as an expression, {@code (1 − w[0])² + 10·(w[1] − w[0]²)²}, against torch 1.13
 * autograd (golden/autodiff/rosenbrock.txt): the value and gradient at fixed and random points, and the lecture's loop
 * (50 steps of SGD, SGD with momentum and Adam from (0, 1)) run by {@link ObjectiveMinimizer} on an
 * {@link ExpressionObjective} with descent's optimizers. Both are required bit for bit: the expression performs
 * exactly torch's float32 operations (x² as x·x, 10·d as a float32 product, the gradient contributions added in the
 * order autograd adds them), and descent's SGD and Adam reproduce torch.optim's single-tensor updates bit for bit on
 * this problem (RosenbrockGoldenTest). The momentum run at lr 0.04 diverges (inf after 18 steps, then NaN): it must
 * diverge identically. The expression must also equal the hand-written {@link Rosenbrock#lecture()} bit for bit.
 */
class RosenbrockAutodiffGoldenTest {
    private static final AutodiffGolden GOLDEN = AutodiffGolden.load("rosenbrock.txt");
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /**
     * The lecture's expression {@code (1 - w[0])**2 + 10*(w[1] - w[0]**2)**2} spelled as torch records it: each
     * {@code w[0]} its own element.
     */
    static Var lecture(Var w) {
        return w.get(0).rsub(1).pow(2).add(w.get(1).sub(w.get(0).pow(2)).pow(2).mul(10));
    }

    /** The same with {@code w1 = w.get(0)} taken once and used twice (as Tape's documentation writes it). */
    static Var lectureShared(Var w) {
        Var w1 = w.get(0);
        Var w2 = w.get(1);
        return w1.rsub(1).pow(2).add(w2.sub(w1.pow(2)).pow(2).mul(10));
    }

    static ExpressionObjective objective(boolean shared) {
        return ExpressionObjective.of(backend, 2, "lecture rosenbrock",
                shared ? RosenbrockAutodiffGoldenTest::lectureShared : RosenbrockAutodiffGoldenTest::lecture);
    }

    @ParameterizedTest(name = "shared w1: {0}")
    @ValueSource(booleans = {false, true})
    void valueAndGradientAtPointsAreTorchsBitForBit(boolean shared) {
        AutodiffGolden.Case points = GOLDEN.find("points");
        Rosenbrock hand = Rosenbrock.lecture();
        int n = 0;
        try (ExpressionObjective f = objective(shared)) {
            for (String[] t : points.lines) {
                float[] w = {AutodiffGolden.parse(t[1]), AutodiffGolden.parse(t[2])};
                float value = AutodiffGolden.parse(t[3]);
                float[] want = {AutodiffGolden.parse(t[4]), AutodiffGolden.parse(t[5])};
                float[] g = new float[2];
                float got = (float) f.valueAndGradient(w, g);
                String at = "at (" + w[0] + ", " + w[1] + ")";
                assertBits(value, got, at + " value");
                assertBits(want[0], g[0], at + " dR/dw1");
                assertBits(want[1], g[1], at + " dR/dw2");
                assertBits(value, (float) f.value(w), at + " value()");
                // and the hand-written objective, which the existing golden tests rely on
                float[] h = new float[2];
                hand.gradient(w, h);
                assertBits(want[0], h[0], at + " hand-written dR/dw1");
                assertBits(want[1], h[1], at + " hand-written dR/dw2");
                assertBits(value, (float) hand.value(w), at + " hand-written value");
                n++;
            }
        }
        assertEquals(52, n, "points in the golden file");
    }

    /**
     * The expression and {@link Rosenbrock#lecture()} agree bit for bit, value and gradient, at many points: both
     * spellings of the expression, at ordinary, large, tiny and arbitrary-bit points (overflowing ones included: their
     * infinities and NaNs must match too).
     */
    @ParameterizedTest(name = "shared w1: {0}")
    @ValueSource(booleans = {false, true})
    void expressionEqualsTheHandWrittenLectureRosenbrock(boolean shared) {
        Rosenbrock hand = Rosenbrock.lecture();
        Random random = new Random(20);
        List<float[]> pts = new ArrayList<>();
        float[] special = {0f, -0f, 1f, -1f, 0.5f, 2f, -1.5f, 1e-20f, -3e-8f, 1e3f, -1e4f, 3.3f, Float.MIN_NORMAL};
        for (float x : special) {
            for (float y : special) {
                pts.add(new float[] {x, y});
            }
        }
        for (int i = 0; i < 5000; i++) {
            double scale = i < 4000 ? 2 : 200;
            pts.add(new float[] {(float) (random.nextGaussian() * scale), (float) (random.nextGaussian() * scale)});
        }
        for (int i = 0; i < 1000; i++) {
            pts.add(new float[] {Float.intBitsToFloat(random.nextInt()) , Float.intBitsToFloat(random.nextInt())});
        }
        try (ExpressionObjective f = objective(shared)) {
            float[] g = new float[2];
            float[] h = new float[2];
            for (float[] w : pts) {
                if (!Float.isFinite(w[0]) || !Float.isFinite(w[1])) {
                    continue;
                }
                String at = "at (" + w[0] + ", " + w[1] + ")";
                float got = (float) f.valueAndGradient(w, g);
                hand.gradient(w, h);
                assertBits((float) hand.value(w), got, at + " value");
                assertBits(h[0], g[0], at + " dR/dw1");
                assertBits(h[1], g[1], at + " dR/dw2");
            }
        }
    }

    static Stream<AutodiffGolden.Case> trajectories() {
        return GOLDEN.cases.stream().filter(c -> !c.id.equals("points"));
    }

    /**
     * The lecture's loop: every point and loss of the trajectory against torch's, in ulps (0 required; the largest is
     * printed). A NaN must be a NaN and an infinity the same infinity.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trajectories")
    void lectureLoopMatchesTorchBitForBit(AutodiffGolden.Case c) {
        String[] opt = c.line("optimizer");
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 2; i < opt.length; i++) {
            String[] kv = opt[i].split("=", 2);
            settings.put(kv[0], kv[1]);
        }
        String name = opt[1];
        String[] s = c.line("start");
        float[] start = {AutodiffGolden.parse(s[1]), AutodiffGolden.parse(s[2])};
        int steps = Integer.parseInt(c.line("steps")[1]);
        Trajectory t;
        Trajectory hand;
        try (ExpressionObjective f = objective(false)) {
            t = ObjectiveMinimizer.minimize(backend, f, start,
                    p -> Optimizers.create(name, Optimizers.parseOptions(name, settings), p), steps, false);
        }
        hand = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), start,
                p -> Optimizers.create(name, Optimizers.parseOptions(name, settings), p), steps, false);
        assertEquals(steps + 1, t.rows());
        long worst = 0;
        int rows = 0;
        for (String[] r : c.lines) {
            if (!r[0].equals("row")) {
                continue;
            }
            int k = Integer.parseInt(r[1]);
            float[] want = {AutodiffGolden.parse(r[2]), AutodiffGolden.parse(r[3]), AutodiffGolden.parse(r[4])};
            float[] got = {t.parameter(k, 0), t.parameter(k, 1), (float) t.value(k)};
            String[] what = {"w1", "w2", "loss"};
            for (int i = 0; i < 3; i++) {
                long d = ulps(want[i], got[i]);
                worst = Math.max(worst, d);
                assertEquals(0, d, c.id + " row " + k + " " + what[i] + ": descent " + got[i] + ", torch " + want[i]);
            }
            assertBits(hand.parameter(k, 0), t.parameter(k, 0), c.id + " row " + k + " w1 against hand-written");
            assertBits(hand.parameter(k, 1), t.parameter(k, 1), c.id + " row " + k + " w2 against hand-written");
            rows++;
        }
        assertEquals(steps + 1, rows, "rows in the golden case");
        System.out.printf("autodiff rosenbrock %-16s %d rows, largest difference %d ulp%s%n", c.id, rows, worst,
                t.diverged() ? ", diverged at row " + t.divergedAt() + " as torch" : "");
    }

    /** The distance in ulps (0 for equal values and for two NaNs; Long.MAX_VALUE when only one is NaN). */
    static long ulps(float want, float got) {
        if (Float.isNaN(want) || Float.isNaN(got)) {
            return Float.isNaN(want) && Float.isNaN(got) ? 0 : Long.MAX_VALUE;
        }
        if (want == got) {
            return 0;
        }
        return Math.abs(ordered(want) - ordered(got));
    }

    private static long ordered(float f) {
        int b = Float.floatToRawIntBits(f);
        return b < 0 ? -(long) (b & 0x7fffffff) : b;
    }

    static void assertBits(float want, float got, String what) {
        boolean same = Float.isNaN(want) ? Float.isNaN(got)
                : Float.floatToRawIntBits(want) == Float.floatToRawIntBits(got);
        assertTrue(same, what + ": expected " + want + " (bits " + Integer.toHexString(Float.floatToRawIntBits(want))
                + "), got " + got + " (bits " + Integer.toHexString(Float.floatToRawIntBits(got)) + ")");
    }
}

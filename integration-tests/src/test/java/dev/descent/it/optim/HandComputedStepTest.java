package dev.descent.it.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.optim.AdagradOptions;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.BaseOptimizer;
import dev.descent.optim.EmaMomentumOptions;
import dev.descent.optim.GradientClipping;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.Parameter;
import dev.descent.optim.RmspropOptions;
import dev.descent.optim.SgdOptions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One or two steps of every optimizer option on three-element tensors on the CPU backend, against values computed here
 * in double from PARITY.md's rules. Tolerance: relative 1e-6 (the float32 rounding of a handful of operations).
 */
class HandComputedStepTest {
    private static final double[] P0 = {0.5, -1.0, 2.0};
    private static final double[] G1 = {0.1, -0.4, 0.8};
    private static final double[] G2 = {-0.3, 0.05, 0.6};
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(1)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static float[] f(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** Runs the optimizer for one step per gradient and returns the parameter. */
    private static float[] run(String name, OptimizerOptions o, double[]... grads) {
        try (var value = backend.upload(f(P0), 3); var grad = backend.allocate(3)) {
            Parameter p = new Parameter("p", value, grad);
            try (BaseOptimizer opt = Optimizers.create(name, o, List.of(p))) {
                for (double[] g : grads) {
                    backend.upload(f(g), 0, grad);
                    opt.step();
                }
            }
            return backend.download(value);
        }
    }

    private static void check(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-6 * Math.max(1, Math.abs(want[i])), what + " element " + i);
        }
    }

    // ---------------------------------------------------------------- SGD

    @Test
    void sgdPlain() {
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            want[i] = P0[i] - 0.1 * G1[i];
        }
        check(want, run("sgd", SgdOptions.defaults().withLr(0.1), G1), "θ − γg");
    }

    @Test
    void sgdWeightDecayAndMaximize() {
        double lr = 0.1;
        double wd = 0.2;
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            want[i] = P0[i] - lr * (-G1[i] + wd * P0[i]);
        }
        check(want, run("sgd", new SgdOptions(lr, 0, 0, false, wd, true), G1), "maximize then decay");
    }

    @Test
    void sgdMomentumCopiesFirstThenDampens() {
        double lr = 0.1;
        double mu = 0.9;
        double tau = 0.3;
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            double b = G1[i]; // first step: a copy, no dampening
            double p = P0[i] - lr * b;
            b = mu * b + (1 - tau) * G2[i];
            want[i] = p - lr * b;
        }
        check(want, run("sgd", new SgdOptions(lr, mu, tau, false, 0, false), G1, G2), "two momentum steps");
    }

    @Test
    void sgdNesterovWithWeightDecay() {
        double lr = 0.05;
        double mu = 0.8;
        double wd = 0.1;
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            double g = G1[i] + wd * P0[i];
            double b = g;
            double p = P0[i] - lr * (g + mu * b);
            g = G2[i] + wd * p;
            b = mu * b + g;
            want[i] = p - lr * (g + mu * b);
        }
        check(want, run("sgd", new SgdOptions(lr, mu, 0, true, wd, false), G1, G2), "nesterov");
    }

    @Test
    void momentumNameIsTorchSgdWithMomentum09() {
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            double b = G1[i];
            double p = P0[i] - 0.01 * b;
            b = 0.9 * b + G2[i];
            want[i] = p - 0.01 * b;
        }
        check(want, run("momentum", SgdOptions.momentumDefaults().withLr(0.01), G1, G2), "momentum");
    }

    @Test
    void emaMomentumTextbook() {
        double a = 0.5;
        double beta = 0.75;
        double wd = 0.1;
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = (1 - beta) * (G1[i] + wd * P0[i]); // v0 = 0: no copy on the first step
            double p = P0[i] - a * v;
            v = beta * v + (1 - beta) * (G2[i] + wd * p);
            want[i] = p - a * v;
        }
        check(want, run("ema-momentum", new EmaMomentumOptions(a, beta, wd, false), G1, G2), "textbook momentum");
    }

    @Test
    void emaMomentumMaximize() {
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) {
            want[i] = P0[i] - 0.5 * (0.1 * -G1[i]);
        }
        check(want, run("ema-momentum", new EmaMomentumOptions(0.5, 0.9, 0, true), G1), "maximize");
    }

    @Test
    void emaMomentumIsTorchSgdWithLrTimesOneMinusBeta() {
        // textbook (α, β) = torch SGD(lr = α(1 − β), momentum = β, dampening = 0), exactly in real arithmetic
        EmaMomentumOptions ema = new EmaMomentumOptions(0.4, 0.9, 0.05, false);
        double[][] grads = new double[20][];
        for (int k = 0; k < grads.length; k++) {
            grads[k] = new double[] {Math.sin(k), Math.cos(0.5 * k), 0.1 * k - 1};
        }
        float[] a = run("ema-momentum", ema, grads);
        float[] b = run("sgd", ema.torchEquivalent(), grads);
        for (int i = 0; i < 3; i++) {
            assertEquals(b[i], a[i], 1e-5 * Math.max(1, Math.abs(b[i])), "element " + i);
        }
    }

    // ---------------------------------------------------------------- Adam / AdamW

    private static double[] adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled,
            boolean amsgrad, boolean maximize, double[]... grads) {
        double[] p = P0.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        double[] vmax = new double[3];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < 3; i++) {
                double g = maximize ? -grads[t - 1][i] : grads[t - 1][i];
                if (decoupled) {
                    p[i] *= 1 - lr * wd;
                } else {
                    g += wd * p[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vmax[i] = Math.max(vmax[i], v[i]);
                double vv = amsgrad ? vmax[i] : v[i];
                double bc1 = 1 - Math.pow(b1, t);
                double bc2 = 1 - Math.pow(b2, t);
                p[i] -= lr / bc1 * m[i] / (Math.sqrt(vv) / Math.sqrt(bc2) + eps);
            }
        }
        return p;
    }

    @Test
    void adamDefaultsTwoSteps() {
        check(adam(0.01, 0.9, 0.999, 1e-8, 0, false, false, false, G1, G2),
                run("adam", AdamOptions.defaults().withLr(0.01), G1, G2), "adam");
    }

    @Test
    void adamEpsOutsideTheRootAfterBiasCorrection() {
        // a large eps makes the placement visible: γ√bc2/bc1 · m/(√v + ε) would move θ about 16 times less here
        check(adam(0.1, 0.9, 0.999, 0.1, 0, false, false, false, G1),
                run("adam", AdamOptions.defaults().withLr(0.1).withEps(0.1), G1), "eps placement");
    }

    @Test
    void adamAmsgradKeepsTheMaximum() {
        double[] small = {0.01, -0.01, 0.01};
        check(adam(0.01, 0.5, 0.5, 1e-8, 0, false, true, false, G1, small, small),
                run("adam", new AdamOptions(0.01, 0.5, 0.5, 1e-8, 0, true, false), G1, small, small), "amsgrad");
    }

    @Test
    void adamCoupledWeightDecayAndMaximize() {
        check(adam(0.01, 0.8, 0.99, 1e-8, 0.5, false, false, true, G1, G2),
                run("adam", new AdamOptions(0.01, 0.8, 0.99, 1e-8, 0.5, false, true), G1, G2), "adam wd max");
    }

    @Test
    void adamwDecoupledWeightDecay() {
        check(adam(0.01, 0.9, 0.999, 1e-8, 0.01, true, false, false, G1, G2),
                run("adamw", AdamOptions.adamwDefaults().withLr(0.01), G1, G2), "adamw");
        check(adam(0.1, 0.9, 0.999, 1e-8, 0.5, true, true, false, G1, G2),
                run("adamw", new AdamOptions(0.1, 0.9, 0.999, 1e-8, 0.5, true, false), G1, G2), "adamw amsgrad");
    }

    // ---------------------------------------------------------------- RMSprop

    private static double[] rmsprop(double lr, double alpha, double eps, double wd, double mu, boolean centered,
            boolean maximize, double[]... grads) {
        double[] p = P0.clone();
        double[] sq = new double[3];
        double[] ga = new double[3];
        double[] b = new double[3];
        for (double[] gs : grads) {
            for (int i = 0; i < 3; i++) {
                double g = (maximize ? -gs[i] : gs[i]) + wd * p[i];
                sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
                double d;
                if (centered) {
                    ga[i] = alpha * ga[i] + (1 - alpha) * g;
                    d = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
                } else {
                    d = Math.sqrt(sq[i]) + eps;
                }
                if (mu > 0) {
                    b[i] = mu * b[i] + g / d;
                    p[i] -= lr * b[i];
                } else {
                    p[i] -= lr * g / d;
                }
            }
        }
        return p;
    }

    @Test
    void rmspropPlainAndCentered() {
        check(rmsprop(0.01, 0.99, 1e-8, 0, 0, false, false, G1, G2),
                run("rmsprop", RmspropOptions.defaults(), G1, G2), "rmsprop");
        check(rmsprop(0.01, 0.9, 1e-8, 0, 0, true, false, G1, G2),
                run("rmsprop", RmspropOptions.defaults().withAlpha(0.9).withCentered(true), G1, G2), "centered");
    }

    @Test
    void rmspropMomentumWeightDecayMaximize() {
        check(rmsprop(0.01, 0.9, 1e-3, 0.1, 0.5, true, true, G1, G2),
                run("rmsprop", new RmspropOptions(0.01, 0.9, 1e-3, 0.1, 0.5, true, true), G1, G2), "all options");
        check(rmsprop(0.02, 0.99, 1e-8, 0, 0.9, false, false, G1, G2),
                run("rmsprop", RmspropOptions.defaults().withLr(0.02).withMomentum(0.9), G1, G2), "momentum");
    }

    // ---------------------------------------------------------------- Adagrad

    @Test
    void adagradAllOptions() {
        double lr = 0.1;
        double eta = 0.5;
        double s0 = 0.2;
        double eps = 1e-3;
        double wd = 0.1;
        double[] p = P0.clone();
        double[] s = {s0, s0, s0};
        double[][] grads = {G1, G2};
        for (int t = 1; t <= 2; t++) {
            double clr = lr / (1 + (t - 1) * eta);
            for (int i = 0; i < 3; i++) {
                double g = -grads[t - 1][i] + wd * p[i];
                s[i] += g * g;
                p[i] -= clr * g / (Math.sqrt(s[i]) + eps);
            }
        }
        check(p, run("adagrad", new AdagradOptions(lr, eta, wd, s0, eps, true), G1, G2), "adagrad");
        double[] q = new double[3];
        for (int i = 0; i < 3; i++) {
            q[i] = P0[i] - 0.01 * G1[i] / (Math.abs(G1[i]) + 1e-10);
        }
        check(q, run("adagrad", AdagradOptions.defaults(), G1), "adagrad defaults");
    }

    // ---------------------------------------------------------------- clipping

    @Test
    void clipByGlobalNormOverTwoTensorsAndByValue() {
        double[] g2 = {3.0, -4.0};
        double total = 0;
        for (double v : G1) {
            total += v * v;
        }
        for (double v : g2) {
            total += v * v;
        }
        total = Math.sqrt(total);
        double coef = 1.0 / (total + 1e-6);
        try (var a = backend.upload(f(P0), 3); var ga = backend.upload(f(G1), 3);
                var b = backend.upload(new float[] {1, 1}, 2); var gb = backend.upload(f(g2), 2)) {
            List<Parameter> ps = List.of(new Parameter("a", a, ga), new Parameter("b", b, gb));
            try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(1),
                    List.of(ParamGroup.of(ps)), null, GradientClipping.norm(1.0))) {
                opt.step();
                assertEquals(total, opt.lastGradientNorm(), 1e-6 * total);
            }
            double[] wantA = new double[3];
            for (int i = 0; i < 3; i++) {
                wantA[i] = P0[i] - coef * G1[i];
            }
            check(wantA, backend.download(a), "clipped a");
            check(new double[] {1 - coef * 3, 1 + coef * 4}, backend.download(b), "clipped b");
            // by value
            backend.upload(f(P0), 0, a);
            backend.upload(f(G1), 0, ga);
            try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(1),
                    List.of(ParamGroup.of(ps.get(0))), null, GradientClipping.value(0.3))) {
                opt.step();
            }
            check(new double[] {0.5 - 0.1, -1.0 + 0.3, 2.0 - 0.3}, backend.download(a), "clipped by value");
        }
    }
}

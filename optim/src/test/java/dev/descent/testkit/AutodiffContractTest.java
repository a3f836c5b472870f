package dev.descent.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reverse-mode differentiation on a backend, checked against central finite differences of an independent
 * double-precision implementation of every operation ({@link DoubleAlgebra}). Each case is a function written once
 * over {@link Algebra}: the tape evaluates it in float32 on the backend and differentiates it; the reference evaluates it
 * in double and differentiates it numerically. Shapes are odd on purpose (1, 3, 5, 7 rows and columns; rank 0, 1, 2).
 *
 * <p>Tolerance: float32 arithmetic through a handful of operations is good to a few 1e-6 relative; the central
 * differences in double to about 1e-8. A gradient element passes when {@code |tape − fd| ≤ 2e-3·|fd| + 2e-4·scale},
 * with scale the largest |fd| of that parameter (at least 1e-2): loose enough for float32 rounding, tight enough that a
 * wrong formula (a missing factor, a sign, a wrong broadcast reduction) fails by orders of magnitude.
 *
 * <p>A backend module subclasses this with {@link #createBackend()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AutodiffContractTest {

    /** A new backend for this test class. */
    protected abstract Backend createBackend();

    protected Backend backend;

    @BeforeAll
    void open() {
        backend = createBackend();
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    /** A test function of some parameters, written once for both algebras. */
    interface Fn {
        <T> T apply(Algebra<T> a, List<T> params);
    }

    /** A case: parameter shapes, the interval their values are drawn from, the function. */
    record Case(String name, int[][] shapes, double lo, double hi, Fn fn) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static int[][] shapes(int[]... s) {
        return s;
    }

    private static int[] s(int... d) {
        return d;
    }

    /** Σ x ⊙ C for a fixed pseudo-random C of x's shape: a scalar whose gradient with respect to x is C. */
    static <T> T weighted(Algebra<T> a, T x, int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        Random r = new Random(31L * n + shape.length);
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = 0.25 + r.nextDouble();
        }
        return a.sum(a.mul(x, a.constant(c, shape)), -1, false);
    }

    static Stream<Case> cases() {
        List<Case> cs = new ArrayList<>();
        int[] m = s(7, 3);
        // ---- unary, each on a 7x3 matrix and on a vector
        cs.add(new Case("neg", shapes(m), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.neg(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("exp", shapes(m), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.exp(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("log", shapes(m), 0.3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.log(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("log1p", shapes(m), -0.5, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.log1p(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("sqrt", shapes(m), 0.3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.sqrt(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("abs", shapes(s(9)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.abs(p.get(0)), s(9));
            }
        }));
        cs.add(new Case("sin", shapes(m), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.sin(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("cos", shapes(m), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.cos(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("tanh", shapes(m), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.tanh(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("sigmoid", shapes(m), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.sigmoid(p.get(0)), s(7, 3));
            }
        }));
        cs.add(new Case("relu", shapes(s(11)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.relu(p.get(0)), s(11));
            }
        }));
        cs.add(new Case("softplus (both sides of the threshold)", shapes(m), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                // x + 21·[column 2] puts one column above softplus's threshold of 20
                double[] shift = new double[21];
                for (int i = 2; i < 21; i += 3) {
                    shift[i] = 21;
                }
                return weighted(a, a.softplus(a.add(p.get(0), a.constant(shift, 7, 3))), s(7, 3));
            }
        }));
        for (double e : new double[] {2, 3, 0.5, -0.5, -1, -2, 1, 0, 1.7, -2.3}) {
            cs.add(new Case("pow " + e, shapes(s(5, 3)), 0.4, 2.5, new Fn() {
                public <T> T apply(Algebra<T> a, List<T> p) {
                    return weighted(a, a.pow(p.get(0), e), s(5, 3));
                }
            }));
        }
        cs.add(new Case("pow tensor exponent, both differentiated", shapes(s(4, 5), s(4, 5)), 0.4, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.pow(p.get(0), a.sub(p.get(1), a.constant(1))), s(4, 5));
            }
        }));
        cs.add(new Case("pow tensor exponent broadcast as a row", shapes(s(4, 5), s(5)), 0.4, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.pow(p.get(0), p.get(1)), s(4, 5));
            }
        }));
        // ---- binary with every broadcast pattern, each operand differentiated
        String[] names = {"add", "sub", "mul", "div"};
        int[][] bShapes = {s(5, 3), s(3), s(1, 3), s(5, 1), s(1), s(1, 1)};
        for (int op = 0; op < 4; op++) {
            for (int[] bs : bShapes) {
                for (boolean swap : new boolean[] {false, true}) {
                    int o = op;
                    cs.add(new Case(names[op] + " [5,3] with " + java.util.Arrays.toString(bs) + (swap ? " swapped"
                            : ""), shapes(s(5, 3), bs), 0.5, 2, new Fn() {
                                public <T> T apply(Algebra<T> a, List<T> p) {
                                    T x = p.get(0);
                                    T y = bs.length == 1 && bs[0] == 1 ? a.get(p.get(1), 0) : p.get(1);
                                    T l = swap ? y : x;
                                    T r = swap ? x : y;
                                    T z = switch (o) {
                                        case 0 -> a.add(l, r);
                                        case 1 -> a.sub(l, r);
                                        case 2 -> a.mul(l, r);
                                        default -> a.div(l, r);
                                    };
                                    return weighted(a, z, s(5, 3));
                                }
                            }));
                }
            }
        }
        cs.add(new Case("a column and a row broadcast to a matrix", shapes(s(5, 1), s(3)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.mul(a.add(p.get(0), p.get(1)), p.get(1)), s(5, 3));
            }
        }));
        // ---- reductions along every axis
        String[] red = {"sum", "mean", "max"};
        for (int k = 0; k < 3; k++) {
            for (int axis = -1; axis <= 1; axis++) {
                for (boolean keep : new boolean[] {false, true}) {
                    if (axis == -1 && keep) {
                        continue;
                    }
                    int kind = k;
                    int ax = axis;
                    cs.add(new Case(red[k] + " axis " + axis + (keep ? " keepDim" : ""), shapes(s(6, 5)), -3, 3,
                            new Fn() {
                                public <T> T apply(Algebra<T> a, List<T> p) {
                                    T x = a.mul(p.get(0), p.get(0));
                                    T r = switch (kind) {
                                        case 0 -> a.sum(x, ax, keep);
                                        case 1 -> a.mean(x, ax, keep);
                                        default -> a.max(x, ax, keep);
                                    };
                                    int[] shape = ax == -1 ? s() : keep ? (ax == 0 ? s(1, 5) : s(6, 1))
                                            : (ax == 0 ? s(5) : s(6));
                                    return ax == -1 ? a.mul(r, a.constant(1.5)) : weighted(a, r, shape);
                                }
                            }));
                }
            }
            int kind = k;
            cs.add(new Case(red[k] + " of a vector", shapes(s(7)), -3, 3, new Fn() {
                public <T> T apply(Algebra<T> a, List<T> p) {
                    T r = switch (kind) {
                        case 0 -> a.sum(p.get(0), 0, false);
                        case 1 -> a.mean(p.get(0), 0, false);
                        default -> a.max(p.get(0), 0, false);
                    };
                    return a.mul(r, a.exp(r));
                }
            }));
        }
        cs.add(new Case("a keepDim column broadcast back (manual log-softmax)", shapes(s(4, 6)), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T x = p.get(0);
                T z = a.sub(x, a.max(x, 1, true));
                T lse = a.log(a.sum(a.exp(z), 1, true));
                return weighted(a, a.sub(z, lse), s(4, 6));
            }
        }));
        // ---- matrices
        cs.add(new Case("matmul [5,3]x[3,4]", shapes(s(5, 3), s(3, 4)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.matmul(p.get(0), p.get(1)), s(5, 4));
            }
        }));
        cs.add(new Case("matmul [3]x[3,4]", shapes(s(3), s(3, 4)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.matmul(p.get(0), p.get(1)), s(4));
            }
        }));
        cs.add(new Case("matmul [5,3]x[3]", shapes(s(5, 3), s(3)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.matmul(p.get(0), p.get(1)), s(5));
            }
        }));
        cs.add(new Case("matmul [7]x[7] (dot)", shapes(s(7), s(7)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T d = a.matmul(p.get(0), p.get(1));
                return a.mul(d, d);
            }
        }));
        cs.add(new Case("matmul with a transposed operand", shapes(s(5, 3), s(4, 3)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.matmul(p.get(0), a.t(p.get(1))), s(5, 4));
            }
        }));
        cs.add(new Case("transpose", shapes(s(5, 3)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.t(p.get(0)), s(3, 5));
            }
        }));
        cs.add(new Case("softmax rows", shapes(s(4, 6)), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.softmax(p.get(0)), s(4, 6));
            }
        }));
        cs.add(new Case("softmax vector", shapes(s(7)), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.softmax(p.get(0)), s(7));
            }
        }));
        cs.add(new Case("log-softmax rows", shapes(s(4, 6)), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.logSoftmax(p.get(0)), s(4, 6));
            }
        }));
        cs.add(new Case("log-softmax of one column", shapes(s(5, 1)), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.mul(a.logSoftmax(p.get(0)), p.get(0)), s(5, 1));
            }
        }));
        int[] labels = {2, 0, 4, 4, 1, 3};
        cs.add(new Case("pick by labels", shapes(s(6, 5)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                return weighted(a, a.pick(a.mul(p.get(0), p.get(0)), labels), s(6));
            }
        }));
        // ---- indexing
        cs.add(new Case("get and slices of a vector (the n-D Rosenbrock)", shapes(s(5)), -1.5, 1.5, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T w = p.get(0);
                T head = a.slice(w, 0, 0, -1);
                T tail = a.slice(w, 0, 1, 5);
                T r = a.add(a.pow(a.sub(a.constant(1), head), 2),
                        a.mul(a.constant(10), a.pow(a.sub(tail, a.pow(head, 2)), 2)));
                return a.add(a.sum(r, -1, false), a.mul(a.get(w, 2), a.get(w, 4)));
            }
        }));
        cs.add(new Case("get and slices of a matrix", shapes(s(5, 4)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T x = p.get(0);
                T rows = a.slice(x, 0, 1, 4);
                T cols = a.slice(x, 1, -3, -1);
                return a.add(a.add(weighted(a, rows, s(3, 4)), weighted(a, a.exp(cols), s(5, 2))),
                        a.mul(a.get(x, 4, 3), a.get(x, 0, 0)));
            }
        }));
        cs.add(new Case("reshape", shapes(s(6, 4)), -2, 2, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T x = p.get(0);
                T r = a.reshape(a.mul(x, x), 3, 8);
                T v = a.reshape(x, 24);
                return a.add(weighted(a, a.softmax(r), s(3, 8)), weighted(a, a.sin(v), s(24)));
            }
        }));
        // ---- models and objectives
        cs.add(new Case("the lecture's Rosenbrock", shapes(s(2)), -1.5, 1.5, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T w1 = a.get(p.get(0), 0);
                T w2 = a.get(p.get(0), 1);
                return a.add(a.pow(a.sub(a.constant(1), w1), 2),
                        a.mul(a.constant(10), a.pow(a.sub(w2, a.pow(w1, 2)), 2)));
            }
        }));
        int[] y = {1, 4, 0, 2, 2, 3, 1, 0, 4};
        double[] x = new double[9 * 7];
        Random rx = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = rx.nextGaussian();
        }
        cs.add(new Case("softmax regression (cross-entropy)", shapes(s(7, 5), s(5)), -1, 1, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T logits = a.add(a.matmul(a.constant(x, 9, 7), p.get(0)), p.get(1));
                return a.neg(a.mean(a.pick(a.logSoftmax(logits), y), -1, false));
            }
        }));
        cs.add(new Case("MLP with tanh", shapes(s(7, 6), s(6), s(6, 5), s(5)), -0.8, 0.8, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T h = a.tanh(a.add(a.matmul(a.constant(x, 9, 7), p.get(0)), p.get(1)));
                T logits = a.add(a.matmul(h, p.get(2)), p.get(3));
                return a.neg(a.mean(a.pick(a.logSoftmax(logits), y), -1, false));
            }
        }));
        cs.add(new Case("Huber loss as an expression", shapes(s(9, 2)), -3, 3, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                double[] t = new double[18];
                for (int i = 0; i < t.length; i++) {
                    t[i] = (i % 5) - 2.1;
                }
                T r = a.abs(a.sub(p.get(0), a.constant(t, 9, 2)));
                T q = a.mul(a.sub(a.add(r, a.constant(1)), a.abs(a.sub(r, a.constant(1)))), a.constant(0.5));
                return a.mean(a.add(a.mul(a.pow(q, 2), a.constant(0.5)), a.sub(r, q)), -1, false);
            }
        }));
        cs.add(new Case("a value used many times", shapes(s(3, 3)), 0.5, 1.5, new Fn() {
            public <T> T apply(Algebra<T> a, List<T> p) {
                T v = p.get(0);
                T z = a.add(a.mul(v, v), a.div(v, a.add(v, a.constant(1))));
                return a.add(weighted(a, a.mul(z, v), s(3, 3)), a.sum(a.matmul(v, v), -1, false));
            }
        }));
        return cs.stream();
    }

    // ================================================================ running a case

    private static double[] draw(Random r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static double reference(Case c, double[][] values) {
        DoubleAlgebra d = new DoubleAlgebra();
        assert d != null;
        List<DoubleAlgebra.M> ps = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            int[] sh = c.shapes[i];
            ps.add(new DoubleAlgebra.M(sh.length, sh.length == 2 ? sh[0] : 1, sh.length == 2 ? sh[1] : sh[0],
                    values[i].clone()));
        }
        DoubleAlgebra.M out = c.fn.apply(d, ps);
        return out.v()[0];
    }

    private static double[][] finiteDifferences(Case c, double[][] values) {
        double[][] g = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            g[i] = new double[values[i].length];
            for (int j = 0; j < values[i].length; j++) {
                double x = values[i][j];
                double h = 1e-6 * Math.max(1, Math.abs(x));
                values[i][j] = x + h;
                double up = reference(c, values);
                values[i][j] = x - h;
                double down = reference(c, values);
                values[i][j] = x;
                g[i][j] = (up - down) / (2 * h);
            }
        }
        return g;
    }

    private List<Parameter> parameters(Case c, double[][] values) {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            float[] f = new float[values[i].length];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) values[i][j];
            }
            Tensor v = backend.upload(f, c.shapes[i]);
            Tensor g = backend.upload(nan(f.length), c.shapes[i]);
            ps.add(new Parameter("p" + i, v, g));
        }
        return ps;
    }

    private static float[] nan(int n) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, Float.NaN);
        return f;
    }

    private void checkGradients(Case c, double[][] values, List<Parameter> ps, String when) {
        double[][] fd = finiteDifferences(c, values);
        for (int i = 0; i < ps.size(); i++) {
            float[] g = backend.download(ps.get(i).grad());
            double scale = 1e-2;
            for (double v : fd[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < g.length; j++) {
                double err = Math.abs(g[j] - fd[i][j]);
                if (!(err <= 2e-3 * Math.abs(fd[i][j]) + 2e-4 * scale)) {
                    fail(c.name + " " + when + ": d/dp" + i + "[" + j + "] is " + g[j] + ", finite differences give "
                            + fd[i][j]);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(Case c) {
        Random r = new Random(c.name.hashCode());
        double[][] values = new double[c.shapes.length][];
        for (int i = 0; i < values.length; i++) {
            values[i] = draw(r, size(c.shapes[i]), c.lo, c.hi);
        }
        List<Parameter> ps = parameters(c, values);
        try (Tape tape = new Tape(backend)) {
            List<Var> vars = new ArrayList<>();
            for (Parameter p : ps) {
                vars.add(tape.parameter(p));
            }
            Var loss = c.fn.apply(new VarAlgebra(tape), vars);
            double expected = reference(c, values);
            float value = loss.item();
            assertTrue(Math.abs(value - expected) <= 1e-4 * Math.max(1, Math.abs(expected)),
                    c.name + ": value " + value + ", reference " + expected);
            tape.backward(loss);
            checkGradients(c, values, ps, "as recorded");

            // Replay at another point: the tape reads the parameters' new values.
            for (int i = 0; i < values.length; i++) {
                values[i] = draw(r, values[i].length, c.lo, c.hi);
                float[] f = new float[values[i].length];
                for (int j = 0; j < f.length; j++) {
                    f[j] = (float) values[i][j];
                }
                backend.upload(f, 0, ps.get(i).value());
                backend.upload(nan(f.length), 0, ps.get(i).grad());
            }
            tape.forward();
            double again = reference(c, values);
            assertTrue(Math.abs(loss.item() - again) <= 1e-4 * Math.max(1, Math.abs(again)),
                    c.name + " replayed: value " + loss.item() + ", reference " + again);
            tape.backward(loss);
            checkGradients(c, values, ps, "replayed");
        } finally {
            for (Parameter p : ps) {
                p.value().close();
                p.grad().close();
            }
        }
    }

    // ================================================================ host evaluation of small objectives

    /** Objectives of w [6] that the host evaluates: element-wise, broadcasting, reductions, indexing, reshaping. */
    static Stream<org.junit.jupiter.params.provider.Arguments> hostObjectives() {
        List<org.junit.jupiter.params.provider.Arguments> list = new ArrayList<>();
        java.util.function.BiConsumer<String, java.util.function.Function<Var, Var>> add =
                (name, f) -> list.add(org.junit.jupiter.params.provider.Arguments.of(name, f));
        add.accept("rosenbrock n-D", w -> {
            Var head = w.slice(0, 0, -1);
            Var tail = w.slice(0, 1, 6);
            return head.rsub(1).pow(2).add(tail.sub(head.pow(2)).pow(2).mul(10)).sum();
        });
        add.accept("every function", w -> w.exp().add(w.mul(w).log1p()).add(w.sin()).add(w.cos()).add(w.tanh())
                .add(w.sigmoid()).add(w.relu()).add(w.softplus()).add(w.abs().sqrt()).add(w.abs().add(1).log())
                .add(w.abs().add(0.5).pow(1.7)).add(w.neg().pow(3)).sum());
        add.accept("matrix broadcasts and axis reductions", w -> {
            Var m = w.reshape(2, 3);
            Var row = m.max(0);
            Var col = m.sum(1, true);
            return m.sub(row).mul(col).div(col.abs().add(1)).mean(1).sum().add(m.t().get(2, 1).pow(w.get(0)
                    .abs().add(0.5)));
        });
        add.accept("scalars (a typed formula)", w -> {
            Var x = w.get(0);
            Var y = w.get(1);
            return x.rsub(1.5).add(x.mul(y)).pow(2).add(x.rsub(2.25).add(x.mul(y.pow(2))).pow(2))
                    .add(w.get(5).div(w.get(4).abs().add(1)).mul(w.max()));
        });
        add.accept("every function of scalars (a flat scalar program)", w -> {
            Var x = w.get(0);
            Var y = w.get(1);
            Var z = w.get(2);
            return x.exp().add(y.sin()).mul(z.cos()).sub(x.tanh().div(y.sigmoid())).add(z.relu().softplus())
                    .add(x.abs().add(1).log().mul(y.abs().add(0.5).sqrt())).add(y.mul(y).log1p().pow(1.7))
                    .add(x.neg().pow(3)).add(z.abs().add(0.25).pow(w.get(3).abs())).add(w.get(5).rsub(2).div(3));
        });
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostObjectives")
    void hostEvaluationMatchesTheBackendTape(String name, java.util.function.Function<Var, Var> f) {
        try (dev.descent.autodiff.ExpressionObjective host = dev.descent.autodiff.ExpressionObjective.of(backend, 6,
                name, f);
                dev.descent.autodiff.ExpressionObjective tape = dev.descent.autodiff.ExpressionObjective.onBackend(
                        backend, 6, name, f)) {
            assertTrue(host.evaluatesOnHost(), name + " should run on the host");
            assertTrue(!tape.evaluatesOnHost());
            Random r = new Random(name.hashCode());
            float[] w = new float[6];
            float[] gh = new float[6];
            float[] gt = new float[6];
            for (int trial = 0; trial < 50; trial++) {
                for (int i = 0; i < 6; i++) {
                    w[i] = (float) (4 * r.nextDouble() - 2);
                }
                double vh = host.valueAndGradient(w, gh);
                double vt = tape.valueAndGradient(w, gt);
                assertUlps(vt, vh, name + " value at " + java.util.Arrays.toString(w));
                for (int i = 0; i < 6; i++) {
                    assertUlps(gt[i], gh[i], name + " d/dw" + i + " at " + java.util.Arrays.toString(w));
                }
                assertEquals(vh, host.value(w), name + " value() equals valueAndGradient()");
            }
        }
    }

    /** Host and backend run the same formulas; vector kernels may differ in the transcendental functions' last bits. */
    private static void assertUlps(double expected, double actual, String what) {
        float e = (float) expected;
        float a = (float) actual;
        if (Float.floatToIntBits(e) == Float.floatToIntBits(a) || Float.isNaN(e) && Float.isNaN(a)) {
            return;
        }
        float tolerance = 8 * Math.ulp(Math.max(Math.abs(e), Math.abs(a)));
        assertTrue(Math.abs(e - a) <= tolerance || Math.abs(e - a) <= 1e-6 * (1 + Math.abs(e)),
                what + ": backend " + e + ", host " + a);
    }

    @Test
    void rosenbrockOnTheHostIsBitIdenticalToTheBackendTape() {
        java.util.function.Function<Var, Var> f = w -> {
            Var w1 = w.get(0);
            Var w2 = w.get(1);
            return w1.rsub(1).pow(2).add(w2.sub(w1.pow(2)).pow(2).mul(10));
        };
        try (dev.descent.autodiff.ExpressionObjective host = dev.descent.autodiff.ExpressionObjective.of(backend, 2,
                "rosenbrock", f);
                dev.descent.autodiff.ExpressionObjective tape = dev.descent.autodiff.ExpressionObjective.onBackend(
                        backend, 2, "rosenbrock", f)) {
            Random r = new Random(11);
            float[] gh = new float[2];
            float[] gt = new float[2];
            for (int trial = 0; trial < 500; trial++) {
                float[] w = {(float) (6 * r.nextDouble() - 3), (float) (6 * r.nextDouble() - 3)};
                if (trial == 0) {
                    w = new float[] {1f, 1f};
                }
                assertEquals(tape.valueAndGradient(w, gt), host.valueAndGradient(w, gh));
                assertArrayEquals(gt, gh, "at " + java.util.Arrays.toString(w));
            }
        }
    }

    // ================================================================ the tape's rules

    @Test
    void parametersTheLossDoesNotReachGetZeroGradients() {
        Tensor a = backend.upload(new float[] {1, 2, 3}, 3);
        Tensor ga = backend.upload(new float[] {9, 9, 9}, 3);
        Tensor b = backend.upload(new float[] {4, 5}, 2);
        Tensor gb = backend.upload(new float[] {Float.NaN, 9}, 2);
        try (Tape tape = new Tape(backend)) {
            Var va = tape.parameter(new Parameter("a", a, ga));
            tape.parameter(new Parameter("b", b, gb));
            Var loss = va.mul(va).sum();
            tape.backward(loss);
            assertArrayEquals(new float[] {2, 4, 6}, backend.download(ga));
            assertArrayEquals(new float[] {0, 0}, backend.download(gb));
        } finally {
            a.close();
            ga.close();
            b.close();
            gb.close();
        }
    }

    @Test
    void backwardOverwritesAndSeedScales() {
        Tensor a = backend.upload(new float[] {1, 2}, 2);
        Tensor ga = backend.allocate(2);
        try (Tape tape = new Tape(backend)) {
            Var va = tape.parameter(new Parameter("a", a, ga));
            Var loss = va.mul(3).sum();
            tape.backward(loss);
            tape.backward(loss);
            assertArrayEquals(new float[] {3, 3}, backend.download(ga), "a second backward overwrites");
            tape.backward(loss, 0.5f);
            assertArrayEquals(new float[] {1.5f, 1.5f}, backend.download(ga));
        } finally {
            a.close();
            ga.close();
        }
    }

    @Test
    void inputsRebindWithoutRecordingAgain() {
        Tensor w = backend.upload(new float[] {1, -1, 2}, 3, 1);
        Tensor gw = backend.allocate(3, 1);
        Tensor x1 = backend.upload(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor x2 = backend.upload(new float[] {0, 1, 0, 1, 0, 1}, 2, 3);
        try (Tape tape = new Tape(backend)) {
            Var vw = tape.parameter(new Parameter("w", w, gw));
            Var x = tape.input("x", x1);
            Var loss = x.matmul(vw).sum();
            int ops = tape.operations();
            assertEquals(16f, loss.item(), "[[1,2,3],[4,5,6]]·[1,-1,2] sums to 5 + 11");
            tape.bind(x, x2);
            tape.forward();
            assertEquals(2f, loss.item(), "[[0,1,0],[1,0,1]]·[1,-1,2] sums to -1 + 3");
            tape.backward(loss);
            assertArrayEquals(new float[] {1, 1, 1}, backend.download(gw));
            assertEquals(ops, tape.operations(), "replaying records nothing");
            Tensor wrong = backend.allocate(3, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.bind(x, wrong));
            assertTrue(e.getMessage().contains("bind"), e.getMessage());
            wrong.close();
        } finally {
            w.close();
            gw.close();
            x1.close();
            x2.close();
        }
    }

    @Test
    void shapeErrorsNameTheOperation() {
        Tensor a = backend.allocate(2, 3);
        Tensor ga = backend.allocate(2, 3);
        try (Tape tape = new Tape(backend)) {
            Var v = tape.parameter(new Parameter("a", a, ga));
            assertMessage("add: shapes [2, 3] and [3, 2] do not broadcast", () -> v.add(v.t()));
            assertMessage("matmul: [2, 3] and [2, 3] do not match (3 != 2)", () -> v.matmul(v));
            assertMessage("backward: ", () -> tape.backward(v));
            assertMessage("sum: axis 2 does not exist", () -> v.sum(2));
            assertMessage("get(7): index outside", () -> v.reshape(6).get(7));
            assertMessage("reshape: cannot view", () -> v.reshape(4, 2));
        } finally {
            a.close();
            ga.close();
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expected) || e.getMessage().contains(expected),
                "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }
}

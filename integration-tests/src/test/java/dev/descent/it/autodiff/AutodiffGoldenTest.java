package dev.descent.it.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.ExpressionModel;
import dev.descent.autodiff.Module;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.optim.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autodiff against torch 1.13 autograd (golden/autodiff/ops.txt, softmax.txt, mlp.txt, written by
 * integration-tests/scripts/make_golden_autodiff.py): every case is rebuilt here with {@link Tape} and {@link Var}
 * by its name ({@link #build}, which lists the same expressions as the script), recorded at the case's first point,
 * replayed ({@code forward}, {@code backward}) at the others after writing their parameter values, and its value and
 * every parameter's gradient compared with torch's.
 *
 * <p><b>Tolerance.</b> Both sides compute in float32 with torch's formulas, so what differs is rounding only: the
 * order of summation in reductions, broadcast gradients and matrix products (torch's vectorised and blocked float
 * kernels against descent's, which sum broadcast gradients in double), and transcendental functions (torch's
 * vectorised exp, log, sin ... against Java's {@code Math} rounded to float), each a few ulps, carried through the
 * backward pass. A gradient element passes when {@code |descent − torch| ≤ RTOL · max(|torch|, FLOOR · s)}, s the
 * largest magnitude in that gradient tensor: relative to the element, except that an element much smaller than the
 * tensor's largest (a sum that cancels, a softmax gradient of a saturated row) is held to a tenth of the tensor's
 * scale, the size of the terms whose rounding it inherits. The value is held to the same rule with s = Σ |∂f/∂w_i ·
 * w_i| (torch's gradient and the point): what f moves by when every parameter moves by its own relative rounding,
 * the size of the terms a cancelling weighted sum rounds. RTOL = 1e-5 is about 170 float32 ulps (2^-24 ≈ 6e-8)
 * relative, 17 ulps of the scale for small elements. Measured on the CPU backend: the largest error is 0.11 of the
 * tolerance (about 1.1e-6 relative, sigmoid's g·(1 − y)·y where y is near 1), most cases stay under 0.05, and 144 of
 * the 256 gradient tensors are bit-identical to torch's (the elementwise functions whose arithmetic is exact or
 * computed the same way, slices, elements, reshape, matmul, max and whole sums). A wrong formula is off by O(1). The
 * test prints each case's largest error in units of the tolerance and how many gradients are bit-identical.
 */
class AutodiffGoldenTest {
    static final double RTOL = 1e-5;
    static final double FLOOR = 0.1;

    private static final AutodiffGolden OPS = AutodiffGolden.load("ops.txt");
    private static final AutodiffGolden SOFTMAX = AutodiffGolden.load("softmax.txt");
    private static final AutodiffGolden MLP = AutodiffGolden.load("mlp.txt");
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Stream<AutodiffGolden.Case> cases() {
        return Stream.of(OPS, SOFTMAX, MLP).flatMap(g -> g.cases.stream());
    }

    static Stream<AutodiffGolden.Case> mlpCases() {
        return MLP.cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchAutograd(AutodiffGolden.Case c) {
        List<AutodiffGolden.Point> points = c.points();
        assertFalse(points.isEmpty(), c.id);
        Map<String, Map<String, AutodiffGolden.Data>> fixed = c.fixed();
        List<Tensor> tensors = new ArrayList<>();
        Map<String, Parameter> params = new LinkedHashMap<>();
        double worst = 0;
        int exact = 0;
        int compared = 0;
        try (Tape tape = new Tape(backend)) {
            Map<String, Var> a = new LinkedHashMap<>();
            for (AutodiffGolden.Data d : fixed.getOrDefault("const", Map.of()).values()) {
                a.put(d.name(), tape.constant(d.values(), d.shape()));
            }
            for (AutodiffGolden.Data d : fixed.getOrDefault("input", Map.of()).values()) {
                a.put(d.name(), tape.input(d.name(), own(tensors, backend.upload(d.values().clone(), d.shape()))));
            }
            for (AutodiffGolden.Data d : fixed.getOrDefault("labels", Map.of()).values()) {
                int[] y = new int[d.values().length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = (int) d.values()[i];
                }
                a.put(d.name(), tape.labels(d.name(), own(tensors, backend.uploadInt(y, y.length))));
            }
            for (AutodiffGolden.Data d : points.get(0).params.values()) {
                Parameter p = new Parameter(d.name(), own(tensors, backend.upload(d.values().clone(), d.shape())),
                        own(tensors, backend.allocate(d.shape())));
                params.put(d.name(), p);
                a.put(d.name(), tape.parameter(p));
            }
            Map<String, Var> forms = new LinkedHashMap<>();
            for (String form : points.get(0).values.keySet()) {
                forms.put(form, build(c.id, a));
            }
            for (int k = 0; k < points.size(); k++) {
                AutodiffGolden.Point pt = points.get(k);
                if (k > 0) {
                    for (AutodiffGolden.Data d : pt.params.values()) {
                        backend.upload(d.values(), 0, params.get(d.name()).value());
                    }
                    tape.forward();
                }
                for (Map.Entry<String, Var> f : forms.entrySet()) {
                    String where = c.id + (f.getKey().isEmpty() ? "" : "." + f.getKey()) + " point " + k;
                    Var loss = f.getValue();
                    tape.backward(loss);
                    float want = pt.values.get(f.getKey());
                    float got = loss.item();
                    worst = Math.max(worst, checkValue(where + " value", got, want,
                            valueScale(pt, pt.grads.get(f.getKey()))));
                    for (Map.Entry<String, float[]> g : pt.grads.get(f.getKey()).entrySet()) {
                        float[] grad = backend.download(params.get(g.getKey()).grad());
                        worst = Math.max(worst, check(where + " grad " + g.getKey(), grad, g.getValue()));
                        compared++;
                        exact += java.util.Arrays.equals(grad, g.getValue()) ? 1 : 0;
                    }
                }
            }
        } finally {
            for (int i = tensors.size() - 1; i >= 0; i--) {
                tensors.get(i).close();
            }
        }
        System.out.printf("autodiff golden %-22s largest error %.3f of the tolerance; %d of %d gradients "
                + "bit-identical%n", c.id, worst / RTOL, exact, compared);
    }

    /** The MLP cases again through a {@link Module} and {@link ExpressionModel#classifier}: the Model path. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mlpCases")
    void mlpAsAnExpressionModelMatchesTorch(AutodiffGolden.Case c) {
        AutodiffGolden.Data x = c.fixed().get("input").get("x");
        AutodiffGolden.Data y = c.fixed().get("labels").get("y");
        AutodiffGolden.Point pt = c.points().get(0);
        int[] labels = new int[y.values().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (int) y.values()[i];
        }
        int rows = x.shape()[0];
        int inputs = x.shape()[1];
        int classes = pt.params.get("b2").shape()[0];
        try (ExpressionModel model = ExpressionModel.classifier(new GivenMlp(backend, pt.params), inputs, classes,
                ExpressionLoss.crossEntropy());
                Tensor features = backend.upload(x.values().clone(), rows, inputs);
                Tensor yt = backend.uploadInt(labels, rows);
                Tensor lossOut = backend.allocate(3)) {
            Batch batch = new Batch(features, yt, null, rows, rows, 0);
            model.lossAndGradients(batch, lossOut, 1);
            double worst = checkValue(c.id + " model loss", backend.get(lossOut, 1), pt.values.get(""),
                    valueScale(pt, pt.grads.get("")));
            for (Parameter p : model.parameters()) {
                worst = Math.max(worst, check(c.id + " model grad " + p.name(), backend.download(p.grad()),
                        pt.grads.get("").get(p.name())));
            }
            System.out.printf("autodiff golden model %-16s largest error %.3f of the tolerance%n", c.id,
                    worst / RTOL);
        }
    }

    /** The MLP of mlp.txt with the golden parameter values. */
    static final class GivenMlp extends Module {
        private final Parameter w1;
        private final Parameter b1;
        private final Parameter w2;
        private final Parameter b2;

        GivenMlp(Backend backend, Map<String, AutodiffGolden.Data> values) {
            super(backend);
            w1 = given(values.get("W1"));
            b1 = given(values.get("b1"));
            w2 = given(values.get("W2"));
            b2 = given(values.get("b2"));
        }

        private Parameter given(AutodiffGolden.Data d) {
            return parameter(d.name(), d.values(), d.shape());
        }

        @Override
        public Var forward(Tape tape, Var x) {
            Var h = x.matmul(tape.parameter(w1)).add(tape.parameter(b1)).tanh();
            return h.matmul(tape.parameter(w2)).add(tape.parameter(b2));
        }
    }

    private static Tensor own(List<Tensor> tensors, Tensor t) {
        tensors.add(t);
        return t;
    }

    /**
     * Asserts a gradient's tolerance: every element within {@code RTOL · max(|torch|, FLOOR · s)}, s the tensor's
     * largest magnitude; returns the largest {@code |descent − torch| / max(|torch|, FLOOR · s)}.
     */
    static double check(String where, float[] got, float[] want) {
        assertEquals(want.length, got.length, where + ": size");
        return assertWithin(where, got, want, error(got, want, FLOOR), FLOOR * scale(want));
    }

    /**
     * Asserts a value's tolerance: within {@code RTOL · max(|torch|, FLOOR · m)}, m = Σ |∂f/∂w_i · w_i| over every
     * parameter element (torch's gradient and the parameter values): how far f moves when each w_i moves by its own
     * relative rounding, the size of the terms a cancelling sum rounds.
     */
    static double checkValue(String where, float got, float want, double magnitude) {
        double e = error(got, want, FLOOR * magnitude);
        return assertWithin(where, new float[] {got}, new float[] {want}, e, FLOOR * magnitude);
    }

    private static double assertWithin(String where, float[] got, float[] want, double e, double floor) {
        if (!(e <= RTOL)) {
            int worst = worstIndex(got, want, floor);
            throw new AssertionError(where + ": error " + e + " > " + RTOL + " (relative; " + (e / RTOL)
                    + " of the tolerance) at element " + worst + ": descent " + got[worst] + ", torch " + want[worst]
                    + (got.length > 1 ? "; " + got.length + " elements" : ""));
        }
        return e;
    }

    /** Σ |g_i · w_i| over the point's parameters, in double. */
    static double valueScale(AutodiffGolden.Point pt, Map<String, float[]> grads) {
        double m = 0;
        for (Map.Entry<String, float[]> g : grads.entrySet()) {
            float[] w = pt.params.get(g.getKey()).values();
            for (int i = 0; i < w.length; i++) {
                m += Math.abs((double) g.getValue()[i] * w[i]);
            }
        }
        return m;
    }

    /** max_i |a_i − b_i| / max(|b_i|, floor · max_j |b_j|); infinite where exactly one is NaN. */
    static double error(float[] got, float[] want, double floor) {
        double worst = 0;
        double at = floor * scale(want);
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, error(got[i], want[i], at));
        }
        return worst;
    }

    private static double scale(float[] want) {
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        return scale;
    }

    private static double error(float got, float want, double floorScale) {
        if (Float.isNaN(got) || Float.isNaN(want)) {
            return Float.isNaN(got) && Float.isNaN(want) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (got == want) {
            return 0;
        }
        double denom = Math.max(Math.abs(want), floorScale);
        return denom == 0 ? Double.POSITIVE_INFINITY : Math.abs((double) got - want) / denom;
    }

    /** The element with the largest error; {@code floor} absolute. */
    private static int worstIndex(float[] got, float[] want, double floor) {
        int at = 0;
        double worst = -1;
        for (int i = 0; i < want.length; i++) {
            double e = error(got[i], want[i], floor);
            if (e > worst || Double.isNaN(e)) {
                worst = e;
                at = i;
            }
        }
        return at;
    }

    // ================================================================ the expressions

    private static Var weighted(Var t, Var c) {
        return t.mul(c).sum();
    }

    private static Var crossEntropy(Var logits, Var y) {
        return ExpressionLoss.crossEntropy().loss(logits, y);
    }

    /**
     * Rosenbrock of any length with coefficient c, as torch records {@code sum((1 - w[:-1])**2 + c*(w[1:] -
     * w[:-1]**2)**2)}: each {@code w[:-1]} its own slice.
     */
    private static Var rosenbrock(Var w, double c) {
        int n = w.shape()[0];
        return w.slice(0, 0, -1).rsub(1).pow(2)
                .add(w.slice(0, 1, n).sub(w.slice(0, 0, -1).pow(2)).pow(2).mul(c)).sum();
    }

    /**
     * The case's expression, as make_golden_autodiff.py writes it in torch: parameters, constants, inputs and labels
     * by name.
     */
    static Var build(String id, Map<String, Var> a) {
        Var w = a.get("W");
        Var cw = a.get("C");
        Var A = a.get("A");
        Var B = a.get("B");
        Var b = a.get("b");
        Var c = a.get("c");
        Var v = a.get("v");
        Var u = a.get("u");
        Var D = a.get("D");
        if (id.startsWith("pow_") && !id.startsWith("pow_tensor") && !id.startsWith("pow_base")) {
            return weighted(w.pow(Double.parseDouble(id.substring(4))), cw);
        }
        return switch (id) {
            // elementwise functions
            case "neg" -> weighted(w.neg(), cw);
            case "exp" -> weighted(w.exp(), cw);
            case "log" -> weighted(w.log(), cw);
            case "log1p" -> weighted(w.log1p(), cw);
            case "sqrt" -> weighted(w.sqrt(), cw);
            case "abs" -> weighted(w.abs(), cw);
            case "sin" -> weighted(w.sin(), cw);
            case "cos" -> weighted(w.cos(), cw);
            case "tanh" -> weighted(w.tanh(), cw);
            case "sigmoid" -> weighted(w.sigmoid(), cw);
            case "relu" -> weighted(w.relu(), cw);
            case "softplus" -> weighted(w.softplus(), cw);
            // binary operations and broadcasting
            case "add_same" -> weighted(A.add(B), cw);
            case "add_row" -> weighted(A.add(b), cw);
            case "add_col" -> weighted(A.add(c), cw);
            case "sub_row" -> weighted(A.sub(b), cw);
            case "sub_row_first" -> weighted(b.sub(A), cw);
            case "sub_col" -> weighted(A.sub(c), cw);
            case "mul_same" -> weighted(A.mul(B), cw);
            case "mul_row" -> weighted(A.mul(b), cw);
            case "mul_col" -> weighted(c.mul(A), cw);
            case "div_same" -> weighted(A.div(B), cw);
            case "div_row" -> weighted(A.div(b), cw);
            case "div_col" -> weighted(A.div(c), cw);
            case "div_col_first" -> weighted(c.div(A), cw);
            case "outer_col_row" -> weighted(c.mul(b), cw);
            case "row_plus_col" -> weighted(b.add(c), cw);
            case "scalars" -> weighted(A.mul(v.get(0)).add(v.get(1)).div(v.get(2)), cw);
            case "numbers" -> weighted(A.mul(0.3).add(1.5).div(2.5).sub(0.7), cw).add(A.rsub(2).sum());
            case "pow_tensor" -> weighted(A.pow(B), cw);
            case "pow_tensor_row" -> weighted(A.pow(b), cw);
            case "pow_base_col" -> weighted(c.pow(B), cw);
            case "vector_ops" -> u.mul(v).sub(u.div(v.pow(2).add(1))).mul(a.get("c9")).sum();
            // reductions
            case "sum_all" -> A.sum().mul(1.5);
            case "sum_axis0" -> A.sum(0).mul(a.get("c7")).sum();
            case "sum_axis1" -> A.sum(1).mul(a.get("c5")).sum();
            case "sum_axis0_keep" -> weighted(A.sum(0, true).mul(A), cw);
            case "sum_axis1_keep" -> weighted(A.sum(1, true).mul(A), cw);
            case "mean_all" -> weighted(A, cw).mul(A.mean());
            case "mean_axis0" -> A.mean(0).mul(a.get("c7")).sum();
            case "mean_axis1" -> A.mean(1).mul(a.get("c5")).mean();
            case "mean_axis1_keep" -> weighted(A.sub(A.mean(1, true)), cw);
            case "max_all" -> A.max().mul(2).add(weighted(A, cw));
            case "max_axis0" -> A.max(0).mul(a.get("c7")).sum();
            case "max_axis1" -> A.max(1).mul(a.get("c5")).sum();
            case "max_axis1_keep" -> weighted(A.sub(A.max(1, true)).exp(), cw);
            case "max_axis0_keep" -> weighted(A.div(A.abs().max(0, true)), cw);
            case "vector_reductions" -> v.max().mul(v.mean(0)).add(v.mul(v).sum(0)).add(v.sum(0, true).sum());
            // softmax
            case "softmax_rows" -> weighted(A.softmax(), cw);
            case "log_softmax_rows" -> weighted(A.logSoftmax(), cw);
            case "softmax_wide_range" -> weighted(A.mul(30).softmax(), cw);
            case "softmax_vector" -> v.softmax().mul(a.get("c9")).sum();
            case "log_softmax_vector" -> v.logSoftmax().mul(a.get("c9")).sum();
            // matrices
            case "matmul" -> weighted(A.matmul(B), D);
            case "matmul_vector_matrix" -> v.matmul(B).mul(a.get("d")).sum();
            case "matmul_matrix_vector" -> A.matmul(v).mul(a.get("c5")).sum();
            case "matmul_dot" -> u.matmul(v).mul(u.matmul(u));
            case "transpose" -> weighted(A.t(), D);
            case "gram" -> weighted(A.t().matmul(A), D);
            case "matmul_transposed" -> weighted(A.matmul(B.t()), D);
            // slicing, elements, reshape
            case "rosenbrock_9" -> rosenbrock(a.get("w"), 10);
            case "rosenbrock_17_c100" -> rosenbrock(a.get("w"), 100);
            case "slice_rows" -> weighted(A.slice(0, 1, 4), D);
            case "slice_cols" -> weighted(A.slice(1, 2, 5).mul(A.slice(1, -3, A.shape()[1])), D);
            case "elements" -> A.get(2, 3).mul(A.get(0, 1)).add(v.get(4).pow(2)).sub(A.get(4, 6).div(v.get(0)));
            case "reshape" -> weighted(A.reshape(A.shape()[1], A.shape()[0]), D)
                    .add(A.reshape(-1).mul(a.get("d")).sum())
                    .add(weighted(v.reshape(3, 4), a.get("E")));
            case "reshape_matmul" -> v.reshape(1, -1).matmul(A.reshape(A.shape()[1], A.shape()[0])).sum();
            // composites
            case "beale" -> {
                Var x = a.get("w").get(0);
                Var y = a.get("w").get(1);
                yield x.rsub(1.5).add(x.mul(y)).pow(2)
                        .add(x.rsub(2.25).add(x.mul(y.pow(2))).pow(2))
                        .add(x.rsub(2.625).add(x.mul(y.pow(3))).pow(2));
            }
            case "reuse" -> weighted(A.mul(A).add(A.exp().mul(A)).sub(A.sin()), cw);
            case "layer_norm" -> weighted(A.sub(A.mean(1, true))
                    .div(A.sub(A.mean(1, true)).pow(2).mean(1, true).add(1e-5).sqrt()), cw);
            case "logsumexp" -> A.sub(A.max(1, true)).exp().sum(1).log().add(A.max(1)).sum();
            case "binary_cross_entropy" -> {
                Var x = a.get("X");
                Var t = a.get("t");
                Var z1 = x.matmul(a.get("w")).add(v.get(0));
                Var z2 = x.matmul(a.get("w")).add(v.get(0));
                yield t.mul(z1.sigmoid().log()).add(t.rsub(1).mul(z2.sigmoid().rsub(1).log())).mean().neg();
            }
            case "mse_linear" -> a.get("X").matmul(a.get("w")).add(v.get(0)).sub(a.get("t")).pow(2).mean();
            case "huber" -> ExpressionLoss.huber(0.7).loss(a.get("X").matmul(w), a.get("T"));
            case "softplus_log1p_abs" -> A.softplus().mul(A.abs().log1p()).add(A.relu().sqrt())
                    .sub(A.cos().mul(A.tanh())).mean();
            // models
            case "softmax_small", "softmax_lecture" -> crossEntropy(a.get("x").matmul(w).add(b), a.get("y"));
            case "mlp_small", "mlp_lecture" -> {
                Var h = a.get("x").matmul(a.get("W1")).add(a.get("b1")).tanh();
                yield crossEntropy(h.matmul(a.get("W2")).add(a.get("b2")), a.get("y"));
            }
            default -> throw new AssertionError("no expression for golden case " + id);
        };
    }
}

package dev.descent.it.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.loss.Loss;
import dev.descent.loss.LossSpec;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Parameter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss and setting against torch 1.13 (golden/loss/losses.txt, written by
 * integration-tests/scripts/make_golden_losses.py): the loss of fixed outputs and targets and its gradient with respect
 * to the outputs, computed three ways: by the {@link LossSpec} itself (the fused kernel, or the expression on a
 * {@link Tape} whose parameter is the outputs), through a built-in model whose outputs are the golden ones (features
 * the identity matrix and W the outputs, no bias: then Z = I·W = W and ∂W = Iᵀ·δ = δ, exactly), and that model with
 * the batch as a quarter of a data-parallel global batch (loss and gradient divided by 4).
 *
 * <p><b>Tolerance.</b> The arithmetic is float32 with torch's formulas; what differs is rounding: the order of the
 * sums (torch's vectorised kernels and nll_loss's cascade sums against descent's), exp and log (torch's vectorised
 * ones against Java's {@code Math}, rounded), and where the Huber and smooth L1 losses are computed as
 * {@code ½q² + δ·r} with {@code r = relu(z − δ)}, {@code q = z − r} instead of torch's two branches (bit for bit within
 * δ, a few ulps beyond). An element of the gradient passes when {@code |descent − torch| ≤ RTOL · max(|torch|,
 * FLOOR · s)}, s the gradient's largest magnitude (an element much smaller than the largest is held to a tenth of it,
 * the size of the terms its rounding comes from); the loss when {@code |descent − torch| ≤ RTOL · max(|torch|,
 * FLOOR · m)}, m = Σ |∂L/∂x_i · x_i| (what L moves by when each output moves by its own relative rounding: the loss of
 * {@code nll} on logits is a sum of terms of both signs). RTOL = 1e-5, about 170 float32 ulps. Measured on the CPU
 * backend the largest error is 0.15 of that, most cases stay under 0.04 and several are bit for bit (the test prints
 * each case's, in units of the tolerance); a wrong formula (a missing ε/k, weights left out of the smoothing term's
 * denominator) is off by percents.
 *
 * <p>One difference is by design: where an output equals its target, torch's {@code SmoothL1Loss(beta=0)} has the
 * gradient −1/N (its backward's {@code x <= -beta} branch), its forward being {@code L1Loss}'s; descent's
 * {@code smooth-l1(beta=0.0)} is {@code mae}, whose gradient there is {@code L1Loss}'s 0. The test checks torch's −1/N
 * and expects descent's 0 at those elements.
 */
class LossGoldenTest {
    static final double RTOL = 1e-5;
    static final double FLOOR = 0.1;

    private static final List<LossGolden.Case> CASES = LossGolden.load("losses.txt");
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Stream<LossGolden.Case> cases() {
        return CASES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void specMatchesTorch(LossGolden.Case c) {
        LossSpec spec = LossSpec.parse(c.spec);
        assertEquals(spec, LossSpec.parse(spec.spec()), "the spec reads back");
        int rows = c.outputs.rows();
        int cols = c.outputs.cols();
        try (Tensor out = backend.upload(c.outputs.values().clone(), rows, cols);
                Tensor grad = backend.allocate(rows, cols);
                Tensor lossOut = backend.allocate(2);
                Tensor target = target(c)) {
            Loss fused = spec.fused();
            if (fused != null) {
                fused.compute(backend, out, c.labels != null ? target : null, c.labels == null ? target : null, grad,
                        rows, lossOut, 1);
            } else {
                try (Tape tape = new Tape(backend)) {
                    Var x = tape.parameter(new Parameter("outputs", out, grad));
                    Var y = c.labels != null ? tape.labels("labels", target) : tape.input("targets", target);
                    Var loss = ((ExpressionLoss) spec).loss(x, y);
                    tape.forward();
                    tape.backward(loss);
                    backend.copyBlock(loss.value(), 0, 0, lossOut, 1, 0, 1, 1, 0f);
                }
            }
            report(c, "spec", compare(c, "spec", backend.get(lossOut, 1), backend.download(grad), 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void builtInModelMatchesTorch(LossGolden.Case c) {
        throughModel(c, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aQuarterOfTheGlobalBatchGivesAQuarter(LossGolden.Case c) {
        throughModel(c, 4);
    }

    private void throughModel(LossGolden.Case c, int share) {
        LossSpec spec = LossSpec.parse(c.spec);
        int rows = c.outputs.rows();
        int cols = c.outputs.cols();
        String kind = c.labels != null ? "softmax" : spec == Loss.BINARY_CROSS_ENTROPY ? "logistic" : "linear";
        float[] identity = new float[rows * rows];
        for (int i = 0; i < rows; i++) {
            identity[i * rows + i] = 1f;
        }
        ModelSpec ms = ModelSpec.builder(kind).inputs(rows).outputs(cols).bias(false).loss(spec).build();
        try (Model model = ms.create(backend);
                Tensor features = backend.upload(identity, rows, rows);
                Tensor target = target(c);
                Tensor lossOut = backend.allocate(3);
                Tensor lossOnly = backend.allocate(3)) {
            Parameter w = model.parameters().get(0);
            assertEquals(1, model.parameters().size());
            backend.upload(c.outputs.values(), 0, w.value());
            Batch batch = new Batch(features, c.labels != null ? target : null, c.labels == null ? target : null, rows,
                    rows * share, 0);
            // twice: the second replays the recording
            for (int k = 0; k < 2; k++) {
                model.lossAndGradients(batch, lossOut, 2);
                Tensor out = model.loss(batch, lossOnly, 0);
                assertEquals(backend.get(lossOut, 2), backend.get(lossOnly, 0), c.id + ": loss() and "
                        + "lossAndGradients give the same loss");
                assertEquals(java.util.Arrays.toString(c.outputs.values()),
                        java.util.Arrays.toString(backend.download(out)), c.id + ": the outputs are the golden ones");
            }
            String where = share == 1 ? "model" : "model, 1/" + share + " of the global batch";
            report(c, where, compare(c, where, backend.get(lossOut, 2), backend.download(w.grad()), share));
        }
    }

    private static Tensor target(LossGolden.Case c) {
        return c.labels != null ? backend.uploadInt(c.labels, c.labels.length)
                : backend.upload(c.targets.values().clone(), c.targets.rows(), c.targets.cols());
    }

    private static void report(LossGolden.Case c, String where, double worst) {
        System.out.printf("loss golden %-14s %-36s largest error %.4f of the tolerance%n", c.id, where,
                worst / RTOL);
    }

    /** The largest relative error of the loss and the gradient, torch's divided by {@code share}; asserts each. */
    private static double compare(LossGolden.Case c, String where, float got, float[] grad, int share) {
        float[] want = c.grad.clone();
        boolean l1 = LossSpec.parse(c.spec).equals(LossSpec.smoothL1(0));
        for (int i = 0; i < want.length; i++) {
            want[i] /= share;
            if (l1 && c.outputs.values()[i] == c.targets.values()[i]) {
                // torch's SmoothL1Loss(beta=0) is L1Loss, but its backward takes the x <= -beta branch at x = t and
                // gives -1/N there; descent's beta = 0 is mae, whose gradient is L1Loss's sign(0) = 0.
                assertEquals(-1f / want.length / share, want[i], 1e-9f, c.id + " element " + i);
                want[i] = 0f;
            }
        }
        double m = 0;
        for (int i = 0; i < want.length; i++) {
            m += Math.abs((double) want[i] * c.outputs.values()[i]);
        }
        double value = error(got, c.value / share, FLOOR * m);
        assertWithin(c.id + " " + where + " loss: descent " + got + ", torch " + (c.value / share), value);
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = value;
        for (int i = 0; i < want.length; i++) {
            double e = error(grad[i], want[i], FLOOR * scale);
            assertWithin(c.id + " " + where + " gradient element " + i + ": descent " + grad[i] + ", torch "
                    + want[i], e);
            worst = Math.max(worst, e);
        }
        return worst;
    }

    private static double error(double got, double want, double floor) {
        if (Double.isNaN(want) || Double.isNaN(got)) {
            return Double.isNaN(want) == Double.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (got == want) {
            return 0;
        }
        return Math.abs(got - want) / Math.max(Math.abs(want), floor);
    }

    private static void assertWithin(String what, double e) {
        if (!(e <= RTOL)) {
            throw new AssertionError(what + ": relative error " + e + " > " + RTOL);
        }
    }

}

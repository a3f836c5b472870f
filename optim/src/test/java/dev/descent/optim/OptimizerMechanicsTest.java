package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.ScheduleUnit;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Optimizer mechanics on a recording test backend: kernel calls, allocation, groups, schedules, clipping, close. */
class OptimizerMechanicsTest {

    static List<Parameter> params(RecordingBackend b) {
        Parameter w = new Parameter("W", b.upload(new float[] {1, -2, 3, -4, 5, -6}, 2, 3),
                b.upload(new float[] {0.5f, 0.25f, -1, 2, -0.125f, 0}, 2, 3));
        Parameter bias = new Parameter("b", b.upload(new float[] {0.1f, 0.2f, 0.3f}, 3),
                b.upload(new float[] {1, -1, 0.5f}, 3));
        return List.of(w, bias);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "ema-momentum", "adam", "adamw", "rmsprop", "adagrad", "nadam", "radam",
        "adamax", "adadelta"})
    void oneFusedKernelPerTensorAndNoAllocationInStep(String name) {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        int before = b.allocations;
        try (BaseOptimizer opt = Optimizers.create(name, ps)) {
            int state = b.allocations - before;
            assertEquals(ps.size() * opt.stateNames().size(), state, "state tensors allocated at construction");
            for (int s = 1; s <= 5; s++) {
                int calls = b.updates;
                int allocs = b.allocations;
                opt.step();
                assertEquals(ps.size(), b.updates - calls, "one fused update per parameter tensor");
                assertEquals(allocs, b.allocations, "step allocates no tensors");
                assertEquals(s, opt.stepCount());
            }
            int kernelCalls = switch (name) {
                case "sgd", "momentum", "ema-momentum" -> b.sgdCalls;
                case "adam", "adamw" -> b.adamCalls;
                case "rmsprop" -> b.rmspropCalls;
                case "nadam" -> b.nadamCalls;
                case "radam" -> b.radamCalls;
                case "adamax" -> b.adamaxCalls;
                case "adadelta" -> b.adadeltaCalls;
                default -> b.adagradCalls;
            };
            assertEquals(10, kernelCalls);
            assertEquals(4 + state, b.liveTensors(), "no tensors besides parameters and state");
        }
        assertEquals(4, b.liveTensors(), "close releases every state tensor, leaves the parameters");
    }

    @Test
    void stateNamesFollowTheOptions() {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        assertEquals(List.of(), Optimizers.create("sgd", ps).stateNames());
        assertEquals(List.of("momentum_buffer"), Optimizers.create("momentum", ps).stateNames());
        assertEquals(List.of("velocity"), Optimizers.create("ema-momentum", ps).stateNames());
        assertEquals(List.of("exp_avg", "exp_avg_sq"), Optimizers.create("adam", ps).stateNames());
        assertEquals(List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
                Optimizers.create("adamw", AdamOptions.adamwDefaults().withAmsgrad(true), ps).stateNames());
        assertEquals(List.of("square_avg"), Optimizers.create("rmsprop", ps).stateNames());
        assertEquals(List.of("square_avg", "momentum_buffer", "grad_avg"), Optimizers.create("rmsprop",
                RmspropOptions.defaults().withMomentum(0.5).withCentered(true), ps).stateNames());
        BaseOptimizer ada = Optimizers.create("adagrad", AdagradOptions.defaults().withInitialAccumulatorValue(0.25),
                ps);
        assertEquals(List.of("sum"), ada.stateNames());
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, b.download(ada.stateTensor(1, "sum")));
        assertEquals(List.of("exp_avg", "exp_avg_sq"), Optimizers.create("nadam", ps).stateNames());
        assertEquals(List.of("exp_avg", "exp_avg_sq"), Optimizers.create("radam", ps).stateNames());
        assertEquals(List.of("exp_avg", "exp_inf"), Optimizers.create("adamax", ps).stateNames());
        assertEquals(List.of("square_avg", "acc_delta"), Optimizers.create("adadelta", ps).stateNames());
    }

    /** torch 1.13's NAdam scalars, step by step, as its Python code computes them (double, float32 mu_product). */
    private static double[][] torchNadamStepSizes(double lr, double beta1, double psi, int steps) {
        double[][] out = new double[steps][];
        float product = 1f;
        for (int t = 1; t <= steps; t++) {
            double mu = beta1 * (1. - 0.5 * Math.pow(0.96, t * psi));
            double muNext = beta1 * (1. - 0.5 * Math.pow(0.96, (t + 1) * psi));
            product *= (float) mu;
            float next = product * (float) mu * (float) muNext;
            out[t - 1] = new double[] {lr * (1. - mu) / (1. - product), lr * muNext / (1. - next)};
        }
        return out;
    }

    @Test
    void nadamKeepsTorchsMomentumProductAndRecomputesItAfterARestore() throws Exception {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        NadamOptions o = NadamOptions.defaults().withLr(0.01).withMomentumDecay(0.02);
        double[][] want = torchNadamStepSizes(0.01, 0.9, 0.02, 400);
        byte[] saved;
        try (Nadam opt = (Nadam) Optimizers.create("nadam", o, ps)) {
            assertEquals(1f, opt.muProduct());
            for (int t = 1; t <= 300; t++) {
                opt.step();
            }
            assertEquals(0f, opt.muProduct(), "the product underflowed: the restore's loop stops there");
            var bytes = new java.io.ByteArrayOutputStream();
            try (var out = new java.io.DataOutputStream(bytes)) {
                opt.saveState(out);
            }
            saved = bytes.toByteArray();
        }
        for (int t = 1; t <= 300; t++) {
            for (int p = 0; p < ps.size(); p++) {
                // both parameters get the same scalars, in parameter order
                assertArrayEquals(want[t - 1], b.nadamStepSizes.get(2 * (t - 1) + p), 0, "step " + t);
            }
        }
        b.nadamStepSizes.clear();
        try (Nadam opt = (Nadam) Optimizers.create("nadam", o, ps)) {
            opt.step(); // a run that had already stepped: the restore must not keep its product
            opt.loadState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(saved)));
            b.nadamStepSizes.clear();
            for (int t = 301; t <= 400; t++) {
                opt.step();
            }
        }
        for (int t = 301; t <= 400; t++) {
            assertArrayEquals(want[t - 1], b.nadamStepSizes.get(2 * (t - 301)), 0, "restored, step " + t);
        }
    }

    @Test
    void nadamProductIsRestoredBeforeItUnderflows() throws Exception {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b).subList(1, 2);
        NadamOptions o = NadamOptions.defaults();
        double[][] want = torchNadamStepSizes(2e-3, 0.9, 4e-3, 12);
        try (Nadam a = (Nadam) Optimizers.create("nadam", o, ps)) {
            for (int t = 1; t <= 5; t++) {
                a.step();
            }
            float product = a.muProduct();
            var bytes = new java.io.ByteArrayOutputStream();
            try (var out = new java.io.DataOutputStream(bytes)) {
                a.saveState(out);
            }
            try (Nadam r = (Nadam) Optimizers.create("nadam", o, ps)) {
                r.loadState(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
                assertEquals(Float.floatToIntBits(product), Float.floatToIntBits(r.muProduct()));
                b.nadamStepSizes.clear();
                for (int t = 6; t <= 12; t++) {
                    r.step();
                }
            }
        }
        for (int t = 6; t <= 12; t++) {
            assertArrayEquals(want[t - 1], b.nadamStepSizes.get(t - 6), 0, "restored, step " + t);
        }
    }

    @Test
    void sgdCopiesOnTheFirstStepOnlyAndEmaNever() {
        RecordingBackend b = new RecordingBackend();
        try (BaseOptimizer opt = Optimizers.create("momentum", params(b))) {
            opt.step();
            opt.step();
            assertEquals(List.of(true, true, false, false), b.copyFirst);
        }
        b.copyFirst.clear();
        try (BaseOptimizer opt = Optimizers.create("ema-momentum", params(b))) {
            opt.step();
            opt.step();
            assertEquals(List.of(false, false, false, false), b.copyFirst);
        }
    }

    @Test
    void emaMomentumIsTheTextbookRecurrence() {
        RecordingBackend b = new RecordingBackend();
        Parameter p = new Parameter("w", b.upload(new float[] {1}, 1), b.upload(new float[] {2}, 1));
        try (BaseOptimizer opt = Optimizers.create("ema-momentum", new EmaMomentumOptions(0.5, 0.75, 0, false),
                List.of(p))) {
            opt.step(); // v = 0.25 * 2 = 0.5; w = 1 - 0.5 * 0.5 = 0.75
            assertEquals(0.5f, b.get(opt.stateTensor(0, "velocity"), 0));
            assertEquals(0.75f, b.get(p.value(), 0));
            b.upload(new float[] {-1}, 0, p.grad());
            opt.step(); // v = 0.75 * 0.5 + 0.25 * -1 = 0.125; w = 0.75 - 0.0625
            assertEquals(0.125f, b.get(opt.stateTensor(0, "velocity"), 0));
            assertEquals(0.6875f, b.get(p.value(), 0));
        }
    }

    @Test
    void adamStepCountsAndAdagradDecayedRate() {
        RecordingBackend b = new RecordingBackend();
        try (BaseOptimizer opt = Optimizers.create("adam", params(b))) {
            opt.step();
            opt.step();
            opt.step();
            assertEquals(List.of(1L, 1L, 2L, 2L, 3L, 3L), b.adamSteps);
        }
        b.lrs.clear();
        try (BaseOptimizer opt = Optimizers.create("adagrad", new AdagradOptions(0.3, 0.1, 0, 0, 1e-10, false),
                params(b).subList(0, 1))) {
            for (int i = 0; i < 4; i++) {
                opt.step();
            }
            assertEquals(List.of(0.3 / (1 + 0 * 0.1), 0.3 / (1 + 1 * 0.1), 0.3 / (1 + 2 * 0.1), 0.3 / (1 + 3 * 0.1)),
                    b.lrs);
        }
    }

    @Test
    void groupsHaveTheirOwnLearningRateAndScheduleScalesEach() {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(0.1),
                List.of(ParamGroup.of(ps.get(0)), ParamGroup.of(ps.get(1)).withLr(0.01).withWeightDecay(0.5)),
                Schedule.step(2, 0.5, ScheduleUnit.STEP), null)) {
            assertEquals(2, opt.groupCount());
            for (int i = 0; i < 4; i++) {
                opt.step();
            }
            assertEquals(List.of(0.1, 0.01, 0.1, 0.01, 0.05, 0.005, 0.05, 0.005), b.lrs);
            assertEquals(0.025, opt.learningRate());
            assertEquals(0.0025, opt.learningRate(1));
            assertEquals(0.5, opt.hyperParameters().get("group.1.weight_decay"));
            assertEquals(0.0, opt.hyperParameters().get("group.0.weight_decay"));
        }
    }

    @Test
    void epochSchedulesAdvanceInEndEpochOnly() {
        RecordingBackend b = new RecordingBackend();
        try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(1.0),
                List.of(ParamGroup.of(params(b))), Schedule.exponential(0.5, ScheduleUnit.EPOCH), null)) {
            opt.step();
            opt.step();
            assertEquals(1.0, opt.learningRate());
            opt.endEpoch(Double.NaN);
            assertEquals(0.5, opt.learningRate());
            opt.step();
            assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 0.5, 0.5), b.lrs);
        }
    }

    @Test
    void clipByNormScalesAllGradientsAsTorch() {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        double total = 0;
        for (Parameter p : ps) {
            for (float v : b.download(p.grad())) {
                total += (double) v * v;
            }
        }
        total = Math.sqrt(total);
        float coef = (1f / ((float) total + 1e-6f)) * 0.5f;
        float[] w0 = b.download(ps.get(0).grad());
        try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(0), List.of(ParamGroup.of(ps)),
                null, GradientClipping.norm(0.5))) {
            opt.step();
            assertEquals((float) total, opt.lastGradientNorm(), 0);
        }
        float[] w1 = b.download(ps.get(0).grad());
        for (int i = 0; i < w0.length; i++) {
            assertEquals(w0[i] * coef, w1[i], 0, "element " + i);
        }
        assertEquals(2, b.scaleCalls);
        // below the threshold nothing is scaled
        try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(0), List.of(ParamGroup.of(ps)),
                null, GradientClipping.norm(100))) {
            opt.step();
        }
        assertEquals(2, b.scaleCalls);
        assertArrayEquals(w1, b.download(ps.get(0).grad()));
    }

    @Test
    void clipByValueClamps() {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        try (BaseOptimizer opt = Optimizers.create("sgd", SgdOptions.defaults().withLr(0), List.of(ParamGroup.of(ps)),
                null, GradientClipping.value(0.3))) {
            opt.step();
            assertTrue(Double.isNaN(opt.lastGradientNorm()));
        }
        assertArrayEquals(new float[] {0.3f, 0.25f, -0.3f, 0.3f, -0.125f, 0}, b.download(ps.get(0).grad()));
        assertArrayEquals(new float[] {0.3f, -0.3f, 0.3f}, b.download(ps.get(1).grad()));
    }

    @Test
    void rejectsBadParameterLists() {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = params(b);
        assertEquals("sgd: no parameters to optimize", assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("sgd", SgdOptions.defaults(), List.of(), null, null)).getMessage());
        assertEquals("adam: parameter W appears more than once (in one group or in several)",
                assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", AdamOptions.defaults(),
                        List.of(ParamGroup.of(ps), ParamGroup.of(ps.get(0))), null, null)).getMessage());
        Parameter twin = new Parameter("W", b.allocate(1), b.allocate(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam",
                List.of(ps.get(0), twin))).getMessage().startsWith("adam: two parameters are named W"));
        RecordingBackend other = new RecordingBackend();
        Parameter foreign = new Parameter("x", other.allocate(1), other.allocate(1));
        assertEquals("sgd: parameter x belongs to another backend than W", assertThrows(
                IllegalArgumentException.class, () -> Optimizers.create("sgd", List.of(ps.get(0), foreign)))
                .getMessage());
    }

    @Test
    void closeIsIdempotentAndAStepAfterItFails() {
        RecordingBackend b = new RecordingBackend();
        BaseOptimizer opt = Optimizers.create("adam", params(b));
        opt.close();
        opt.close();
        assertEquals("adam optimizer is closed", assertThrows(IllegalStateException.class, opt::step).getMessage());
    }

    @Test
    void builderAppliesTextSettingsScheduleAndClipping() {
        RecordingBackend b = new RecordingBackend();
        BaseOptimizer opt = Optimizers.builder("momentum").set("lr", "0.5").set("nesterov", "true")
                .schedule(Schedule.parse("cosine(t_max=10)")).clipping(GradientClipping.parse("norm:2"))
                .build(params(b));
        assertSame(Sgd.class, opt.getClass());
        assertEquals("sgd", opt.name());
        assertEquals(new SgdOptions(0.5, 0.9, 0, true, 0, false), ((Sgd) opt).options());
        assertEquals("cosine(t_max=10, eta_min=0.0, unit=epoch)", opt.scheduler().schedule().spec());
        assertEquals(GradientClipping.norm(2), opt.clipping());
        assertFalse(opt.toString().isEmpty());
        assertEquals(List.of("W", "b"), opt.parameters().stream().map(Parameter::name).toList());
    }

    @Test
    void stepAllocatesNothingOnTheJavaHeap() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported()) {
            return;
        }
        mx.setThreadAllocatedMemoryEnabled(true);
        RecordingBackend b = new RecordingBackend();
        b.quiet();
        List<Parameter> ps = params(b);
        for (String name : Optimizers.names()) {
            if (Optimizers.needsClosure(name)) {
                continue; // lbfgs: LbfgsTest
            }
            try (BaseOptimizer opt = Optimizers.create(name, Optimizers.defaults(name).withLr(1e-6),
                    List.of(ParamGroup.of(ps.get(0)), ParamGroup.of(ps.get(1)).withLr(1e-7)),
                    Schedule.warmup(3, ScheduleUnit.STEP, 0.5, Schedule.cosine(50, 0, ScheduleUnit.STEP)),
                    GradientClipping.norm(1e-3))) {
                for (int i = 0; i < 20_000; i++) {
                    opt.step();
                }
                // a per-step allocation shows in every window; a one-off JIT transient (deoptimisation) in one only
                long tid = Thread.currentThread().threadId();
                long[] windows = new long[5];
                boolean clean = false;
                for (int w = 0; w < windows.length && !clean; w++) {
                    long before = mx.getThreadAllocatedBytes(tid);
                    for (int i = 0; i < 1000; i++) {
                        opt.step();
                    }
                    windows[w] = mx.getThreadAllocatedBytes(tid) - before;
                    clean = windows[w] == 0;
                }
                assertTrue(clean, name + ": bytes allocated by windows of 1000 steps: "
                        + java.util.Arrays.toString(windows));
            }
        }
    }
}

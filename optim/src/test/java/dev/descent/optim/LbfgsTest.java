package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.LbfgsOptions.LineSearch;
import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.ScheduleUnit;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Lbfgs}'s options, factory, mechanics and saved state on the recording test backend. Its numerics against
 * torch.optim.LBFGS are in integration-tests (LbfgsGoldenTest, LbfgsResumeTest).
 */
class LbfgsTest {
    private static final float[] CURVATURE = {1f, 4f, 0.5f, 9f, 2f};

    /** ½ Σ c_i (w_i − 1)² over a tensor u [3] and v [2], on the host; counts its evaluations. */
    private static final class Quadratic implements Closure {
        final RecordingBackend b;
        final Parameter u;
        final Parameter v;
        int evaluations;

        Quadratic(RecordingBackend b) {
            this.b = b;
            u = new Parameter("u", b.upload(new float[] {3f, -2f, 0.5f}, 3), b.allocate(3));
            v = new Parameter("v", b.upload(new float[] {-1f, 4f}, 2), b.allocate(2));
        }

        List<Parameter> parameters() {
            return List.of(u, v);
        }

        @Override
        public double evaluate() {
            evaluations++;
            float[] w = new float[5];
            b.download(u.value(), w, 0);
            b.download(v.value(), w, 3);
            float[] g = new float[5];
            double loss = 0;
            for (int i = 0; i < 5; i++) {
                float d = w[i] - 1f;
                g[i] = CURVATURE[i] * d;
                loss += 0.5 * CURVATURE[i] * d * d;
            }
            b.upload(g, 0, u.grad());
            b.upload(g, 3, v.grad());
            return loss;
        }

        float[] values() {
            float[] w = new float[5];
            b.download(u.value(), w, 0);
            b.download(v.value(), w, 3);
            return w;
        }

        void set(float[] w) {
            b.upload(w, 0, u.value());
            b.upload(w, 3, v.value());
        }
    }

    @Test
    void defaultsAreTorchs() {
        LbfgsOptions o = LbfgsOptions.defaults();
        assertEquals(new LbfgsOptions(1, 20, 25, 1e-7, 1e-9, 100, LineSearch.NONE), o);
        assertEquals(o, Optimizers.defaults("lbfgs"));
        assertEquals(List.of("lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size",
                "line_search"), List.copyOf(o.settings().keySet()));
        assertEquals(0.0, o.weightDecay());
        assertTrue(Optimizers.names().contains("lbfgs"));
        assertTrue(Optimizers.needsClosure("lbfgs"));
        assertTrue(!Optimizers.needsClosure("adam"));
    }

    @Test
    void maxEvalFollowsMaxIterUnlessSet() {
        assertEquals(10, LbfgsOptions.defaults().withMaxIter(8).maxEval());
        assertEquals(3, LbfgsOptions.defaults().withMaxEval(3).withMaxIter(8).maxEval());
        assertEquals(1, LbfgsOptions.defaults().withMaxIter(1).maxEval()); // torch: 1 * 5 // 4
        LbfgsOptions parsed = (LbfgsOptions) Optimizers.parseOptions("lbfgs", Map.of("max_iter", "8"));
        assertEquals(10, parsed.maxEval());
        parsed = (LbfgsOptions) Optimizers.parseOptions("lbfgs", Map.of("max-iter", "8", "max_eval", "30"));
        assertEquals(30, parsed.maxEval());
    }

    @Test
    void textSettings() {
        LbfgsOptions o = (LbfgsOptions) Optimizers.parseOptions("lbfgs", Map.of("line_search", "strong-wolfe",
                "history-size", "7", "lr", "0.5", "tolerance_grad", "1e-5", "tolerance_change", "0"));
        assertEquals(new LbfgsOptions(0.5, 20, 25, 1e-5, 0, 7, LineSearch.STRONG_WOLFE), o);
        assertEquals(LineSearch.NONE, ((LbfgsOptions) Optimizers.parseOptions("lbfgs",
                Map.of("line_search", "none"))).lineSearch());
        assertEquals(LineSearch.STRONG_WOLFE, ((LbfgsOptions) Optimizers.parseOptions("lbfgs",
                Map.of("line_search", "STRONG_WOLFE"))).lineSearch());
        // the settings map round-trips (line_search as 1)
        Map<String, String> text = new java.util.LinkedHashMap<>();
        o.settings().forEach((k, v) -> text.put(k, Double.toString(v)));
        assertEquals(o, Optimizers.parseOptions("lbfgs", text));
    }

    @Test
    void invalidSettingsNameTheSetting() {
        String[][] bad = {{"max_iter", "0"}, {"max_iter", "2.5"}, {"max_eval", "-1"}, {"history_size", "0"},
                {"tolerance_grad", "-1e-7"}, {"tolerance_change", "NaN"}, {"lr", "-1"}, {"lr", "Infinity"}};
        for (String[] kv : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Optimizers.parseOptions("lbfgs", Map.of(kv[0], kv[1])), kv[0] + "=" + kv[1]);
            assertTrue(e.getMessage().startsWith("lbfgs: invalid " + kv[0]), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.parseOptions("lbfgs", Map.of("line_search", "armijo")));
        assertTrue(e.getMessage().contains("none or strong_wolfe"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.parseOptions("lbfgs", Map.of("momentum", "0.9")));
        assertTrue(e.getMessage().contains("unknown setting 'momentum'"), e.getMessage());
    }

    @Test
    void factory() {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("lbfgs", q.parameters()));
        assertTrue(e.getMessage().contains("createOptimizer"), e.getMessage());
        try (Optimizer o = Optimizers.createOptimizer("lbfgs", q.parameters())) {
            assertInstanceOf(Lbfgs.class, o);
            assertTrue(o.needsClosure());
        }
        try (Optimizer o = Optimizers.builder("lbfgs").set("history_size", "3").buildOptimizer(q.parameters())) {
            assertEquals(3, ((Lbfgs) o).options().historySize());
        }
        try (Optimizer o = Optimizers.builder("adam").buildOptimizer(q.parameters())) {
            assertInstanceOf(Adam.class, o);
            assertTrue(!o.needsClosure());
        }
        assertThrows(IllegalArgumentException.class, () -> Optimizers.createOptimizer("lbfgs",
                LbfgsOptions.defaults(), List.of(ParamGroup.of(q.u), ParamGroup.of(q.v)), null, null));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.createOptimizer("lbfgs",
                LbfgsOptions.defaults(), List.of(ParamGroup.of(q.parameters()).withLr(0.1)), null, null));
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.builder("lbfgs")
                .clipping(GradientClipping.norm(1)).buildOptimizer(q.parameters()));
        assertTrue(e.getMessage().contains("clip"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Lbfgs(LbfgsOptions.defaults(),
                List.of(q.u, q.u), null));
    }

    @Test
    void stepWithoutAClosureIsRefused() {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        try (Lbfgs o = new Lbfgs(LbfgsOptions.defaults(), q.parameters(), null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, o::step);
            assertTrue(e.getMessage().contains("step(closure)"), e.getMessage());
        }
    }

    @Test
    void otherOptimizersEvaluateTheClosureOnceThenStep() {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        try (BaseOptimizer sgd = Optimizers.create("sgd", SgdOptions.defaults().withLr(0.1), q.parameters())) {
            double loss = sgd.step(q);
            assertEquals(1, q.evaluations);
            assertEquals(1, sgd.stepCount());
            assertEquals(0.5 * (4 + 4 * 9 + 0.5 * 0.25 + 9 * 4 + 2 * 9), loss, 1e-9);
            assertEquals(3f - 0.1f * 2f, q.values()[0], 1e-6f);
        }
    }

    @Test
    void findsTheMinimumOfAQuadraticAndCountsItsEvaluations() {
        for (LineSearch ls : LineSearch.values()) {
            RecordingBackend b = new RecordingBackend();
            Quadratic q = new Quadratic(b);
            try (Lbfgs o = new Lbfgs(LbfgsOptions.defaults().withLineSearch(ls).withLr(ls == LineSearch.NONE ? 0.2 : 1),
                    q.parameters(), null)) {
                double first = o.step(q);
                assertEquals(q.evaluations, o.functionEvaluations(), ls + ": every closure call counted");
                assertTrue(o.iterations() >= 1 && o.functionEvaluations() >= 2, ls.name());
                for (int k = 0; k < 5; k++) {
                    o.step(q);
                }
                assertEquals(6, o.stepCount());
                assertEquals(q.evaluations, o.functionEvaluations());
                double last = q.evaluate();
                assertTrue(last < 1e-8 * first, ls + ": loss " + first + " -> " + last);
                for (float w : q.values()) {
                    assertEquals(1f, w, 1e-3f, ls.name());
                }
            }
        }
    }

    @Test
    void aConvergedStepEvaluatesOnceAndMovesNothing() {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        q.set(new float[] {1f, 1f, 1f, 1f, 1f});
        try (Lbfgs o = new Lbfgs(LbfgsOptions.defaults(), q.parameters(), null)) {
            assertEquals(0.0, o.step(q));
            assertEquals(1, o.functionEvaluations());
            assertEquals(0, o.iterations());
            assertArrayEquals(new float[] {1f, 1f, 1f, 1f, 1f}, q.values());
        }
    }

    @Test
    void aScheduleChangesTheLearningRateBetweenSteps() {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        try (Lbfgs o = new Lbfgs(LbfgsOptions.defaults().withLr(0.5), q.parameters(),
                Schedule.exponential(0.5, ScheduleUnit.STEP))) {
            assertEquals(0.5, o.learningRate());
            o.step(q);
            assertEquals(0.25, o.learningRate());
            o.step(q);
            assertEquals(0.125, o.learningRate());
        }
    }

    // ---------------------------------------------------------------------------------------------- saved state

    private static float[][] run(LbfgsOptions options, int steps, int saveAfter, boolean restore) throws IOException {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        float[][] path = new float[steps][];
        Lbfgs o = new Lbfgs(options, q.parameters(), null);
        for (int k = 0; k < steps; k++) {
            if (restore && k == saveAfter) {
                byte[] state = StateFormatTest.save(o);
                float[] w = q.values();
                o.close();
                // a new process: new parameters at the saved values, a new optimizer, the state loaded
                b = new RecordingBackend();
                q = new Quadratic(b);
                q.set(w);
                o = new Lbfgs(options, q.parameters(), null);
                StateFormatTest.load(o, state);
            }
            o.step(q);
            path[k] = q.values();
        }
        o.close();
        return path;
    }

    @Test
    void restoredStateContinuesBitForBit() throws IOException {
        LbfgsOptions[] configs = {
                LbfgsOptions.defaults().withLr(0.1).withMaxIter(2).withHistorySize(2),
                LbfgsOptions.defaults().withLineSearch(LineSearch.STRONG_WOLFE).withMaxIter(2).withHistorySize(3),
                LbfgsOptions.defaults().withLineSearch(LineSearch.STRONG_WOLFE).withMaxIter(1)};
        for (LbfgsOptions c : configs) {
            float[][] straight = run(c, 8, -1, false);
            for (int at : new int[] {0, 1, 3, 6}) {
                float[][] resumed = run(c, 8, at, true);
                for (int k = 0; k < 8; k++) {
                    assertArrayEquals(straight[k], resumed[k], c + ": saved after " + at + " steps, step " + (k + 1));
                }
            }
        }
    }

    @Test
    void stateRecordsCountersAndRefusesAnotherConfiguration() throws IOException {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        LbfgsOptions options = LbfgsOptions.defaults().withLr(0.1).withHistorySize(4);
        byte[] state;
        try (Lbfgs o = new Lbfgs(options, q.parameters(), null)) {
            o.step(q);
            o.step(q);
            state = StateFormatTest.save(o);
            try (Lbfgs again = new Lbfgs(options, q.parameters(), null)) {
                StateFormatTest.load(again, state);
                assertEquals(o.functionEvaluations(), again.functionEvaluations());
                assertEquals(o.iterations(), again.iterations());
                assertEquals(o.historyLength(), again.historyLength());
                assertEquals(2, again.stepCount());
            }
        }
        try (Lbfgs other = new Lbfgs(options.withHistorySize(5), q.parameters(), null)) {
            IOException e = assertThrows(IOException.class, () -> StateFormatTest.load(other, state));
            assertTrue(e.getMessage().contains("history_size"), e.getMessage());
        }
        try (Lbfgs other = new Lbfgs(options, List.of(q.v, q.u), null)) {
            IOException e = assertThrows(IOException.class, () -> StateFormatTest.load(other, state));
            assertTrue(e.getMessage().contains("named"), e.getMessage());
        }
        try (BaseOptimizer adam = Optimizers.create("adam", q.parameters())) {
            IOException e = assertThrows(IOException.class, () -> StateFormatTest.load(adam, state));
            assertTrue(e.getMessage().contains("'lbfgs'"), e.getMessage());
        }
        try (Lbfgs other = new Lbfgs(options, q.parameters(), Schedule.exponential(0.9, ScheduleUnit.EPOCH))) {
            IOException e = assertThrows(IOException.class, () -> StateFormatTest.load(other, state));
            assertTrue(e.getMessage().contains("schedule"), e.getMessage());
        }
    }

    @Test
    void closeReleasesEveryTensorItAllocated() {
        RecordingBackend b = new RecordingBackend();
        Quadratic q = new Quadratic(b);
        int before = b.liveTensors();
        Lbfgs o = new Lbfgs(LbfgsOptions.defaults().withLineSearch(LineSearch.STRONG_WOLFE).withHistorySize(2),
                q.parameters(), null);
        for (int k = 0; k < 3; k++) {
            o.step(q);
        }
        assertTrue(b.liveTensors() > before);
        o.close();
        o.close();
        assertEquals(before, b.liveTensors());
        assertThrows(IllegalStateException.class, () -> o.step(q));
    }
}

package dev.descent.it.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.it.model.Fixtures;
import dev.descent.it.model.MeasuringBackend;
import dev.descent.it.model.PlainSgd;
import dev.descent.objective.Objective;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.RunSummary;
import dev.descent.objective.Trajectory;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.SgdOptions;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ObjectiveMinimizerTest {
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Fixtures.cpu(1);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Row k is the point after k steps; with plain SGD each row is w − lr·∇R(w) of the previous one. */
    @Test
    void recordsEveryPointOfPlainSgd() {
        Rosenbrock r = Rosenbrock.lecture();
        float[] start = {-1.5f, 2f};
        try (ObjectiveMinimizer m = new ObjectiveMinimizer(backend, r, start);
                Optimizer sgd = Fixtures.sgd(m.parameters(), 0.01)) {
            Trajectory t = m.run(sgd, 3000);
            assertEquals(3000, t.steps());
            assertEquals(3001, t.rows());
            assertArrayEquals(start, t.parameters(0));
            assertEquals(r.value(start), t.value(0));
            float[] w = start.clone();
            float[] g = new float[2];
            for (int k = 1; k <= 50; k++) {
                r.gradient(w, g);
                for (int i = 0; i < 2; i++) {
                    w[i] = w[i] - 0.01f * g[i];
                }
                for (int i = 0; i < 2; i++) {
                    assertEquals(w[i], t.parameter(k, i), Math.ulp(w[i]) * 2, "step " + k + " w" + (i + 1));
                }
                w = t.parameters(k);   // continue from the recorded point so rounding does not accumulate
                assertEquals(r.value(w), t.value(k));
            }
            assertFalse(t.diverged());
            assertTrue(t.finalValue() < 1e-4, "final value " + t.finalValue());
            assertEquals(1f, t.finalParameters()[0], 1e-2);
            assertEquals(1f, t.finalParameters()[1], 2e-2);
            assertEquals(3000, sgd.stepCount());
        }
    }

    /** A huge learning rate diverges: reported, kept (not hidden), and stopped only when asked. */
    @Test
    void divergenceIsAResult() throws IOException {
        float[] start = {-1.5f, 2f};
        Trajectory all = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), start,
                p -> Fixtures.sgd(p, 0.5), 40, false);
        assertTrue(all.diverged());
        int k = all.divergedAt();
        assertTrue(k > 0 && k < 40, "diverged at " + k);
        assertEquals(41, all.rows(), "every step is recorded");
        assertFalse(all.stoppedEarly());
        assertFalse(Double.isFinite(all.value(k)) && Float.isFinite(all.parameter(k, 0))
                && Float.isFinite(all.parameter(k, 1)));
        for (int j = 0; j < k; j++) {
            assertTrue(Double.isFinite(all.value(j)));
        }
        assertFalse(Double.isFinite(all.finalValue()));

        Trajectory stopped = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), start,
                p -> Fixtures.sgd(p, 0.5), 40, true);
        assertEquals(k, stopped.divergedAt());
        assertEquals(k + 1, stopped.rows());
        assertTrue(stopped.stoppedEarly());
        for (int j = 0; j <= k; j++) {
            assertArrayEquals(all.parameters(j), stopped.parameters(j));
        }
        StringBuilder csv = new StringBuilder();
        stopped.writeCsv(csv);
        assertTrue(csv.toString().startsWith("step,w1,w2,value\n0,-1.5,2.0,"), csv.toString());
        assertEquals(k + 2, csv.toString().split("\n").length);
    }

    /** A streamed run hands the observer exactly the rows a recorded run keeps, and ends the same way. */
    @Test
    void anObserverSeesTheRowsARecordedRunKeeps() {
        float[] start = {-1.5f, 2f};
        for (boolean stop : new boolean[] {false, true}) {
            Trajectory recorded = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), start,
                    p -> Fixtures.sgd(p, 0.5), 40, stop);
            java.util.List<float[]> rows = new java.util.ArrayList<>();
            java.util.List<Double> values = new java.util.ArrayList<>();
            RunSummary streamed = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), start,
                    p -> Fixtures.sgd(p, 0.5), 40, stop, (k, w, v) -> {
                        assertEquals(rows.size(), k, "rows in order from 0");
                        rows.add(w.clone());
                        values.add(v);
                    });
            assertEquals(recorded.summary(), streamed);
            assertEquals(recorded.rows(), rows.size());
            for (int k = 0; k < rows.size(); k++) {
                assertArrayEquals(recorded.parameters(k), rows.get(k));
                assertEquals(Double.doubleToLongBits(recorded.value(k)), Double.doubleToLongBits(values.get(k)));
            }
            java.util.List<float[]> replayed = new java.util.ArrayList<>();
            recorded.replay((k, w, v) -> replayed.add(w.clone()));
            assertEquals(rows.size(), replayed.size());
        }
        // an observer's exception ends the run
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ObjectiveMinimizer.minimize(
                backend, Rosenbrock.lecture(), start, p -> Fixtures.sgd(p, 0.01), 1_000_000, false, (k, w, v) -> {
                    if (k == 5) {
                        throw new IllegalStateException("enough");
                    }
                }));
        assertEquals("enough", e.getMessage());
    }

    @Test
    void thresholdCountsLargeValuesAsDiverged() {
        try (ObjectiveMinimizer m = new ObjectiveMinimizer(backend, Rosenbrock.lecture(), new float[] {-1.5f, 2f});
                Optimizer sgd = Fixtures.sgd(m.parameters(), 0.01)) {
            Trajectory t = m.divergenceThreshold(1.0).run(sgd, 10);
            assertEquals(0, t.divergedAt(), "R(-1.5, 2) = 6.875 > 1");
        }
    }

    @Test
    void worksWithAnyOptimizerAndDimension() {
        Rosenbrock r = Rosenbrock.standard(5);
        Trajectory t = ObjectiveMinimizer.minimize(backend, r, new float[5],
                p -> Optimizers.create("adam", dev.descent.optim.AdamOptions.defaults().withLr(0.02), p), 3000,
                false);
        assertTrue(t.finalValue() < 1e-2, "adam on 5-D rosenbrock: " + t);
        Objective bowl = Objective.of(3, w -> w[0] * w[0] + w[1] * w[1] + w[2] * w[2], (w, g) -> {
            for (int i = 0; i < 3; i++) {
                g[i] = 2 * w[i];
            }
        });
        Trajectory b = ObjectiveMinimizer.minimize(backend, bowl, new float[] {1f, -2f, 3f},
                p -> Optimizers.create("sgd", SgdOptions.defaults().withLr(0.1).withMomentum(0.5), p), 100, false);
        assertEquals(0.0, b.finalValue(), 1e-10);
    }

    @Test
    void rejectsAnOptimizerOverOtherParameters() {
        try (ObjectiveMinimizer a = new ObjectiveMinimizer(backend, Rosenbrock.lecture(), new float[2]);
                ObjectiveMinimizer b = new ObjectiveMinimizer(backend, Rosenbrock.lecture(), new float[2]);
                Optimizer sgd = Fixtures.sgd(b.parameters(), 0.01)) {
            assertThrows(IllegalArgumentException.class, () -> a.run(sgd, 1));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new ObjectiveMinimizer(backend, Rosenbrock.lecture(), new float[3]));
    }

    /**
     * Only the trajectory (allocated before the loop) is allocated, however many steps run; allocations inside the
     * backend's kernels are counted apart by the {@link MeasuringBackend}.
     */
    @Test
    void stepsAllocateNothing() {
        MeasuringBackend mb = new MeasuringBackend(backend);
        try (ObjectiveMinimizer m = new ObjectiveMinimizer(mb, Rosenbrock.standard(4), new float[4])) {
            Optimizer sgd = new PlainSgd(mb, m.parameters(), 1e-4);
            m.run(sgd, 20000);   // warm-up
            long before = MeasuringBackend.allocated();
            long kernels = mb.insideBackend();
            m.run(sgd, 20000);
            long bytes = MeasuringBackend.allocated() - before - (mb.insideBackend() - kernels);
            long trajectory = 20001L * 4 * 4 + 20001L * 8;
            assertTrue(bytes < trajectory + 4096, "20000 steps allocated " + bytes + " bytes outside the backend,"
                    + " the trajectory " + trajectory);
            // streamed to an observer, nothing grows with the steps
            double[] sum = new double[1];
            dev.descent.objective.TrajectoryObserver observer = (k, w, v) -> sum[0] += v;
            m.run(sgd, 20000, false, observer);   // warm-up
            before = MeasuringBackend.allocated();
            kernels = mb.insideBackend();
            m.run(sgd, 20000, false, observer);
            bytes = MeasuringBackend.allocated() - before - (mb.insideBackend() - kernels);
            assertTrue(bytes < 4096, "20000 streamed steps allocated " + bytes + " bytes outside the backend");
        }
    }
}

package dev.descent.it.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autodiff.ExpressionObjective;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.it.model.Fixtures;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.TrajectoryObserver;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A minimizer step on an objective written as an expression (evaluate the tape, differentiate it, Adam, the trajectory
 * row) allocates nothing once warm, like the hand-written objectives: the tape replays its recording.
 */
class ExpressionObjectiveAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void minimizerStepsOnAnExpressionAllocateNothing() {
        long id = Thread.currentThread().threadId();
        TrajectoryObserver ignore = (step, w, value) -> { };
        try (Backend backend = Fixtures.cpu(1);
                ExpressionObjective rosenbrock = ExpressionObjective.of(backend, 5, "rosenbrock 5-D", w -> {
                    Var head = w.slice(0, 0, -1);
                    Var tail = w.slice(0, 1, 5);
                    return head.rsub(1).pow(2).add(tail.sub(head.pow(2)).pow(2).mul(100)).sum()
                            .add(w.get(0).sin().abs());
                });
                ObjectiveMinimizer m = new ObjectiveMinimizer(backend, rosenbrock, new float[] {0, 1, 0, 1, 0});
                Optimizer adam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-3), m.parameters())) {
            long bytes = -1;
            long deadline = System.nanoTime() + 60_000_000_000L;
            int zeros = 0;
            while (zeros < 2 && System.nanoTime() < deadline) {
                long before = THREADS.getThreadAllocatedBytes(id);
                m.run(adam, 2000, false, ignore);
                bytes = THREADS.getThreadAllocatedBytes(id) - before;
                zeros = bytes <= 256 ? zeros + 1 : 0;
            }
            // The run's result (RunSummary, a copy of w) is allocated once per run; one object per step would be 32 KB.
            assertEquals(true, bytes <= 256, "2000 steps allocated " + bytes + " bytes");
        }
    }
}

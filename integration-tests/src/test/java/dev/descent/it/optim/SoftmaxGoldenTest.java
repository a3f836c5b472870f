package dev.descent.it.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer family with its options, parameter groups, schedules and clipping on softmax regression (64×10 → 4
 * classes, full batch, weights from zero, mean cross-entropy), 50 steps, against torch.optim
 * (golden/optim/softmax.txt). The gradients come from the backend's GEMM and fused cross-entropy, whose summation order
 * differs from torch's, so each step's gradient differs from torch's in the last bits and the difference is carried
 * along the trajectory (most where a normalising optimizer meets a near-zero total gradient, e.g. RMSprop at the
 * weight-decay equilibrium). Tolerance per tensor at each recorded step: ‖descent − torch‖∞ ≤ 1e-5 · ‖torch‖∞;
 * relative 1e-5 on the loss. The update kernels alone are checked bit-tight by the Rosenbrock and quadratic tests.
 */
class SoftmaxGoldenTest {
    private static final Golden GOLDEN = Golden.load("softmax.txt");
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static List<Golden.Case> cases() {
        return GOLDEN.cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorch(Golden.Case c) {
        try (Problems.Problem p = Problems.Softmax.fromGolden(backend, GOLDEN)) {
            Trajectories.Result r = Trajectories.run(backend, c, p, 1e-5, 1.0);
            System.out.printf("softmax %-36s max param error %.2e, loss error %.2e%n", c.id, r.maxParamError(),
                    r.maxLossError());
        }
    }
}

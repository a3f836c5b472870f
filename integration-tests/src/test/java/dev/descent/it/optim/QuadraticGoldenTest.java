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
 * Optimizers, groups, schedules and clipping on a separable quadratic over two tensors of 37 and 5 elements (vector
 * loops and tails), 30 steps, against torch.optim (golden/optim/quadratic.txt). The gradient c·(w − t) is computed
 * identically on both sides: tolerance relative 1e-6 per element (floor 0.1 of the tensor's largest magnitude) and on
 * the loss. On the CPU backend every case is bit-identical to torch except clipping by global norm, whose total norm
 * torch accumulates in float32 in its own order (descent in double), which moves the coefficient by an ulp.
 */
class QuadraticGoldenTest {
    private static final Golden GOLDEN = Golden.load("quadratic.txt");
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
        try (Problems.Problem p = new Problems.Quadratic(backend, GOLDEN)) {
            Trajectories.Result r = Trajectories.run(backend, c, p, 1e-6, 0.1);
            System.out.printf("quadratic %-36s max param error %.2e, loss error %.2e%n", c.id, r.maxParamError(),
                    r.maxLossError());
        }
    }
}

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
 * Every optimizer, option, schedule and clipping mode on the Rosenbrock function from (0, 1), 200 steps, against
 * torch.optim (golden/optim/rosenbrock.txt). The golden side takes the gradient from torch autograd, this side from
 * {@link dev.descent.objective.Rosenbrock#lecture()}, which reproduces it bit for bit, so the only differences would
 * come from the update kernels: tolerance relative 1e-6 per element (floor 1e-2 of the tensor's largest magnitude) and
 * 1e-6 on the loss. On the CPU backend the trajectories are bit-identical to torch's except clip_norm_adam (about
 * 1e-7): torch's clip_grad_norm_ sums the squares in float32 (for two elements sqrt(fma(g2, g2, g1·g1))), descent in
 * double, so the total norm can differ in the last bit.
 */
class RosenbrockGoldenTest {
    private static final Golden GOLDEN = Golden.load("rosenbrock.txt");
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
        String[] init = GOLDEN.header.get("init").get(0);
        try (Problems.Rosenbrock p = new Problems.Rosenbrock(backend, Float.parseFloat(init[1]),
                Float.parseFloat(init[2]))) {
            Trajectories.Result r = Trajectories.run(backend, c, p, 1e-6, 1e-2);
            System.out.printf("rosenbrock %-36s max param error %.2e, loss error %.2e%n", c.id, r.maxParamError(),
                    r.maxLossError());
        }
    }
}

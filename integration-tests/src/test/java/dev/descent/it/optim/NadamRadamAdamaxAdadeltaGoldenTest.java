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
 * NAdam, RAdam, Adamax and Adadelta against torch.optim 1.13 (golden data from
 * integration-tests/scripts/make_golden_optim2.py): options, defaults, maximize, parameter groups, schedules and
 * clipping on the three problems of the older golden tests, with their tolerances:
 * <ul>
 *   <li>Rosenbrock from (0, 1), 200 steps ({@code rosenbrock2.txt}): relative 1e-6 per element (floor 1e-2 of the
 *       tensor's largest magnitude) and on the loss, as {@link RosenbrockGoldenTest};</li>
 *   <li>the quadratic over 37 + 5 elements (vector loops and tails), 30 steps ({@code quadratic2.txt}): relative
 *       1e-6 (floor 0.1), as {@link QuadraticGoldenTest};</li>
 *   <li>softmax regression, 50 steps ({@code softmax2.txt}): 1e-5 of the tensor's largest magnitude, as
 *       {@link SoftmaxGoldenTest} (the gradients come from descent's own GEMM and cross-entropy).</li>
 * </ul>
 * On the CPU backend the Rosenbrock and quadratic trajectories are bit-identical to torch's, with the vector kernels
 * and with the scalar ones ({@code -Ddescent.vector.bits=0}), except clipping by global norm (the total norm's last
 * bit, as in the older tests).
 */
class NadamRadamAdamaxAdadeltaGoldenTest {
    private static final Golden ROSENBROCK = Golden.load("rosenbrock2.txt");
    private static final Golden QUADRATIC = Golden.load("quadratic2.txt");
    private static final Golden SOFTMAX = Golden.load("softmax2.txt");
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static List<Golden.Case> rosenbrockCases() {
        return ROSENBROCK.cases;
    }

    static List<Golden.Case> quadraticCases() {
        return QUADRATIC.cases;
    }

    static List<Golden.Case> softmaxCases() {
        return SOFTMAX.cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rosenbrockCases")
    void rosenbrockMatchesTorch(Golden.Case c) {
        String[] init = ROSENBROCK.header.get("init").get(0);
        try (Problems.Rosenbrock p = new Problems.Rosenbrock(backend, Float.parseFloat(init[1]),
                Float.parseFloat(init[2]))) {
            report("rosenbrock", c, Trajectories.run(backend, c, p, 1e-6, 1e-2));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quadraticCases")
    void quadraticMatchesTorch(Golden.Case c) {
        try (Problems.Problem p = new Problems.Quadratic(backend, QUADRATIC)) {
            report("quadratic", c, Trajectories.run(backend, c, p, 1e-6, 0.1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("softmaxCases")
    void softmaxMatchesTorch(Golden.Case c) {
        try (Problems.Problem p = Problems.Softmax.fromGolden(backend, SOFTMAX)) {
            report("softmax", c, Trajectories.run(backend, c, p, 1e-5, 1.0));
        }
    }

    private static void report(String problem, Golden.Case c, Trajectories.Result r) {
        System.out.printf("%s %-36s max param error %.2e, loss error %.2e%n", problem, c.id, r.maxParamError(),
                r.maxLossError());
    }
}

package dev.descent.bench;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.ExpressionModel;
import dev.descent.autodiff.ExpressionObjective;
import dev.descent.autodiff.Module;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.model.Model;
import dev.descent.model.SoftmaxRegression;
import dev.descent.objective.Objective;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.TrajectoryObserver;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Autodiff against the hand-written and fused code it must keep up with (issue #20):
 * <ul>
 * <li>{@code rosenbrock*}: one minimizer step (evaluate, Adam update, trajectory row) on the lecture's Rosenbrock,
 *     hand-written ({@link Rosenbrock}) and as an expression ({@link ExpressionObjective}); target ≤ 2×.</li>
 * <li>{@code softmax*}: one training step (loss and gradients, then Adam) of the lecture's softmax regression
 *     784 → 24, the built-in model with its fused kernel and the same model written as expressions (matmul, add,
 *     log-softmax, pick, mean); at batch 16 and at the full batch of 27,455 rows; target ≤ 1.5×.</li>
 * </ul>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar AutodiffBench -p threads=1}.
 */
public class AutodiffBench {

    private static final int ROSENBROCK_STEPS = 1000;
    private static final TrajectoryObserver IGNORE = (step, w, value) -> { };

    /** The Rosenbrock minimizer, hand-written or as an expression. */
    @State(Scope.Benchmark)
    public static class RosenbrockState {
        @Param({"1"})
        public int threads;

        Backend backend;
        ObjectiveMinimizer hand;
        Optimizer handAdam;
        ExpressionObjective expression;
        ObjectiveMinimizer auto;
        Optimizer autoAdam;

        @Setup(Level.Trial)
        public void setUp() {
            backend = BenchBackends.open("cpu", threads);
            hand = minimizer(Rosenbrock.lecture());
            handAdam = Optimizers.create("adam", AdamOptions.defaults().withLr(0.04), hand.parameters());
            expression = ExpressionObjective.of(backend, 2, "rosenbrock as an expression", w -> {
                Var w1 = w.get(0);
                Var w2 = w.get(1);
                return w1.rsub(1).pow(2).add(w2.sub(w1.pow(2)).pow(2).mul(10));
            });
            auto = minimizer(expression);
            autoAdam = Optimizers.create("adam", AdamOptions.defaults().withLr(0.04), auto.parameters());
        }

        private ObjectiveMinimizer minimizer(Objective objective) {
            return new ObjectiveMinimizer(backend, objective, new float[] {0f, 1f});
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            hand.close();
            auto.close();
            expression.close();
            backend.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(ROSENBROCK_STEPS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
    public Object rosenbrockHandWritten(RosenbrockState s) {
        return s.hand.run(s.handAdam, ROSENBROCK_STEPS, false, IGNORE);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(ROSENBROCK_STEPS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
    public Object rosenbrockAutodiff(RosenbrockState s) {
        return s.auto.run(s.autoAdam, ROSENBROCK_STEPS, false, IGNORE);
    }

    /** The lecture's softmax regression written by a user. */
    static final class SoftmaxModule extends Module {
        private final Parameter w;
        private final Parameter b;

        SoftmaxModule(Backend backend, int inputs, int classes) {
            super(backend);
            w = zeros("W", inputs, classes);
            b = zeros("b", classes);
        }

        @Override
        public Var forward(Tape tape, Var x) {
            return x.matmul(tape.parameter(w)).add(tape.parameter(b));
        }
    }

    /** Softmax regression steps at one batch size: the fused built-in model and the expression model. */
    @State(Scope.Benchmark)
    public static class SoftmaxState {
        @Param({"16", "27455"})
        public int batch;

        @Param({"1"})
        public int threads;

        Backend backend;
        Tensor features;
        Tensor labels;
        Tensor loss;
        Batch data;
        Model builtIn;
        Optimizer builtInAdam;
        Model expression;
        Optimizer expressionAdam;

        @Setup(Level.Trial)
        public void setUp() {
            int inputs = 784;
            int classes = 24;
            backend = BenchBackends.open("cpu", threads);
            features = BenchBackends.uniform(backend, 11, 0f, 1f, batch, inputs);
            labels = BenchBackends.labels(backend, 12, batch, classes);
            loss = backend.allocate(1);
            data = new Batch(features, labels, null, batch, batch, 0);
            builtIn = new SoftmaxRegression(backend, inputs, classes);
            builtInAdam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-5), builtIn.parameters());
            expression = ExpressionModel.classifier(new SoftmaxModule(backend, inputs, classes), inputs, classes,
                    ExpressionLoss.crossEntropy());
            expressionAdam = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-5),
                    expression.parameters());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            builtIn.close();
            expression.close();
            backend.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
    public void softmaxFusedBuiltIn(SoftmaxState s) {
        s.builtIn.lossAndGradients(s.data, s.loss, 0);
        s.builtInAdam.step();
        s.backend.synchronize();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
    public void softmaxAutodiff(SoftmaxState s) {
        s.expression.lossAndGradients(s.data, s.loss, 0);
        s.expressionAdam.step();
        s.backend.synchronize();
    }
}

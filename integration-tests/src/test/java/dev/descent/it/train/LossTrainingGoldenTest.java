package dev.descent.it.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.descent.autodiff.ExpressionModel;
import dev.descent.autodiff.Module;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.it.loss.LossGolden;
import dev.descent.it.model.Fixtures;
import dev.descent.loss.LossSpec;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.optim.SgdOptions;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training with each loss through the {@link Trainer} against torch 1.13 (golden/loss/train.txt, written by
 * integration-tests/scripts/make_golden_losses.py): a linear model (mse, huber, smooth-l1; one and two targets),
 * softmax regression (ce plain, with label smoothing, class weights, both; nll with and without weights) and an MLP
 * 4-6-3 (cross-entropy with smoothing and weights) start from torch's parameters and take plain SGD steps on
 * minibatches of 24 rows in order (the last of each epoch 12 rows, a second batch shape), 4 epochs; every step's loss
 * (before its update) and the final parameters are compared with torch's.
 *
 * <p><b>Tolerance.</b> Rounding differences (see {@code LossGoldenTest}) carry through 12 steps: a step's loss passes
 * within {@code RTOL = 1e-5} of torch's relative to its magnitude, a parameter element within {@code RTOL} of the
 * larger of its magnitude and a tenth of the tensor's largest. Measured on the CPU backend the largest error is 0.13
 * of that. The unweighted cases also run as two data-parallel ranks (threads, each a CPU backend, the loader's
 * shards of each batch): each rank's loss is scaled by its share of the global batch, the gradients are summed, and
 * the run follows torch's within the same tolerance. With class weights the ranks' sum is a rows-weighted average of
 * the ranks' weighted means, not torch's weighted mean of the whole batch, so those cases run in one process only.
 * And a user's model ending in a log-softmax, trained with {@code LossSpec.nll(w)} as its {@code ExpressionLoss},
 * follows torch's softmax regression with {@code CrossEntropyLoss(weight=w)}: nll of log-probabilities.
 */
class LossTrainingGoldenTest {
    static final double RTOL = 1e-5;
    static final double FLOOR = 0.1;

    private static final List<LossGolden.Case> CASES = LossGolden.load("train.txt");

    static Stream<LossGolden.Case> cases() {
        return CASES.stream();
    }

    static Stream<LossGolden.Case> unweighted() {
        return CASES.stream().filter(c -> !c.spec.contains("weight"));
    }

    record Run(List<Double> losses, List<float[]> params) {
    }

    /** torch's softmax regression written by a user, ending in a log-softmax: its outputs are log-probabilities. */
    static final class LogSoftmaxRegression extends Module {
        private final Parameter w;
        private final Parameter b;

        LogSoftmaxRegression(Backend backend, LossGolden.Matrix w, LossGolden.Matrix b) {
            super(backend);
            this.w = parameter("W", w.values(), w.rows(), w.cols());
            this.b = parameter("b", b.values(), b.cols());
        }

        @Override
        public Var forward(Tape tape, Var x) {
            return x.matmul(tape.parameter(w)).add(tape.parameter(b)).logSoftmax();
        }
    }

    /** Softmax regression with cross-entropy, with or without class weights, without label smoothing. */
    static Stream<LossGolden.Case> softmaxCrossEntropy() {
        return CASES.stream().filter(c -> c.model.equals("softmax") && c.spec.startsWith("ce")
                && !c.spec.contains("label_smoothing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("softmaxCrossEntropy")
    void nllAfterALogSoftmaxTrainsAsCrossEntropy(LossGolden.Case c) {
        LossSpec.Nll nll = LossSpec.parse(c.spec) instanceof LossSpec.CrossEntropy ce ? LossSpec.nll(ce.weight())
                : LossSpec.nll();
        Run r = run(c, Communicator.single(), backend -> {
            ExpressionModel m = ExpressionModel.classifier(new LogSoftmaxRegression(backend, c.params.get("W"),
                    c.params.get("b")), c.features.cols(), c.params.get("b").cols(), nll);
            assertSame(nll, m.loss());
            return m;
        });
        System.out.printf("loss training golden %-16s as nll after a log-softmax: largest error %.4f of the "
                + "tolerance%n", c.id, compare(c, r, "nll after log-softmax: ") / RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainsAsTorchDoes(LossGolden.Case c) {
        Run r = run(c, Communicator.single());
        System.out.printf("loss training golden %-16s largest error %.4f of the tolerance%n", c.id,
                compare(c, r, "") / RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unweighted")
    void twoRanksTrainAsTorchDoes(LossGolden.Case c) throws Exception {
        ThreadCommunicator[] comms = ThreadCommunicator.group(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Run>> futures = new ArrayList<>();
            for (ThreadCommunicator comm : comms) {
                futures.add(pool.submit(() -> run(c, comm)));
            }
            Run r0 = futures.get(0).get();
            Run r1 = futures.get(1).get();
            assertEquals(r0.losses(), r1.losses(), "both ranks see the same step losses");
            for (int p = 0; p < r0.params().size(); p++) {
                assertEquals(java.util.Arrays.toString(r0.params().get(p)),
                        java.util.Arrays.toString(r1.params().get(p)), "both ranks end with the same parameters");
            }
            System.out.printf("loss training golden %-16s 2 ranks: largest error %.4f of the tolerance%n", c.id,
                    compare(c, r0, "2 ranks: ") / RTOL);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Run run(LossGolden.Case c, Communicator comm) {
        return run(c, comm, null);
    }

    /** The case's run; {@code custom} (if not null) makes the model instead of the case's built-in one. */
    private static Run run(LossGolden.Case c, Communicator comm, Function<Backend, Model> custom) {
        LossSpec spec = LossSpec.parse(c.spec);
        int rows = c.features.rows();
        int inputs = c.features.cols();
        Dataset data;
        int outputs;
        if (c.labels != null) {
            outputs = c.params.get(c.model.equals("mlp") ? "layer2.b" : "b").cols();
            data = Dataset.classification("golden " + c.id, c.features.values().clone(), rows, inputs,
                    c.labels.clone(), outputs);
        } else {
            outputs = c.targets.cols();
            data = Dataset.regression("golden " + c.id, c.features.values().clone(), rows, inputs,
                    c.targets.values().clone(), outputs);
        }
        ModelSpec.Builder b = ModelSpec.builder(c.model).inputs(inputs).outputs(outputs).bias(true).loss(spec);
        if (c.hidden > 0) {
            b.hidden(c.hidden);
        }
        List<Double> losses = new ArrayList<>();
        try (Backend backend = Fixtures.cpu(2);
                DeviceDataset train = data.upload(backend);
                DataLoader loader = new DataLoader(train, LoaderOptions.batches(c.batch).withShuffle(false)
                        .withShard(comm.rank(), comm.size()));
                Model model = custom != null ? custom.apply(backend) : b.build().create(backend);
                Optimizer sgd = Optimizers.create("sgd", SgdOptions.defaults().withLr(c.lr), model.parameters())) {
            assertEquals(c.params.keySet().stream().toList(),
                    model.parameters().stream().map(Parameter::name).toList(), c.id + ": parameters");
            for (Parameter p : model.parameters()) {
                backend.upload(c.params.get(p.name()).values(), 0, p.value());
            }
            try (Trainer trainer = Trainer.builder(model, sgd, loader).epochs(c.epochs).communicator(comm)
                    .lossReadInterval(1).listener(new TrainingListener() {
                        @Override
                        public void onBatch(int epoch, int step, int steps, long globalStep, double loss) {
                            losses.add(loss);
                        }
                    }).build()) {
                TrainingResult r = trainer.run();
                assertEquals(TrainingResult.Status.COMPLETED, r.status(), c.id + ": " + r.message());
            }
            List<float[]> params = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                params.add(backend.download(p.value()));
            }
            return new Run(losses, params);
        }
    }

    /** Asserts the run against torch's; returns the largest relative error. */
    private static double compare(LossGolden.Case c, Run r, String where) {
        assertEquals(c.steps.size(), r.losses().size(), c.id + ": steps");
        double worst = 0;
        for (int k = 0; k < c.steps.size(); k++) {
            double want = c.steps.get(k);
            double got = r.losses().get(k);
            double e = got == want ? 0 : Math.abs(got - want) / Math.abs(want);
            check(e, c.id + " " + where + "step " + k + " loss: descent " + got + ", torch " + want);
            worst = Math.max(worst, e);
        }
        int p = 0;
        for (LossGolden.Matrix want : c.finals.values()) {
            float[] got = r.params().get(p++);
            double scale = 0;
            for (float v : want.values()) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < got.length; i++) {
                float w = want.values()[i];
                double e = got[i] == w ? 0 : Math.abs(got[i] - w) / Math.max(Math.abs(w), FLOOR * scale);
                check(e, c.id + " " + where + "final parameter " + (p - 1) + "[" + i + "]: descent " + got[i]
                        + ", torch " + w);
                worst = Math.max(worst, e);
            }
        }
        return worst;
    }

    private static void check(double e, String what) {
        if (!(e <= RTOL)) {
            throw new AssertionError(what + ": relative error " + e + " > " + RTOL);
        }
    }
}

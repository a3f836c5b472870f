package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.model.Mlp;
import dev.descent.model.Model;
import dev.descent.model.SoftmaxRegression;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.Trajectory;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.optim.SgdOptions;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Evaluation;
import dev.descent.train.Evaluator;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The descent side of the comparison: each workload written with descent's public API the way a user would write it
 * ({@link SoftmaxRegression}/{@link Mlp}, {@link Optimizers}, {@link DataLoader}, {@link Trainer},
 * {@link ObjectiveMinimizer}), mirroring {@code torch_workloads.py} line for line. Only {@code trainer.run()} (or
 * {@code minimizer.run}) is timed; model, optimizer and loader construction and the test evaluation are not, as on the
 * PyTorch side.
 */
final class DescentWorkloads implements AutoCloseable {
    /** Data shared by all sides, on the host. */
    record HostData(Dataset sign, Dataset fashionTrainRaw, Dataset fashionTestRaw, Dataset fashionTrainScaled,
            Dataset fashionTestScaled) {
    }

    /** One timed run: seconds and what it computed (for the cross-checks). */
    record Sample(double seconds, Map<String, String> info) {
    }

    private final Backend backend;
    private final HostData host;
    private final Map<String, DeviceDataset> uploaded = new HashMap<>();

    DescentWorkloads(Backend backend, HostData host) {
        this.backend = backend;
        this.host = host;
    }

    Backend backend() {
        return backend;
    }

    private DeviceDataset device(String key) {
        return uploaded.computeIfAbsent(key, k -> switch (k) {
            case "sign" -> host.sign().upload(backend);
            case "fashion-train-raw" -> host.fashionTrainRaw().upload(backend);
            case "fashion-test-raw" -> host.fashionTestRaw().upload(backend);
            case "fashion-train-scaled" -> host.fashionTrainScaled().upload(backend);
            case "fashion-test-scaled" -> host.fashionTestScaled().upload(backend);
            default -> throw new IllegalArgumentException("no data set " + k);
        });
    }

    /** Frees the backend copies of the data sets whose key starts with {@code prefix}. */
    void release(String prefix) {
        uploaded.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix)) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    /** Runs {@code workload} with the same key=value parameters the PyTorch side gets. */
    Sample run(String workload, Map<String, String> p) {
        return switch (workload) {
            case "W1" -> w1(p.getOrDefault("opt", "adam"), intOf(p, "epochs", 3), doubleOf(p, "lr", 1e-5));
            case "W2" -> w2(intOf(p, "batch", 16), intOf(p, "epochs", 1), doubleOf(p, "lr", 1e-5),
                    intOf(p, "seed", 1));
            case "W3" -> w3(intOf(p, "epochs", 20), intOf(p, "batch", 16), doubleOf(p, "lr", 1e-5),
                    intOf(p, "seed", 1));
            case "W4" -> w4(intOf(p, "steps", 1000), doubleOf(p, "lr", 1e-2));
            case "W5" -> w5(intOf(p, "epochs", 5), intOf(p, "batch", 64), doubleOf(p, "lr", 1e-3),
                    intOf(p, "hidden", 256), intOf(p, "seed", 1));
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
    }

    static OptimizerOptions optimizerOptions(String name, double lr) {
        return switch (name) {
            case "sgd" -> SgdOptions.defaults().withLr(lr);
            case "momentum" -> SgdOptions.momentumDefaults().withLr(lr);
            case "adam" -> AdamOptions.defaults().withLr(lr);
            default -> throw new IllegalArgumentException("unknown optimizer " + name + " (sgd, momentum, adam)");
        };
    }

    /** Full-batch epochs of softmax regression on the synthetic Sign-MNIST-shaped data. */
    private Sample w1(String opt, int epochs, double lr) {
        DeviceDataset data = device("sign");
        try (Model model = new SoftmaxRegression(backend, data.featureCount(), data.classes());
                Optimizer optimizer = Optimizers.create(opt, optimizerOptions(opt, lr), model.parameters());
                DataLoader loader = new DataLoader(data, LoaderOptions.fullBatch())) {
            Timed t = train(model, optimizer, loader, epochs, 0);
            Map<String, String> info = lossesAndChecksum(t.result(), model);
            info.put("per_epoch", Double.toString(t.seconds() / epochs));
            return new Sample(t.seconds() / epochs, info);
        }
    }

    /** One (or more) minibatch epochs with Adam at a batch size, shuffled. */
    private Sample w2(int batch, int epochs, double lr, int seed) {
        DeviceDataset data = device("sign");
        try (Model model = new SoftmaxRegression(backend, data.featureCount(), data.classes());
                Optimizer optimizer = Optimizers.create("adam", optimizerOptions("adam", lr), model.parameters());
                DataLoader loader = new DataLoader(data, LoaderOptions.batches(batch).withSeed(seed))) {
            Timed t = train(model, optimizer, loader, epochs, seed);
            Map<String, String> info = lossesAndChecksum(t.result(), model);
            info.put("steps", Long.toString(t.result().steps()));
            return new Sample(t.seconds() / epochs, info);
        }
    }

    /** Fashion-MNIST softmax regression on raw pixels, Adam, then the test accuracy (not timed). */
    private Sample w3(int epochs, int batch, double lr, int seed) {
        DeviceDataset train = device("fashion-train-raw");
        DeviceDataset test = device("fashion-test-raw");
        try (Model model = new SoftmaxRegression(backend, train.featureCount(), train.classes());
                Optimizer optimizer = Optimizers.create("adam", optimizerOptions("adam", lr), model.parameters());
                DataLoader loader = new DataLoader(train, LoaderOptions.batches(batch).withSeed(seed))) {
            Timed t = train(model, optimizer, loader, epochs, seed);
            Map<String, String> info = lossesAndChecksum(t.result(), model);
            info.put("steps", Long.toString(t.result().steps()));
            info.put("test_acc", Double.toString(100.0 * evaluate(model, test).accuracy()));
            return new Sample(t.seconds(), info);
        }
    }

    /** Adam on the 2-D Rosenbrock function (c = 100) from (−1.5, 2). */
    private Sample w4(int steps, double lr) {
        try (ObjectiveMinimizer minimizer = new ObjectiveMinimizer(backend, Rosenbrock.standard(2),
                new float[] {-1.5f, 2f});
                Optimizer optimizer = Optimizers.create("adam", optimizerOptions("adam", lr),
                        minimizer.parameters())) {
            long t0 = System.nanoTime();
            Trajectory trajectory = minimizer.run(optimizer, steps);
            backend.synchronize();
            double seconds = (System.nanoTime() - t0) / 1e9;
            float[] end = trajectory.finalParameters();
            Map<String, String> info = new LinkedHashMap<>();
            info.put("x", Float.toString(end[0]));
            info.put("y", Float.toString(end[1]));
            info.put("f", Double.toString(trajectory.finalValue()));
            return new Sample(seconds, info);
        }
    }

    /** MLP 784-hidden-10 on Fashion-MNIST scaled to [0, 1], Adam, then the test accuracy (not timed). */
    private Sample w5(int epochs, int batch, double lr, int hidden, int seed) {
        DeviceDataset train = device("fashion-train-scaled");
        DeviceDataset test = device("fashion-test-scaled");
        try (Model model = new Mlp(backend, train.featureCount(), new int[] {hidden}, train.classes(), seed);
                Optimizer optimizer = Optimizers.create("adam", optimizerOptions("adam", lr), model.parameters());
                DataLoader loader = new DataLoader(train, LoaderOptions.batches(batch).withSeed(seed + 1))) {
            Timed t = train(model, optimizer, loader, epochs, seed);
            Map<String, String> info = lossesAndChecksum(t.result(), model);
            info.put("steps", Long.toString(t.result().steps()));
            info.put("test_acc", Double.toString(100.0 * evaluate(model, test).accuracy()));
            return new Sample(t.seconds(), info);
        }
    }

    private record Timed(double seconds, TrainingResult result) {
    }

    private Timed train(Model model, Optimizer optimizer, DataLoader loader, int epochs, long seed) {
        try (Trainer trainer = Trainer.builder(model, optimizer, loader).epochs(epochs).seed(seed).build()) {
            long t0 = System.nanoTime();
            TrainingResult result = trainer.run();
            backend.synchronize();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (result.status() != TrainingResult.Status.COMPLETED) {
                throw new IllegalStateException("descent training did not complete: " + result.message());
            }
            return new Timed(seconds, result);
        }
    }

    private Evaluation evaluate(Model model, DeviceDataset test) {
        try (DataLoader loader = new DataLoader(test, LoaderOptions.fullBatch());
                Evaluator evaluator = new Evaluator(model, loader, Communicator.single())) {
            return evaluator.evaluate();
        }
    }

    private Map<String, String> lossesAndChecksum(TrainingResult result, Model model) {
        Map<String, String> info = new LinkedHashMap<>();
        StringJoiner losses = new StringJoiner(",");
        for (EpochMetrics m : result.history()) {
            losses.add(Double.toString(m.trainLoss()));
        }
        info.put("losses", losses.toString());
        double sum = 0;
        double abs = 0;
        for (Parameter p : model.parameters()) {
            for (float w : backend.download(p.value())) {
                sum += w;
                abs += Math.abs(w);
            }
        }
        info.put("wsum", Double.toString(sum));
        info.put("wabs", Double.toString(abs));
        return info;
    }

    private static int intOf(Map<String, String> p, String key, int fallback) {
        String v = p.get(key);
        return v == null ? fallback : Integer.parseInt(v);
    }

    private static double doubleOf(Map<String, String> p, String key, double fallback) {
        String v = p.get(key);
        return v == null ? fallback : Double.parseDouble(v);
    }

    @Override
    public void close() {
        release("");
        backend.close();
    }
}

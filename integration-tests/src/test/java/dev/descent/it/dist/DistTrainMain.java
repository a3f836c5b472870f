package dev.descent.it.dist;

import dev.descent.backend.BackendOptions;
import dev.descent.cpu.CpuBackend;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.dist.Communicators;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.mpi.MpiRun;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small training run, the same on every rank: a synthetic 4-class problem with 20 features, SGD with momentum,
 * a shuffled loader sharded over the ranks. Run by {@link DistributedTrainingTest} under mpirun (each rank writes its
 * metrics and parameters to a file) and in the test JVM itself as the one-process reference.
 */
public final class DistTrainMain {
    static final int FEATURES = 20;
    static final int CLASSES = 4;
    static final int TRAIN = 500;
    static final int TEST = 200;
    static final int EPOCHS = 3;

    private DistTrainMain() {
    }

    /** What a run produced. */
    record Outcome(List<EpochMetrics> history, float[] parameters) {
    }

    /**
     * @param kind  {@code softmax} (zero initial weights) or {@code mlp} (20-16-4, torch init with seed 1 + rank: the
     *              trainer's broadcast of rank 0's parameters must make every rank start from seed 1)
     * @param batch the global batch size
     */
    static Outcome train(Communicator comm, String kind, int batch) {
        try (CpuBackend backend = new CpuBackend(BackendOptions.threads(1))) {
            ModelSpec.Builder spec = ModelSpec.builder(kind).inputs(FEATURES).classes(CLASSES).bias(true);
            if (kind.equals("mlp")) {
                spec.hidden(16).seed(1 + comm.rank());
            }
            try (Model model = spec.build().create(backend);
                 DeviceDataset train = data(7, TRAIN).upload(backend);
                 DeviceDataset test = data(8, TEST).upload(backend);
                 DataLoader trainLoader = new DataLoader(train, LoaderOptions.batches(batch).withSeed(11)
                         .withShard(comm.rank(), comm.size()));
                 DataLoader testLoader = new DataLoader(test, LoaderOptions.batches(64).withShuffle(false)
                         .withShard(comm.rank(), comm.size()))) {
                Optimizer sgd = Optimizers.builder("sgd").set("lr", "0.05").set("momentum", "0.9")
                        .build(model.parameters());
                try (Trainer trainer = Trainer.builder(model, sgd, trainLoader).epochs(EPOCHS).testLoader(testLoader)
                        .communicator(comm).seed(11).build()) {
                    TrainingResult result = trainer.run();
                    if (result.status() != TrainingResult.Status.COMPLETED) {
                        throw new IllegalStateException("training ended with " + result.status() + ": "
                                + result.message());
                    }
                    return new Outcome(result.history(), parameters(model));
                }
            }
        }
    }

    /** Gaussian blobs: class c has mean 1.5 at features c, c+4, c+8 ..., unit noise; deterministic in the seed. */
    static Dataset data(long seed, int n) {
        Random rnd = new Random(seed);
        float[] x = new float[n * FEATURES];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(CLASSES);
            y[i] = c;
            for (int j = 0; j < FEATURES; j++) {
                x[i * FEATURES + j] = (float) (rnd.nextGaussian() + (j % CLASSES == c ? 1.5 : 0.0));
            }
        }
        return Dataset.classification("synthetic-" + seed, x, n, FEATURES, y, CLASSES);
    }

    private static float[] parameters(Model model) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (Parameter p : model.parameters()) {
            float[] v = model.backend().download(p.value());
            parts.add(v);
            total += v.length;
        }
        float[] all = new float[total];
        int off = 0;
        for (float[] v : parts) {
            System.arraycopy(v, 0, all, off, v.length);
            off += v.length;
        }
        return all;
    }

    /**
     * Under mpirun: train, then write {@code <dir>/rank-<r>.txt} with lines {@code world=}, {@code epoch.<e>=} and
     * {@code params=<float bits>} (a file per rank: mpirun may cut long lines of several ranks into each other).
     */
    public static void main(String[] args) {
        String kind = args[0];
        int batch = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        try (Communicator comm = Communicators.detect()) {
            MpiRun.guard(comm, c -> {
                Outcome o = train(c, kind, batch);
                StringBuilder sb = new StringBuilder();
                sb.append("world=").append(c.size()).append('\n');
                for (EpochMetrics m : o.history()) {
                    sb.append("epoch.").append(m.epoch()).append('=').append(format(m)).append('\n');
                }
                sb.append("params=");
                for (int i = 0; i < o.parameters().length; i++) {
                    int bits = Float.floatToRawIntBits(o.parameters()[i]);
                    sb.append(i == 0 ? "" : ",").append(Integer.toHexString(bits));
                }
                sb.append('\n');
                Path tmp = dir.resolve("rank-" + c.rank() + ".tmp");
                Files.writeString(tmp, sb);
                Files.move(tmp, dir.resolve("rank-" + c.rank() + ".txt"), StandardCopyOption.ATOMIC_MOVE);
                return 0;
            });
        }
    }

    /** train loss | train samples | steps | test loss | test accuracy | test samples, doubles in full. */
    static String format(EpochMetrics m) {
        return m.trainLoss() + "|" + m.trainSamples() + "|" + m.steps() + "|" + m.test().loss() + "|"
                + m.test().accuracy() + "|" + m.test().samples();
    }
}

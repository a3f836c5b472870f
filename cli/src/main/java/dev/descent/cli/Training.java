package dev.descent.cli;

import dev.descent.data.DataLoader;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.Checkpoint;
import dev.descent.train.EarlyStopping;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One training run assembled from descent's pieces: a model built from its spec, an optimizer over its parameters,
 * a loader over the training data (and one over the validation and the test data), and a {@link Trainer}. Measures
 * each epoch's training wall time, reports progress, and turns Ctrl-C into the trainer's stop-with-checkpoint request.
 */
final class Training implements AutoCloseable {
    /**
     * The settings of one run.
     *
     * @param dropLast      leave out each epoch's final batch when it is smaller than the batch size
     * @param earlyStopping early stopping on the validation set, or null
     */
    record Config(ModelSpec spec, Optimizers.Builder optimizer, int batchSize, int epochs, long seed, boolean shuffle,
            Path checkpointDir, int checkpointEvery, long slowEpochMillis, String runId, boolean dropLast,
            EarlyStopping earlyStopping) {
        /** Without drop-last and early stopping. */
        Config(ModelSpec spec, Optimizers.Builder optimizer, int batchSize, int epochs, long seed, boolean shuffle,
                Path checkpointDir, int checkpointEvery, long slowEpochMillis, String runId) {
            this(spec, optimizer, batchSize, epochs, seed, shuffle, checkpointDir, checkpointEvery, slowEpochMillis,
                    runId, false, null);
        }
    }

    private static final int KEEP_CHECKPOINTS = 2;

    private final Model model;
    private final Optimizer optimizer;
    private final DataLoader trainLoader;
    private final DataLoader testLoader;
    private final DataLoader validationLoader;
    private final Trainer trainer;
    private final Progress progress;
    private final Map<Integer, Double> seconds;
    private final int batchSize;
    private final int samples;
    private long epochStart = System.nanoTime();
    private long lastStepTime = -1;
    private double totalTrainingSeconds;

    /**
     * Builds the run.
     *
     * @param train     the training data on the backend (not owned)
     * @param test      the test data on the backend, or null (not owned)
     * @param listeners more listeners (called after the run's own)
     */
    Training(Communicator comm, DeviceDataset train, DeviceDataset test, Config c, Progress progress,
            List<TrainingListener> listeners) {
        this(comm, train, test, c, progress, listeners, new TreeMap<>());
    }

    /** As above; each epoch's training wall time is put into {@code seconds} (by epoch) before the listeners run. */
    Training(Communicator comm, DeviceDataset train, DeviceDataset test, Config c, Progress progress,
            List<TrainingListener> listeners, Map<Integer, Double> seconds) {
        this(comm, train, null, test, c, progress, listeners, seconds);
    }

    /**
     * As above, with a validation set (or null), evaluated after every epoch before the test set and watched by the
     * config's early stopping.
     */
    Training(Communicator comm, DeviceDataset train, DeviceDataset validation, DeviceDataset test, Config c,
            Progress progress, List<TrainingListener> listeners, Map<Integer, Double> seconds) {
        this.progress = progress;
        this.seconds = seconds;
        this.samples = train.samples();
        Model m = null;
        Optimizer o = null;
        DataLoader tl = null;
        DataLoader el = null;
        DataLoader vl = null;
        try {
            m = c.spec().create(train.backend());
            o = c.optimizer().buildOptimizer(m.parameters());
            tl = new DataLoader(train, Engine.loaderOptions(c.batchSize(), c.seed(), c.shuffle(), c.dropLast(),
                    comm));
            if (test != null) {
                el = new DataLoader(test, evaluationOptions(test, comm));
            }
            if (validation != null) {
                vl = new DataLoader(validation, evaluationOptions(validation, comm));
            }
            this.batchSize = c.batchSize() == 0 ? samples : c.batchSize();
            int steps = tl.batchesPerEpoch();
            // Step losses are read back ~50 times per epoch (for the progress bar); reads do not change results.
            int interval = Math.max(1, steps / 50);
            Trainer.Builder b = Trainer.builder(m, o, tl).epochs(c.epochs()).communicator(comm).seed(c.seed())
                    .lossReadInterval(interval).listener(new Listener(c.slowEpochMillis()));
            if (el != null) {
                b.testLoader(el);
            }
            if (vl != null) {
                b.validationLoader(vl);
            }
            if (c.earlyStopping() != null) {
                b.earlyStopping(c.earlyStopping());
            }
            if (c.runId() != null) {
                b.runId(c.runId());
            }
            if (c.checkpointDir() != null) {
                b.checkpoints(c.checkpointDir(), c.checkpointEvery() > 0 ? c.checkpointEvery() : Integer.MAX_VALUE,
                        KEEP_CHECKPOINTS);
            }
            for (TrainingListener l : listeners) {
                b.listener(l);
            }
            this.trainer = b.build();
        } catch (RuntimeException | Error e) {
            closeQuietly(vl);
            closeQuietly(el);
            closeQuietly(tl);
            closeQuietly(o);
            closeQuietly(m);
            throw e;
        }
        this.model = m;
        this.optimizer = o;
        this.trainLoader = tl;
        this.testLoader = el;
        this.validationLoader = vl;
    }

    /** An evaluation set in batches of up to 1024 rows, in file order, sharded like the training data. */
    private static LoaderOptions evaluationOptions(DeviceDataset data, Communicator comm) {
        LoaderOptions eo = LoaderOptions.batches(Math.min(1024, data.samples())).withShuffle(false);
        return comm.size() > 1 ? eo.withShard(comm.rank(), comm.size()) : eo;
    }

    Model model() {
        return model;
    }

    Optimizer optimizer() {
        return optimizer;
    }

    int batchesPerEpoch() {
        return trainLoader.batchesPerEpoch();
    }

    /** Training wall time of each completed epoch (seconds), by epoch. */
    Map<Integer, Double> seconds() {
        return seconds;
    }

    /** Sum of the epochs' training wall times of this process's run. */
    double trainingSeconds() {
        return totalTrainingSeconds;
    }

    /** Runs from epoch 1, or continues from a checkpoint; Ctrl-C asks for a checkpoint and a stop. */
    TrainingResult run(Checkpoint resume) {
        Thread watcher = Thread.ofPlatform().daemon().name("descent-stop-watcher").unstarted(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (Interrupts.stopRequested()) {
                        trainer.requestStop();
                        return;
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Interrupts.setGraceful(true);
        watcher.start();
        try {
            return resume != null ? trainer.resume(resume) : trainer.run();
        } finally {
            watcher.interrupt();
            Interrupts.setGraceful(false);
            progress.finish();
        }
    }

    /** Progress, epoch timing, and the test hook that slows epochs down. */
    private final class Listener implements TrainingListener {
        private final long slowMillis;

        Listener(long slowMillis) {
            this.slowMillis = slowMillis;
        }

        @Override
        public void onStart(int firstEpoch, int firstStep, int epochs, boolean resumed) {
            progress.start(firstEpoch, epochs, trainLoader.batchesPerEpoch());
            epochStart = System.nanoTime();
            lastStepTime = -1;
        }

        @Override
        public void onEpochStart(int epoch, int stepsInEpoch) {
            epochStart = System.nanoTime();
            lastStepTime = -1;
        }

        @Override
        public void onBatch(int epoch, int step, int stepsInEpoch, long globalStep, double loss) {
            int rows = Math.max(0, Math.min(batchSize, samples - (step - 1) * batchSize));
            progress.batch(epoch, step - 1, rows, loss);
            if (step == stepsInEpoch) {
                lastStepTime = System.nanoTime();
            }
        }

        @Override
        public void onEpochEnd(EpochMetrics m) {
            long end = lastStepTime > 0 ? lastStepTime : System.nanoTime();
            double s = (end - epochStart) / 1e9;
            seconds.put(m.epoch(), s);
            totalTrainingSeconds += s;
            Double testLoss = m.test() != null ? m.test().loss() : null;
            Double testAcc = m.test() != null && m.test().classification() ? m.test().accuracy() : null;
            Double valLoss = m.validation() != null ? m.validation().loss() : null;
            Double valAcc = m.validation() != null && m.validation().classification() ? m.validation().accuracy()
                    : null;
            progress.epoch(m.epoch(), m.trainLoss(), valLoss, valAcc, testLoss, testAcc, s);
            if (slowMillis > 0) {
                try {
                    Thread.sleep(slowMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(trainer);
        closeQuietly(testLoader);
        closeQuietly(validationLoader);
        closeQuietly(trainLoader);
        closeQuietly(optimizer);
        closeQuietly(model);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing releases memory only; nothing to report
        }
    }
}

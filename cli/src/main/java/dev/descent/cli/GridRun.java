package dev.descent.cli;

import dev.descent.data.DeviceDataset;
import dev.descent.dist.Communicator;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizers;
import dev.descent.train.Divergence;
import dev.descent.train.EpochMetrics;
import dev.descent.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One short training run of the optimizer grid or the batch-size sweep: per-epoch losses, times, divergence. */
record GridRun(String optimizer, double lr, int batchSize, List<EpochMetrics> history, Map<Integer, Double> seconds,
        Divergence divergence, Map<String, Double> optimizerSettings) {

    /** Trains a fresh model (no test set, no checkpoints) and collects its history. */
    static GridRun train(DeviceDataset data, ModelSpec spec, String optimizer, Optimizers.Builder opt, double lr,
            int batchSize, int epochs, long seed, boolean shuffle, Progress progress) {
        Map<Integer, Double> seconds = new TreeMap<>();
        Training.Config c = new Training.Config(spec, opt, batchSize, epochs, seed, shuffle, null, 0, 0, null);
        try (Training t = new Training(Communicator.single(), data, null, c, progress, List.of(), seconds)) {
            TrainingResult r = t.run(null);
            if (r.status() == TrainingResult.Status.STOPPED) {
                throw new InterruptedRun();
            }
            return new GridRun(optimizer, lr, batchSize, new ArrayList<>(r.history()), seconds, r.divergence(),
                    opt.resolvedOptions().settings());
        }
    }

    /** Epoch numbers and losses, with the diverged epoch's non-finite loss last (so plots and CSVs show it). */
    double[][] curve() {
        int n = history.size() + (divergence != null ? 1 : 0);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < history.size(); i++) {
            x[i] = history.get(i).epoch();
            y[i] = history.get(i).trainLoss();
        }
        if (divergence != null) {
            x[n - 1] = divergence.epoch();
            y[n - 1] = divergence.loss();
        }
        return new double[][] {x, y};
    }

    boolean diverged() {
        return divergence != null;
    }

    double finalLoss() {
        return history.isEmpty() ? Double.NaN : history.getLast().trainLoss();
    }

    /** Ctrl-C during a grid: the command stops (exit 130). */
    static final class InterruptedRun extends RuntimeException {
        InterruptedRun() {
            super("interrupted");
        }
    }
}

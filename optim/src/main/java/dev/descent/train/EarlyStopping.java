package dev.descent.train;

import java.util.Locale;

/**
 * Stops training when the monitored metric has not improved by more than {@code minDelta} for {@code patience}
 * consecutive epochs, and (with {@code restoreBest}, the default) puts the best epoch's weights back into the model
 * when the run ends.
 *
 * <p><b>Improvement.</b> A loss improves when {@code value < best − minDelta}, an accuracy when
 * {@code value > best + minDelta} ({@link Monitor#maximized()}); the first epoch with a finite value always improves.
 * An epoch without improvement counts towards {@code patience}; the run stops after the epoch that makes the count
 * reach it.
 *
 * <p><b>Restoring the best weights.</b> The trainer keeps a copy of the parameters of the best epoch (taken when the
 * epoch improved, after its last step; a host copy, also written into checkpoints so that a resumed run restores the
 * same weights). When the run ends (early stop, last epoch, or divergence) the model gets these weights back, bit for
 * bit, and {@link TrainingResult#best()} says which epoch they are from. A run stopped on request
 * ({@link Trainer#requestStop()}) keeps its current weights: it is meant to be resumed.
 *
 * <pre>{@code
 * Trainer.builder(model, optimizer, trainLoader)
 *         .validationLoader(valLoader)
 *         .earlyStopping(EarlyStopping.of(5, 1e-4).withMonitor(EarlyStopping.Monitor.VAL_LOSS))
 *         ...
 * }</pre>
 *
 * @param patience    epochs without improvement before stopping, at least 1
 * @param minDelta    the smallest change that counts as an improvement, ≥ 0
 * @param monitor     which metric to watch
 * @param restoreBest whether the model ends with the best epoch's weights (true) or the last ones (false)
 */
public record EarlyStopping(int patience, double minDelta, Monitor monitor, boolean restoreBest) {

    /** The metric early stopping watches. */
    public enum Monitor {
        /** The validation loss when a validation set is configured, else the test loss when a test set is, else the
         * training loss. */
        AUTO,
        /** The epoch's training loss. */
        TRAIN_LOSS,
        /** The test loss (a test set is then required). */
        TEST_LOSS,
        /** The validation loss (a validation set is then required). */
        VAL_LOSS,
        /** The validation accuracy, maximized (a validation set and a classifier are then required). */
        VAL_ACCURACY;

        /** Whether larger values are better (an accuracy); otherwise smaller ones are (a loss). */
        public boolean maximized() {
            return this == VAL_ACCURACY;
        }

        /** Whether it watches the validation set. */
        public boolean needsValidation() {
            return this == VAL_LOSS || this == VAL_ACCURACY;
        }

        /** The name used in files and messages: {@code val_loss}, {@code val_accuracy}, {@code train_loss}, ... */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The monitor named {@code text} ({@link #label()}, case and {@code -}/{@code _} ignored).
         *
         * @throws IllegalArgumentException naming the known ones
         */
        public static Monitor parse(String text) {
            String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Monitor m : values()) {
                if (m.name().equals(t)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown early-stopping monitor '" + text
                    + "'; known: val_loss, val_accuracy, test_loss, train_loss, auto");
        }
    }

    public EarlyStopping {
        if (patience < 1) {
            throw new IllegalArgumentException("early stopping patience must be >= 1, got " + patience);
        }
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("early stopping min delta must be finite and >= 0, got " + minDelta);
        }
        if (monitor == null) {
            monitor = Monitor.AUTO;
        }
    }

    /** Watches {@code monitor}, restoring the best epoch's weights at the end. */
    public EarlyStopping(int patience, double minDelta, Monitor monitor) {
        this(patience, minDelta, monitor, true);
    }

    /**
     * Watches the validation loss if there is a validation set, else the test loss if there is a test set, else the
     * training loss; restores the best epoch's weights at the end.
     */
    public static EarlyStopping of(int patience, double minDelta) {
        return new EarlyStopping(patience, minDelta, Monitor.AUTO, true);
    }

    /** With another monitor. */
    public EarlyStopping withMonitor(Monitor newMonitor) {
        return new EarlyStopping(patience, minDelta, newMonitor, restoreBest);
    }

    /** With restoring the best weights on or off. */
    public EarlyStopping withRestoreBest(boolean on) {
        return new EarlyStopping(patience, minDelta, monitor, on);
    }

    /**
     * Whether {@code value} of {@code monitor} improves on {@code best} by more than {@code minDelta} (NaN never
     * does).
     */
    public boolean improves(Monitor resolved, double value, double best) {
        return resolved.maximized() ? value > best + minDelta : value < best - minDelta;
    }

    /** The best value before the first epoch: +∞ for a loss, −∞ for an accuracy. */
    static double initialBest(Monitor resolved) {
        return resolved.maximized() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
}

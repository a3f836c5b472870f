package dev.descent.train;

/**
 * Stops training when the monitored loss has not improved by more than {@code minDelta} for {@code patience}
 * consecutive epochs (improvement: {@code loss < best − minDelta}).
 *
 * @param patience epochs without improvement before stopping, at least 1
 * @param minDelta the smallest decrease that counts as an improvement, ≥ 0
 * @param monitor  which loss to watch
 */
public record EarlyStopping(int patience, double minDelta, Monitor monitor) {

    /** The loss early stopping watches. */
    public enum Monitor {
        /** The test loss when a test set is configured, otherwise the training loss. */
        AUTO,
        /** The epoch's training loss. */
        TRAIN_LOSS,
        /** The test loss (a test set is then required). */
        TEST_LOSS
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

    /** Watches the test loss if there is a test set, else the training loss. */
    public static EarlyStopping of(int patience, double minDelta) {
        return new EarlyStopping(patience, minDelta, Monitor.AUTO);
    }
}

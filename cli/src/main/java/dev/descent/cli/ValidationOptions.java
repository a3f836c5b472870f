package dev.descent.cli;

import dev.descent.train.EarlyStopping;
import picocli.CommandLine.Option;

/**
 * {@code train}'s validation set and early stopping: {@code --val-split F | --val SOURCE}, {@code --early-stopping
 * PATIENCE}, {@code --min-delta D}, {@code --monitor val_loss|val_accuracy}.
 */
final class ValidationOptions {
    @Option(names = "--val-split", paramLabel = "F", converter = Converters.Finite.class,
            description = "Hold out the fraction F (0 < F < 1) of the training data as the validation set, drawn with "
                    + "--seed: per class (stratified) for a classifier, plainly for regression. Scaling (--scale) is "
                    + "fitted on the rest.")
    Double valSplit;

    @Option(names = "--val", paramLabel = "SOURCE",
            description = "Validation data, evaluated after every epoch: a file, or a named data set (its test split, "
                    + "as --test). Not with --val-split.")
    String val;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "Stop after PATIENCE epochs in a row without improvement of --monitor, and save the best "
                    + "epoch's weights as the model. Needs a validation set (--val-split or --val).")
    Integer patience;

    @Option(names = "--min-delta", paramLabel = "D", converter = Converters.Finite.class,
            description = "With --early-stopping: the change that counts as an improvement must exceed D (default 0).")
    Double minDelta;

    @Option(names = "--monitor", paramLabel = "val_loss|val_accuracy",
            description = "With --early-stopping: the validation metric to watch, val_loss (lower is better; the "
                    + "default) or val_accuracy (higher is better; classifiers).")
    String monitor;

    /** Whether a validation set is asked for. */
    boolean hasValidation() {
        return valSplit != null || val != null;
    }

    /** Checks the options among themselves (the data is checked when it is read). */
    void validate() {
        if (valSplit != null && val != null) {
            throw new UsageException("--val-split and --val are mutually exclusive: hold out part of --data, or give "
                    + "validation data, not both");
        }
        if (valSplit != null && !(valSplit > 0 && valSplit < 1)) {
            throw new UsageException("--val-split must be a fraction between 0 and 1 (exclusive), got "
                    + Fmt.number(valSplit));
        }
        if (val != null && val.isBlank()) {
            throw new UsageException("--val must not be empty");
        }
        Converters.checkPath(val, "--val");
        EarlyStopping.Monitor m = monitor();
        if (patience == null) {
            if (minDelta != null || monitor != null) {
                throw new UsageException((monitor != null ? "--monitor" : "--min-delta")
                        + " applies to early stopping: add --early-stopping PATIENCE");
            }
            return;
        }
        if (patience < 1) {
            throw new UsageException("--early-stopping must be a patience of >= 1 epochs, got " + patience);
        }
        if (minDelta != null && !(minDelta >= 0)) {
            throw new UsageException("--min-delta must be >= 0, got " + Fmt.number(minDelta));
        }
        if (!hasValidation()) {
            throw new UsageException("--early-stopping watches " + m.label() + " and needs a validation set: add "
                    + "--val-split F (e.g. 0.1) or --val DATA");
        }
    }

    /** The monitor named by {@code --monitor} (default val_loss). */
    EarlyStopping.Monitor monitor() {
        if (monitor == null) {
            return EarlyStopping.Monitor.VAL_LOSS;
        }
        String m = monitor.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (m) {
            case "val_loss" -> EarlyStopping.Monitor.VAL_LOSS;
            case "val_accuracy" -> EarlyStopping.Monitor.VAL_ACCURACY;
            default -> throw new UsageException("--monitor must be val_loss or val_accuracy, got '" + monitor + "'");
        };
    }

    /**
     * The early stopping asked for (restoring the best epoch's weights), or null.
     *
     * @param classifier whether the model is a classifier (val_accuracy needs one)
     */
    EarlyStopping earlyStopping(boolean classifier) {
        if (patience == null) {
            return null;
        }
        EarlyStopping.Monitor m = monitor();
        if (m == EarlyStopping.Monitor.VAL_ACCURACY && !classifier) {
            throw new UsageException("--monitor val_accuracy needs a classifier; a regression model has val_loss and "
                    + "val_mae: use --monitor val_loss");
        }
        return new EarlyStopping(patience, minDelta == null ? 0 : minDelta, m, true);
    }
}

package dev.descent.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** {@code --batch-size N | --full-batch} (exclusive). */
final class BatchOptions {
    /** The two exclusive ways to batch. */
    static final class Choice {
        @Option(names = "--batch-size", paramLabel = "N", required = true, description = "Minibatch size.")
        Integer batchSize;

        @Option(names = "--full-batch", required = true,
                description = "One batch of the whole training set per epoch (plain gradient descent).")
        boolean fullBatch;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice;

    /** 0 for full batch, else the batch size; {@code defaultSize} when neither was given. */
    int batchSize(int defaultSize) {
        if (choice == null) {
            return defaultSize;
        }
        return choice.fullBatch ? 0 : choice.batchSize;
    }

    boolean given() {
        return choice != null;
    }

    void validate() {
        if (choice != null && !choice.fullBatch && choice.batchSize != null && choice.batchSize < 1) {
            throw new UsageException("--batch-size must be >= 1, got " + choice.batchSize);
        }
    }
}

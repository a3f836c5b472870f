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

    /**
     * The option in effect, for messages: "--batch-size 512", "--full-batch", "--batch-size 64 (the default)"
     * ({@code defaultSize} 0: the full batch).
     */
    String describe(int defaultSize) {
        if (choice == null) {
            return (defaultSize == 0 ? "--full-batch" : "--batch-size " + defaultSize) + " (the default)";
        }
        return choice.fullBatch ? "--full-batch" : "--batch-size " + choice.batchSize;
    }

    /** Rows in the largest batch of {@code samples} samples (0 for the full batch). */
    static int rows(int batchSize, int samples) {
        return batchSize == 0 ? samples : Math.min(batchSize, samples);
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

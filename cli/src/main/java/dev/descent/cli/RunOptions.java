package dev.descent.cli;

import picocli.CommandLine.Option;

/** {@code --epochs}, {@code --seed}, {@code --no-shuffle}. */
final class RunOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "Epochs to train (default: 10; compare: 200).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the shuffling and the initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-shuffle", description = "Visit the samples in file order every epoch.")
    boolean noShuffle;

    int epochs(int defaultEpochs) {
        int e = epochs != null ? epochs : defaultEpochs;
        if (e < 1) {
            throw new UsageException("--epochs must be >= 1, got " + e);
        }
        return e;
    }
}

package dev.descent.cli;

import picocli.CommandLine.Option;

/** Where the data comes from and how it is read: {@code --data}, {@code --test}, {@code --label-column}, ... */
final class DataOptions {
    @Option(names = "--data", paramLabel = "SOURCE",
            description = "Training data: a CSV or IDX file (plain or .gz), or a named data set (fashion-mnist, mnist, "
                    + "sign-language-mnist), whose training split is used.")
    String data;

    @Option(names = "--test", paramLabel = "SOURCE",
            description = "Test data, evaluated after every epoch: a file, or a named data set (its test split).")
    String test;

    @Option(names = "--label-column", paramLabel = "NAME",
            description = "CSV column holding the class label (a header name or a 0-based index; default: label).")
    String labelColumn;

    @Option(names = "--classes", paramLabel = "K", description = "Number of classes (default: largest label + 1).")
    Integer classes;

    @Option(names = "--scale", paramLabel = "none|unit|standardize", defaultValue = "none",
            description = "Feature scaling, fitted on the training data: none (default), unit (0–255 pixels / 255, "
                    + "else min-max to [0,1]), standardize (mean 0, std 1).")
    String scale;

    @Option(names = "--limit", paramLabel = "N",
            description = "Use only the first N training samples (and N test samples): for quick runs.")
    Integer limit;

    void validate() {
        if (data != null && data.isBlank()) {
            throw new UsageException("--data must not be empty");
        }
        Converters.checkPath(data, "--data");
        Converters.checkPath(test, "--test");
        if (classes != null && classes < 1) {
            throw new UsageException("--classes must be >= 1, got " + classes);
        }
        if (limit != null && limit < 1) {
            throw new UsageException("--limit must be >= 1, got " + limit);
        }
    }
}

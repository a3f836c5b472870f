package dev.descent.data.io;

import dev.descent.data.Dataset;

/**
 * What {@link DataSources#load} returns.
 *
 * @param train       the training data
 * @param test        the test data, or null when none was given
 * @param description one line saying what was loaded from where (for logs)
 */
public record LoadedData(Dataset train, Dataset test, String description) {
    /** Whether a test set is present. */
    public boolean hasTest() {
        return test != null;
    }
}

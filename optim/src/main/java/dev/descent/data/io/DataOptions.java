package dev.descent.data.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Options for {@link DataSources#load}: how to read a file given by path, where the test set is, where downloads go.
 * The command line fills them from {@code --label-column}, {@code --target-columns}, {@code --classes},
 * {@code --labels}, {@code --test-data}, {@code --test-labels}.
 *
 * @param labelColumn   CSV label column spec (name or 0-based index); null for {@code label}
 * @param targetColumns CSV target column specs; non-empty means regression
 * @param classes       class count; 0 for the named data set's count or the largest training label + 1
 * @param labels        IDX labels file of the training images; null to find it next to them by the standard naming
 * @param test          a test data file path, or null (named data sets bring their own test split)
 * @param testLabels    IDX labels file of the test images, or null
 * @param downloader    the downloader for named data sets; null for {@link Downloader#defaults()}
 * @param listener      download progress receiver; null for none
 */
public record DataOptions(String labelColumn, List<String> targetColumns, int classes, Path labels, String test,
        Path testLabels, Downloader downloader, DownloadListener listener) {

    /** Copies the list, checks the class count. */
    public DataOptions {
        targetColumns = List.copyOf(Objects.requireNonNull(targetColumns, "targetColumns"));
        if (classes < 0) {
            throw new IllegalArgumentException("classes must be >= 0 (0 = automatic), got " + classes);
        }
        if (labelColumn != null && !targetColumns.isEmpty()) {
            throw new IllegalArgumentException("give a label column (classification) or target columns "
                    + "(regression), not both");
        }
    }

    /** Classification, column {@code label}, automatic class count, default downloader, no progress. */
    public static DataOptions defaults() {
        return new DataOptions(null, List.of(), 0, null, null, null, null, null);
    }

    /** Whether the data is read as regression data (target columns given). */
    public boolean isRegression() {
        return !targetColumns.isEmpty();
    }

    /** With a CSV label column (name or 0-based index). */
    public DataOptions withLabelColumn(String spec) {
        return new DataOptions(spec, List.of(), classes, labels, test, testLabels, downloader, listener);
    }

    /** Regression with these CSV target columns. */
    public DataOptions withTargetColumns(List<String> specs) {
        return new DataOptions(null, specs, classes, labels, test, testLabels, downloader, listener);
    }

    /** With an explicit class count (0 = automatic). */
    public DataOptions withClasses(int n) {
        return new DataOptions(labelColumn, targetColumns, n, labels, test, testLabels, downloader, listener);
    }

    /** With the IDX labels file of the training images. */
    public DataOptions withLabels(Path path) {
        return new DataOptions(labelColumn, targetColumns, classes, path, test, testLabels, downloader, listener);
    }

    /** With a test data file (and, for IDX, optionally its labels file; null to find it by name). */
    public DataOptions withTest(String path, Path labelsPath) {
        return new DataOptions(labelColumn, targetColumns, classes, labels, path, labelsPath, downloader, listener);
    }

    /** With a downloader (cache folder, timeouts). */
    public DataOptions withDownloader(Downloader d) {
        return new DataOptions(labelColumn, targetColumns, classes, labels, test, testLabels, d, listener);
    }

    /** With a download progress receiver. */
    public DataOptions withListener(DownloadListener l) {
        return new DataOptions(labelColumn, targetColumns, classes, labels, test, testLabels, downloader, l);
    }

    /** The CSV options these data options imply. */
    public CsvOptions csvOptions() {
        CsvOptions o = isRegression() ? CsvOptions.regression(targetColumns.toArray(String[]::new))
                : CsvOptions.classification().withLabelColumn(labelColumn == null ? CsvOptions.DEFAULT_LABEL_COLUMN
                        : labelColumn);
        return o.withClasses(classes);
    }
}

package dev.descent.data.io;

import java.util.List;
import java.util.Objects;

/**
 * How to read a CSV file with a header line.
 *
 * <p>A classification file has one label column (by default the column named {@code label}, as in Sign Language MNIST:
 * {@code label,pixel1,…,pixel784}); a regression file has one or more target columns. Every other column, except those
 * excluded, is a feature, in file order.
 *
 * <p>A column is named by a spec: the exact header name, or, when no header cell has that name, a 0-based column
 * index written in digits (so {@code --label-column 0} picks the first column).
 *
 * @param labelColumn   the label column's spec, or null for regression
 * @param targetColumns the target columns' specs for regression (empty for classification)
 * @param excludeColumns columns that are neither features nor labels (an id column, say)
 * @param classes       number of classes; 0 means the largest label + 1
 * @param delimiter     the cell separator, {@code ','} by default
 */
public record CsvOptions(String labelColumn, List<String> targetColumns, List<String> excludeColumns, int classes,
        char delimiter) {

    /** The default label column name. */
    public static final String DEFAULT_LABEL_COLUMN = "label";

    /** Validates: exactly one of label column and target columns. */
    public CsvOptions {
        targetColumns = List.copyOf(Objects.requireNonNull(targetColumns, "targetColumns"));
        excludeColumns = List.copyOf(Objects.requireNonNull(excludeColumns, "excludeColumns"));
        if ((labelColumn == null) == targetColumns.isEmpty()) {
            throw new IllegalArgumentException("give either a label column (classification) or target columns "
                    + "(regression), not both or neither");
        }
        if (classes < 0) {
            throw new IllegalArgumentException("classes must be >= 0 (0 = largest label + 1), got " + classes);
        }
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '.' || delimiter == '-'
                || delimiter == '+' || Character.isDigit(delimiter)) {
            throw new IllegalArgumentException("unusable delimiter '" + delimiter + "'");
        }
    }

    /** Classification with the label in column {@code label}, classes = largest label + 1, comma-separated. */
    public static CsvOptions classification() {
        return new CsvOptions(DEFAULT_LABEL_COLUMN, List.of(), List.of(), 0, ',');
    }

    /** Regression with these target columns (specs: names or 0-based indices). */
    public static CsvOptions regression(String... targetColumns) {
        if (targetColumns.length == 0) {
            throw new IllegalArgumentException("regression needs at least one target column");
        }
        return new CsvOptions(null, List.of(targetColumns), List.of(), 0, ',');
    }

    /** Whether the file is read as classification data. */
    public boolean isClassification() {
        return labelColumn != null;
    }

    /** With another label column (name, or 0-based index in digits). */
    public CsvOptions withLabelColumn(String spec) {
        Objects.requireNonNull(spec, "spec");
        return new CsvOptions(spec, List.of(), excludeColumns, classes, delimiter);
    }

    /** With the label in the column at this 0-based index. */
    public CsvOptions withLabelColumn(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("column index must be >= 0, got " + index);
        }
        return withLabelColumn(Integer.toString(index));
    }

    /** With an explicit class count (0 = largest label + 1); a label {@code >= classes} is then an error. */
    public CsvOptions withClasses(int newClasses) {
        return new CsvOptions(labelColumn, targetColumns, excludeColumns, newClasses, delimiter);
    }

    /** With columns to ignore. */
    public CsvOptions withExcluded(String... specs) {
        return new CsvOptions(labelColumn, targetColumns, List.of(specs), classes, delimiter);
    }

    /** With another delimiter (e.g. {@code ';'} or tab). */
    public CsvOptions withDelimiter(char newDelimiter) {
        return new CsvOptions(labelColumn, targetColumns, excludeColumns, classes, newDelimiter);
    }
}

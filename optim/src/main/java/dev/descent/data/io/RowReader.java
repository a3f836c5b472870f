package dev.descent.data.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * A data file read a batch of rows at a time, never whole: for prediction over files of any size. Opened with
 * {@link DataSources#openRows}; the rows come in file order, with labels or regression targets where the file has
 * them (a CSV file with the label or target columns, an IDX images file with its labels file) and without them
 * otherwise. Every problem is a {@link dev.descent.data.DataFormatException} naming the file and the line or record,
 * as when the file is read whole; a problem in a later row surfaces from the {@link #read} that reaches it.
 *
 * <pre>{@code
 * try (RowReader rows = DataSources.openRows(Path.of("new.csv"), DataOptions.defaults(), true)) {
 *     float[] x = new float[1024 * rows.featureCount()];
 *     int[] y = rows.hasLabels() ? new int[1024] : null;
 *     for (int n; (n = rows.read(x, y, null, 1024)) > 0; ) {
 *         // n rows of features in x[0 .. n * featureCount)
 *     }
 * }
 * }</pre>
 */
public interface RowReader extends Closeable {
    /** The file, as given; names it in messages. */
    String source();

    /** Features per row. */
    int featureCount();

    /** Whether rows come with integer class labels. */
    boolean hasLabels();

    /** Target values per row: 0 when the rows have none (classification data, or a file without them). */
    int targetCount();

    /** Rows returned so far. */
    long rowsRead();

    /**
     * Reads up to {@code maxRows} rows: features into {@code features} (row-major, {@code featureCount} per row),
     * labels into {@code labels} when {@link #hasLabels()}, targets into {@code targets} ({@code targetCount} per
     * row) when {@link #targetCount()} is positive; arrays the file has nothing for may be null.
     *
     * @return the rows read: {@code maxRows}, or fewer at the end of the file; 0 after it
     * @throws dev.descent.data.DataFormatException naming the file and the row that is malformed
     */
    int read(float[] features, int[] labels, float[] targets, int maxRows) throws IOException;
}

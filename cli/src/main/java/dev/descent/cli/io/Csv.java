package dev.descent.cli.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A CSV table kept in memory and written atomically as a whole (so that a file on disk is always complete, even when
 * a long run rewrites it every epoch). Numbers use Java's shortest round-trip decimal form; non-finite values are
 * written as {@code NaN}, {@code Infinity} and {@code -Infinity}, which Python's {@code float()}, NumPy and pandas
 * read.
 */
public final class Csv {
    private final List<String> header;
    private final List<String> rows = new ArrayList<>();

    public Csv(List<String> header) {
        this.header = List.copyOf(header);
    }

    public Csv(String... header) {
        this(List.of(header));
    }

    public List<String> header() {
        return header;
    }

    /** Appends a row; each value is formatted with {@link #format(Object)}. */
    public synchronized Csv add(Object... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("CSV row has " + values.length + " values for " + header.size()
                    + " columns " + header);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(format(values[i]));
        }
        rows.add(sb.toString());
        return this;
    }

    /** Number of data rows. */
    public synchronized int size() {
        return rows.size();
    }

    /** Rows as formatted lines (without the header). */
    public synchronized List<String> lines() {
        return Collections.unmodifiableList(new ArrayList<>(rows));
    }

    /** The whole table as text, header first, each line ending in '\n'. */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (String r : rows) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    /** Writes the table atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, text());
    }

    /** Formats one value: floats and doubles in shortest round-trip form, strings quoted when they need it. */
    public static String format(Object v) {
        return switch (v) {
            case null -> "";
            case Float f -> Float.toString(f);
            case Double d -> Double.toString(d);
            case Number n -> n.toString();
            default -> quote(v.toString());
        };
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}

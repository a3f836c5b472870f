package dev.descent.data.io;

import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;
import dev.descent.data.SafeText;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a CSV file with a header line into a {@link Dataset}: plain or gzip-compressed (recognised by its magic bytes),
 * classification (one integer label column) or regression (float target columns). See {@link CsvOptions}.
 *
 * <p>The parser works on bytes and converts numbers itself (correctly rounded to float32; long or unusual numerals go
 * through {@link Float#parseFloat}), so Sign Language MNIST's 27,455 × 785 training file reads in a fraction of a second.
 * Accepted syntax: cells separated by the delimiter, lines ending in LF, CRLF or CR, optional spaces around cells,
 * double-quoted cells (with {@code ""} for a quote), a UTF-8 byte-order mark, blank lines (skipped). Numbers are decimal
 * with optional sign, fraction and exponent; {@code NaN}, {@code Infinity} and hexadecimal are not numbers here.
 *
 * <p>Every problem is a {@link DataFormatException} naming the file and line: an empty file, a header lacking the label
 * column, or holding the name of the label column (or of a target or excluded column) twice, a row with the wrong
 * number of columns, an empty or non-numeric cell, a number beyond float32's range, a label that is negative, not an
 * integer, or not below an explicitly given class count, and corrupt gzip data. Two feature columns of the same name
 * are fine: features are taken by position, never by name. Header names and cells quoted in a message are escaped and
 * shortened ({@link SafeText}).
 */
public final class CsvReader {
    private static final int CHUNK_ROWS = 2048;
    /**
     * Labels may make more classes than there are rows up to this many classes (small test files); beyond it, more
     * classes than rows is taken for a mistyped label and refused.
     */
    static final int MAX_CLASSES_WITHOUT_ROWS = 1024;
    /** More classes than this, inferred from the labels, are refused whatever the row count (--classes allows more). */
    static final int MAX_INFERRED_CLASSES = 10_000;
    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private CsvReader() {
    }

    /** Reads {@code path}; the data set's source is the path as given. */
    public static Dataset read(Path path, CsvOptions options) throws IOException {
        try (InputStream in = DataFiles.open(path)) {
            return new Parser(in, path.toString(), options).parse();
        }
    }

    /** Reads a stream (plain or gzip); {@code source} names it in messages. Does not close {@code in}. */
    public static Dataset read(InputStream in, String source, CsvOptions options) throws IOException {
        InputStream opened = DataFiles.open(new NonClosing(in), source);
        try (opened) {
            return new Parser(opened, source, options).parse();
        }
    }

    /**
     * Opens {@code path} for reading a batch of rows at a time (the header is read and checked now). With
     * {@code labelsOptional}, a header without the label column (for regression: without any of the target columns)
     * gives rows of features only; otherwise that is an error, as in {@link #read}. Labels are checked against
     * {@code options.classes()} when it is positive.
     */
    public static RowReader openRows(Path path, CsvOptions options, boolean labelsOptional) throws IOException {
        InputStream in = DataFiles.open(path);
        try {
            Parser p = new Parser(in, path.toString(), options);
            p.setUp(labelsOptional);
            return p.rows(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The header line's cells of a CSV file (for tools that list columns). */
    public static List<String> header(Path path) throws IOException {
        try (InputStream in = DataFiles.open(path)) {
            Parser p = new Parser(in, path.toString(), CsvOptions.classification());
            return p.readHeader();
        }
    }

    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    private static final byte FEATURE = 0;
    private static final byte LABEL = 1;
    private static final byte TARGET = 2;
    private static final byte SKIP = 3;

    private static final class Parser {
        private final InputStream in;
        private final String source;
        private final CsvOptions options;
        private final int delim;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int lim;
        private long line = 1;
        private byte[] cell = new byte[64];
        private int cellLen;
        private boolean quoted;
        private List<String> names;

        Parser(InputStream in, String source, CsvOptions options) {
            this.in = in;
            this.source = source;
            this.options = options;
            this.delim = options.delimiter();
        }

        private int next() throws IOException {
            if (pos < lim) {
                return buf[pos++] & 0xff;
            }
            return refill();
        }

        private int refill() throws IOException {
            int r = in.read(buf, 0, buf.length);
            while (r == 0) {
                r = in.read(buf, 0, buf.length);
            }
            if (r < 0) {
                pos = 0;
                lim = 0;
                return -1;
            }
            pos = 1;
            lim = r;
            return buf[0] & 0xff;
        }

        /** Skips a UTF-8 byte-order mark at the very start of the input. */
        private void skipByteOrderMark() throws IOException {
            if (pos != 0 || lim != 0) {
                return;
            }
            while (lim < 3) {
                int r = in.read(buf, lim, buf.length - lim);
                if (r < 0) {
                    break;
                }
                lim += r;
            }
            if (lim >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
                pos = 3;
            }
        }

        private int peek() throws IOException {
            if (pos >= lim) {
                int c = refill();
                if (c < 0) {
                    return -1;
                }
                pos = 0;
            }
            return buf[pos] & 0xff;
        }

        private void append(int c) {
            if (cellLen == cell.length) {
                cell = Arrays.copyOf(cell, cell.length * 2);
            }
            cell[cellLen++] = (byte) c;
        }

        private boolean blank(int c) {
            return (c == ' ' || c == '\t') && c != delim;
        }

        /** Reads one cell into {@code cell}; returns its terminator: the delimiter, '\n' (any line end) or -1. */
        private int readCell() throws IOException {
            cellLen = 0;
            quoted = false;
            int c = next();
            while (blank(c)) {
                c = next();
            }
            if (c == '"') {
                quoted = true;
                long start = line;
                while (true) {
                    c = next();
                    if (c < 0) {
                        throw DataFormatException.atLine(source, start, "quoted cell is never closed");
                    }
                    if (c == '"') {
                        c = next();
                        if (c == '"') {
                            append('"');
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') {
                        line++;
                    }
                    append(c);
                }
                while (blank(c)) {
                    c = next();
                }
                if (c != delim && c != '\n' && c != '\r' && c >= 0) {
                    throw DataFormatException.atLine(source, line, "unexpected character '" + printable(c)
                            + "' after a quoted cell");
                }
            } else if (c >= 0 && c != delim && c != '\n' && c != '\r') {
                append(c);
                c = scanPlain();
                while (cellLen > 0 && blank(cell[cellLen - 1])) {
                    cellLen--;
                }
            }
            if (c == '\r') {
                if (peek() == '\n') {
                    next();
                }
                return '\n';
            }
            return c;
        }

        /**
         * Appends the rest of an unquoted cell to {@code cell}, scanning the buffer directly; returns the terminating
         * byte (delimiter, CR, LF) or -1 at the end of the input.
         */
        private int scanPlain() throws IOException {
            byte[] b = buf;
            byte d = (byte) delim;
            while (true) {
                int p = pos;
                int l = lim;
                int start = p;
                while (p < l) {
                    byte x = b[p];
                    if (x == d || x == '\n' || x == '\r') {
                        break;
                    }
                    p++;
                }
                int n = p - start;
                if (n > 0) {
                    if (cellLen + n > cell.length) {
                        cell = Arrays.copyOf(cell, Math.max(cell.length * 2, cellLen + n));
                    }
                    System.arraycopy(b, start, cell, cellLen, n);
                    cellLen += n;
                }
                if (p < l) {
                    pos = p + 1;
                    return b[p] & 0xff;
                }
                pos = p;
                int c = refill();
                if (c < 0) {
                    return -1;
                }
                pos = 0; // refill consumed the first byte; scan it again
            }
        }

        private String cellText() {
            return new String(cell, 0, cellLen, StandardCharsets.UTF_8);
        }

        private static String printable(int c) {
            return c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\x%02x", c);
        }

        List<String> readHeader() throws IOException {
            skipByteOrderMark();
            List<String> header = new ArrayList<>();
            while (true) {
                int term = readCell();
                if (header.isEmpty() && term != delim && cellLen == 0 && !quoted) {
                    if (term < 0) {
                        throw new DataFormatException(source, null, "empty file: no header line and no data");
                    }
                    line++;
                    continue; // blank line before the header
                }
                header.add(cellText());
                if (term != delim) {
                    break;
                }
            }
            line++;
            names = header;
            return header;
        }

        private int resolve(String spec, String role) throws DataFormatException {
            int idx = names.indexOf(spec);
            if (idx >= 0) {
                int again = names.subList(idx + 1, names.size()).indexOf(spec);
                if (again >= 0) {
                    // Taking the first would silently make the second a feature (a label leaking into the inputs).
                    throw DataFormatException.atLine(source, 1, "columns " + idx + " and " + (idx + 1 + again)
                            + " are both named '" + SafeText.of(spec) + "': which is the " + role
                            + " column is ambiguous (rename one, or name the column by its 0-based index)");
                }
                return idx;
            }
            if (!spec.isEmpty() && spec.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                long i;
                try {
                    i = Long.parseLong(spec);
                } catch (NumberFormatException e) {
                    i = Long.MAX_VALUE;
                }
                if (i < names.size()) {
                    return (int) i;
                }
                throw DataFormatException.atLine(source, 1, role + " column index " + spec + " is out of range: the "
                        + "header has " + names.size() + " columns (0.." + (names.size() - 1) + ")");
            }
            throw DataFormatException.atLine(source, 1, "the header has no " + role + " column '"
                    + SafeText.of(spec) + "' (columns: " + listColumns() + ")");
        }

        private String listColumns() {
            int show = Math.min(names.size(), 6);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < show; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(SafeText.of(names.get(i)));
            }
            if (names.size() > show) {
                sb.append(", … ").append(names.size() - show).append(" more");
            }
            return sb.toString();
        }

        private String column(int col) {
            return "column '" + SafeText.of(names.get(col)) + "' (index " + col + ")";
        }

        // ---------------------------------------------------------- the columns' roles, then rows in batches

        private byte[] role;
        private int[] slot;
        private int featureCount;
        private int targetCount;
        private boolean labelled;
        private int fixedClasses;
        private int rows;
        private int maxLabel = -1;
        private long maxLabelLine;
        private boolean atEnd;

        /**
         * Reads the header and decides each column's role. With {@code labelsOptional}, a file whose header lacks the
         * label column (or every target column) is read as features only; a file with some target columns but not
         * all is still an error.
         */
        void setUp(boolean labelsOptional) throws IOException {
            readHeader();
            int columns = names.size();
            role = new byte[columns];
            slot = new int[columns];
            Arrays.fill(role, FEATURE);
            for (String spec : options.excludeColumns()) {
                role[resolve(spec, "excluded")] = SKIP;
            }
            fixedClasses = options.classes();
            if (options.isClassification()) {
                if (!labelsOptional || present(options.labelColumn())) {
                    role[resolve(options.labelColumn(), "label")] = LABEL;
                    labelled = true;
                }
            } else {
                boolean any = false;
                for (String spec : options.targetColumns()) {
                    any |= present(spec);
                }
                if (!labelsOptional || any) {
                    for (String spec : options.targetColumns()) {
                        int t = resolve(spec, "target");
                        if (role[t] == TARGET) {
                            throw DataFormatException.atLine(source, 1, "target column '" + SafeText.of(spec)
                                    + "' is given twice");
                        }
                        role[t] = TARGET;
                        slot[t] = targetCount++;
                    }
                }
            }
            int d = 0;
            for (int c = 0; c < columns; c++) {
                if (role[c] == FEATURE) {
                    slot[c] = d++;
                }
            }
            if (d == 0) {
                throw DataFormatException.atLine(source, 1, "no feature columns: every column is a label, target or "
                        + "excluded");
            }
            featureCount = d;
        }

        /** Whether a column spec names a header cell (or, in digits, an index within the header). */
        private boolean present(String spec) {
            if (names.contains(spec)) {
                return true;
            }
            if (!spec.isEmpty() && spec.length() < 10 && spec.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return Integer.parseInt(spec) < names.size();
            }
            return false;
        }

        /**
         * Reads up to {@code max} rows: features into {@code features} ({@code max × featureCount}), labels or targets
         * (when the file has them) into {@code labels} / {@code targets}. Returns the rows read, fewer than
         * {@code max} only at the end of the file (0 after it).
         */
        int readRows(float[] features, int[] labels, float[] targets, int max) throws IOException {
            if (atEnd) {
                return 0;
            }
            int columns = role.length;
            int d = featureCount;
            int n = 0;
            rowLoop:
            while (n < max) {
                long rowLine = line;
                int col = 0;
                int base = n * d;
                while (true) {
                    int term = readCell();
                    if (col == 0 && term != delim && cellLen == 0 && !quoted) {
                        if (term < 0) {
                            atEnd = true;
                            break rowLoop;
                        }
                        line++;
                        continue rowLoop; // blank line
                    }
                    if (col < columns) {
                        byte r = role[col];
                        if (r != SKIP) {
                            if (cellLen == 0) {
                                throw DataFormatException.atLine(source, rowLine, column(col) + ": empty cell");
                            }
                            if (r == FEATURE) {
                                int small = smallInteger();
                                // a small integer converts exactly (or with one correct rounding above 2^24)
                                features[base + slot[col]] = small >= 0 ? small
                                        : toFloat(number(rowLine, col), rowLine, col);
                            } else if (r == LABEL) {
                                int label = toLabel(number(rowLine, col), rowLine, col, fixedClasses);
                                labels[n] = label;
                                if (label > maxLabel) {
                                    maxLabel = label;
                                    maxLabelLine = rowLine;
                                }
                            } else {
                                targets[n * targetCount + slot[col]] = toFloat(number(rowLine, col), rowLine, col);
                            }
                        }
                    }
                    col++;
                    if (term == delim) {
                        continue;
                    }
                    if (col != columns) {
                        throw DataFormatException.atLine(source, rowLine, "expected " + columns + " columns, found "
                                + col);
                    }
                    rows++;
                    if (rows < 0) {
                        throw DataFormatException.atLine(source, rowLine, "too many rows");
                    }
                    line++;
                    n++;
                    if (term < 0) {
                        atEnd = true;
                        break rowLoop;
                    }
                    continue rowLoop;
                }
            }
            return n;
        }

        /** This parser, set up, as a {@link RowReader} that closes {@code in}. */
        RowReader rows(InputStream in) {
            Parser p = this;
            return new RowReader() {
                @Override
                public String source() {
                    return source;
                }

                @Override
                public int featureCount() {
                    return featureCount;
                }

                @Override
                public boolean hasLabels() {
                    return labelled;
                }

                @Override
                public int targetCount() {
                    return targetCount;
                }

                @Override
                public long rowsRead() {
                    return rows;
                }

                @Override
                public int read(float[] features, int[] labels, float[] targets, int maxRows) throws IOException {
                    return p.readRows(features, labels, targets, maxRows);
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        Dataset parse() throws IOException {
            setUp(false);
            int d = featureCount;
            boolean classification = labelled;
            List<float[]> chunks = new ArrayList<>();
            List<int[]> labelChunks = new ArrayList<>();
            List<float[]> targetChunks = new ArrayList<>();
            int last;
            do {
                float[] chunk = new float[Math.multiplyExact(CHUNK_ROWS, d)];
                int[] labels = classification ? new int[CHUNK_ROWS] : null;
                float[] targets = classification ? null : new float[Math.multiplyExact(CHUNK_ROWS, targetCount)];
                last = readRows(chunk, labels, targets, CHUNK_ROWS);
                if (last > 0) {
                    chunks.add(chunk);
                    labelChunks.add(labels);
                    targetChunks.add(targets);
                }
            } while (last == CHUNK_ROWS);
            if (rows == 0) {
                throw new DataFormatException(source, null, "no data rows after the header line");
            }
            long total = (long) rows * d;
            if (total > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(source, null, rows + " rows × " + d + " features is too large for one "
                        + "array");
            }
            float[] features = new float[(int) total];
            int[] labels = classification ? new int[rows] : null;
            float[] targets = classification ? null : new float[Math.multiplyExact(rows, targetCount)];
            for (int i = 0; i < chunks.size(); i++) {
                int at = i * CHUNK_ROWS;
                int n = Math.min(CHUNK_ROWS, rows - at);
                System.arraycopy(chunks.get(i), 0, features, at * d, n * d);
                if (classification) {
                    System.arraycopy(labelChunks.get(i), 0, labels, at, n);
                } else {
                    System.arraycopy(targetChunks.get(i), 0, targets, at * targetCount, n * targetCount);
                }
            }
            if (classification) {
                int classes = fixedClasses > 0 ? fixedClasses : maxLabel + 1;
                int plausible = Math.min(MAX_INFERRED_CLASSES, Math.max(rows, MAX_CLASSES_WITHOUT_ROWS));
                if (fixedClasses <= 0 && classes > plausible) {
                    // One mistyped label (100000000) would otherwise make a model of 100,000,001 classes: gigabytes
                    // of weights, and an out-of-memory error far from the cause.
                    throw DataFormatException.atLine(source, maxLabelLine, "label " + maxLabel + " would make "
                            + classes + " classes for " + rows + " rows (labels are 0 .. classes-1; a mistyped label? "
                            + "more than " + plausible + " classes need an explicit class count, --classes)");
                }
                return Dataset.classification(source, features, rows, d, labels, classes);
            }
            return Dataset.regression(source, features, rows, d, targets, targetCount);
        }

        private float toFloat(double v, long rowLine, int col) throws DataFormatException {
            float f = (float) v;
            if (Float.isInfinite(f)) {
                throw DataFormatException.atLine(source, rowLine, column(col) + ": " + SafeText.of(cellText())
                        + " is beyond the float32 range");
            }
            long bits = Double.doubleToRawLongBits(v);
            if ((bits & 0x1FFFFFFFL) == 0x10000000L || (v != 0 && Math.abs(v) < Float.MIN_NORMAL)) {
                // the double sits on a float rounding midpoint (or in float's subnormal range):
                // round the decimal numeral directly to avoid double rounding
                f = Float.parseFloat(cellText());
            }
            return f;
        }

        private int toLabel(double v, long rowLine, int col, int fixedClasses) throws DataFormatException {
            if (v != Math.rint(v)) {
                throw DataFormatException.atLine(source, rowLine, column(col) + ": label '"
                        + SafeText.of(cellText()) + "' is not an integer");
            }
            if (v < 0) {
                throw DataFormatException.atLine(source, rowLine, column(col) + ": label "
                        + SafeText.of(cellText()) + " is negative");
            }
            if (v >= Integer.MAX_VALUE) {
                throw DataFormatException.atLine(source, rowLine, column(col) + ": label "
                        + SafeText.of(cellText()) + " is too large");
            }
            int label = (int) v;
            if (fixedClasses > 0 && label >= fixedClasses) {
                throw DataFormatException.atLine(source, rowLine, column(col) + ": label " + label
                        + " is out of range for " + fixedClasses + " classes (labels must be in 0.."
                        + (fixedClasses - 1) + ")");
            }
            return label;
        }

        /** The cell as a number, or an error naming line and column. */
        private double number(long rowLine, int col) throws DataFormatException {
            double v = parseNumber();
            if (Double.isNaN(v)) {
                throw DataFormatException.atLine(source, rowLine, column(col) + ": not a number: '"
                        + SafeText.of(cellText()) + "'");
            }
            return v;
        }

        /** The cell's value when it is 1 to 9 plain decimal digits, else -1. */
        private int smallInteger() {
            int len = cellLen;
            if (len > 9) {
                return -1;
            }
            byte[] s = cell;
            int v = 0;
            for (int i = 0; i < len; i++) {
                int c = s[i] - '0';
                if (c < 0 || c > 9) {
                    return -1;
                }
                v = v * 10 + c;
            }
            return v;
        }

        /** The cell as a double, correctly rounded; NaN when it is not a decimal number. */
        private double parseNumber() {
            byte[] s = cell;
            int len = cellLen;
            int i = 0;
            boolean neg = false;
            if (s[0] == '-' || s[0] == '+') {
                neg = s[0] == '-';
                i++;
            }
            long mant = 0;
            int nd = 0;
            int exp = 0;
            boolean digits = false;
            boolean dropped = false;
            while (i < len) {
                int c = s[i] - '0';
                if (c < 0 || c > 9) {
                    break;
                }
                digits = true;
                if (nd < 18) {
                    if (mant != 0 || c != 0) {
                        mant = mant * 10 + c;
                        nd++;
                    }
                } else {
                    exp++;
                    dropped |= c != 0;
                }
                i++;
            }
            if (i < len && s[i] == '.') {
                i++;
                while (i < len) {
                    int c = s[i] - '0';
                    if (c < 0 || c > 9) {
                        break;
                    }
                    digits = true;
                    if (nd < 18) {
                        if (mant != 0 || c != 0) {
                            mant = mant * 10 + c;
                            nd++;
                        }
                        exp--;
                    } else {
                        dropped |= c != 0;
                    }
                    i++;
                }
            }
            if (!digits) {
                return Double.NaN;
            }
            if (i < len && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                boolean eneg = false;
                if (i < len && (s[i] == '-' || s[i] == '+')) {
                    eneg = s[i] == '-';
                    i++;
                }
                int e = 0;
                boolean edigits = false;
                while (i < len) {
                    int c = s[i] - '0';
                    if (c < 0 || c > 9) {
                        break;
                    }
                    edigits = true;
                    if (e < 100_000) {
                        e = e * 10 + c;
                    }
                    i++;
                }
                if (!edigits) {
                    return Double.NaN;
                }
                exp += eneg ? -e : e;
            }
            if (i != len) {
                return Double.NaN;
            }
            if (mant == 0) {
                return neg ? -0.0 : 0.0;
            }
            double d;
            if (!dropped && mant < (1L << 53) && exp >= -22 && exp <= 22) {
                d = exp == 0 ? mant : exp > 0 ? mant * POW10[exp] : mant / POW10[-exp];
            } else {
                d = Double.parseDouble(new String(s, 0, len, StandardCharsets.ISO_8859_1));
                return d; // sign included
            }
            return neg ? -d : d;
        }
    }
}

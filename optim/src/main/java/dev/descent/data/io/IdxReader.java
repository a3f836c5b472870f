package dev.descent.data.io;

import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (recognised by its magic bytes).
 *
 * <p>Layout: bytes 0–1 are zero, byte 2 the element type ({@code 0x08} unsigned byte, {@code 0x09} signed byte,
 * {@code 0x0B} int16, {@code 0x0C} int32, {@code 0x0D} float32, {@code 0x0E} float64), byte 3 the number of dimensions;
 * then one big-endian int32 per dimension; then the elements, big-endian, row-major. An images file ({@code idx3}:
 * {@code n × rows × cols}) becomes {@code n} samples of {@code rows·cols} float features with the raw values (0..255
 * for pixels; scale with {@link dev.descent.data.Scaling}); a labels file ({@code idx1}: {@code n}) holds the integer
 * labels.
 *
 * <p>Errors are {@link DataFormatException}s naming the file: a bad magic number, an unknown type, a zero or negative
 * dimension, data shorter or longer than the dimensions imply, non-integer or negative labels, a label not below an
 * explicit class count, image and label counts that differ, corrupt gzip data.
 */
public final class IdxReader {
    private IdxReader() {
    }

    /**
     * The contents of one IDX file.
     *
     * @param source the file name, for messages
     * @param type   the element type code ({@code 0x08} …)
     * @param dims   the dimensions, first = number of items
     * @param values the elements as floats, row-major
     */
    public record IdxArray(String source, int type, int[] dims, float[] values) {
        /** Number of items (the first dimension). */
        public int items() {
            return dims[0];
        }

        /** Elements per item (product of the remaining dimensions; 1 for a vector). */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }
    }

    /** Bytes per element of IDX type {@code code}, or 0 for an unknown code. */
    static int elementSize(int code) {
        return switch (code) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> 0;
        };
    }

    /** Reads any IDX file. */
    public static IdxArray read(Path path) throws IOException {
        try (InputStream in = DataFiles.open(path)) {
            return read(in, path.toString());
        }
    }

    /** An IDX header: the element type code and the dimensions (first = number of items). */
    record Header(int type, int[] dims) {
        int items() {
            return dims[0];
        }

        /** Elements per item. */
        int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }

        int headerBytes() {
            return 4 + 4 * dims.length;
        }
    }

    /** Reads and checks an IDX header (magic number, dimensions, a size that fits in arrays). */
    static Header readHeader(InputStream in, String source) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length == 0) {
            throw new DataFormatException(source, null, "empty file");
        }
        if (head.length < 4) {
            throw new DataFormatException(source, "header", "truncated: " + head.length + " bytes, an IDX header "
                    + "needs at least 8");
        }
        int magic = ByteBuffer.wrap(head).getInt();
        int type = head[2] & 0xff;
        int ndims = head[3] & 0xff;
        if (head[0] != 0 || head[1] != 0 || elementSize(type) == 0 || ndims < 1 || ndims > 4) {
            throw new DataFormatException(source, "header", String.format("bad magic number 0x%08X: not an IDX "
                    + "file (expected 0x0000TTDD with type TT in 08,09,0B,0C,0D,0E and 1 to 4 dimensions DD, e.g. "
                    + "0x00000803 for images, 0x00000801 for labels)", magic));
        }
        byte[] dimBytes = in.readNBytes(4 * ndims);
        if (dimBytes.length < 4 * ndims) {
            throw new DataFormatException(source, "header", "truncated: the header announces " + ndims
                    + " dimensions but ends after " + dimBytes.length / 4);
        }
        ByteBuffer db = ByteBuffer.wrap(dimBytes);
        int[] dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = db.getInt();
            if (dims[i] <= 0) {
                throw new DataFormatException(source, "header", "dimension " + i + " is " + Integer.toUnsignedString(
                        dims[i]) + (dims[i] == 0 ? " (no items)" : " (too large)"));
            }
            count *= dims[i];
            if (count > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(source, "header", "dimensions " + shape(dims, i + 1)
                        + " are too large to load");
            }
        }
        long bytes = count * elementSize(type);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(source, "header", "dimensions " + shape(dims, ndims) + " of "
                    + elementSize(type) + "-byte elements are too large to load");
        }
        return new Header(type, dims);
    }

    /** Reads an IDX stream (already decompressed, or plain); {@code source} names it in messages. */
    public static IdxArray read(InputStream in, String source) throws IOException {
        Header h = readHeader(in, source);
        int[] dims = h.dims();
        int type = h.type();
        int ndims = dims.length;
        int count = h.items() * h.itemSize();
        int size = elementSize(type);
        long bytes = (long) count * size;
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new DataFormatException(source, null, "truncated: dimensions " + shape(dims, ndims) + " need "
                    + bytes + " data bytes after the " + (4 + 4 * ndims) + "-byte header, found " + data.length
                    + " (record " + data.length / Math.max(1, bytes / dims[0]) + " is incomplete)");
        }
        checkNothingAfter(in, source, bytes, dims);
        float[] values = new float[count];
        convert(data, type, values, 0, count);
        checkFinite(values, 0, count, type, source, h.itemSize(), 0);
        return new IdxArray(source, type, dims, values);
    }

    private static void checkNothingAfter(InputStream in, String source, long bytes, int[] dims) throws IOException {
        long extra = 0;
        byte[] skip = new byte[8192];
        for (int r; (r = in.read(skip)) > 0; ) {
            extra += r;
        }
        if (extra > 0) {
            throw new DataFormatException(source, null, extra + " bytes beyond the " + bytes + " data bytes that "
                    + "dimensions " + shape(dims, dims.length) + " imply (wrong dimensions or not an IDX file)");
        }
    }

    /** Big-endian elements of {@code type} in {@code data} to floats. */
    private static void convert(byte[] data, int type, float[] values, int offset, int count) {
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        switch (type) {
            case 0x08 -> {
                for (int i = 0; i < count; i++) {
                    values[offset + i] = data[i] & 0xff;
                }
            }
            case 0x09 -> {
                for (int i = 0; i < count; i++) {
                    values[offset + i] = data[i];
                }
            }
            case 0x0B -> {
                for (int i = 0; i < count; i++) {
                    values[offset + i] = bb.getShort(2 * i);
                }
            }
            case 0x0C -> {
                for (int i = 0; i < count; i++) {
                    values[offset + i] = bb.getInt(4 * i);
                }
            }
            case 0x0D -> {
                for (int i = 0; i < count; i++) {
                    values[offset + i] = bb.getFloat(4 * i);
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    values[offset + i] = (float) bb.getDouble(8 * i);
                }
            }
        }
    }

    /** Float types may hold infinities and NaN, which descent refuses; names the record. */
    private static void checkFinite(float[] values, int offset, int count, int type, String source, int itemSize,
            long firstRecord) throws DataFormatException {
        if (type == 0x0D || type == 0x0E) {
            for (int i = 0; i < count; i++) {
                if (!Float.isFinite(values[offset + i])) {
                    throw new DataFormatException(source, "record " + (firstRecord + i / Math.max(1, itemSize)),
                            "value " + values[offset + i] + " is not finite");
                }
            }
        }
    }

    private static String shape(int[] dims, int k) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < k; i++) {
            if (i > 0) {
                sb.append('×');
            }
            sb.append(Integer.toUnsignedString(dims[i]));
        }
        return sb.toString();
    }

    /**
     * Reads integer labels from an IDX labels file (one dimension, or {@code n × 1}).
     *
     * @param classes 0 to accept any non-negative label, else labels must be below it
     */
    public static int[] readLabels(Path path, int classes) throws IOException {
        IdxArray a = read(path);
        if (a.itemSize() != 1) {
            throw new DataFormatException(a.source(), "header", "a labels file has one value per item, but the "
                    + "dimensions are " + shape(a.dims(), a.dims().length));
        }
        float[] v = a.values();
        int[] labels = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            labels[i] = toLabel(v[i], a.source(), i, classes);
        }
        return labels;
    }

    private static int toLabel(float x, String source, long record, int classes) throws DataFormatException {
        if (x != Math.rint(x)) {
            throw new DataFormatException(source, "record " + record, "label " + x + " is not an integer");
        }
        if (x < 0) {
            throw new DataFormatException(source, "record " + record, "label " + (long) x + " is negative");
        }
        if (classes > 0 && x >= classes) {
            throw new DataFormatException(source, "record " + record, "label " + (long) x + " is out of range for "
                    + classes + " classes (labels must be in 0.." + (classes - 1) + ")");
        }
        return (int) x;
    }

    /**
     * Opens an images file for reading a batch of images at a time, with its labels file when {@code labels} is not
     * null (the two headers are checked now: an images file of at least 2 dimensions, a labels file of one value per
     * image and as many values as images).
     *
     * @param classes 0 to accept any non-negative label, else labels must be below it
     */
    static RowReader openRows(Path images, Path labels, int classes) throws IOException {
        InputStream in = DataFiles.open(images);
        InputStream lin = null;
        try {
            Header h = readHeader(in, images.toString());
            if (h.dims().length < 2) {
                throw new DataFormatException(images.toString(), "header", "an images file needs at least 2 "
                        + "dimensions (items × features), found 1: is this a labels file?");
            }
            Header lh = null;
            if (labels != null) {
                lin = DataFiles.open(labels);
                lh = readHeader(lin, labels.toString());
                if (lh.itemSize() != 1) {
                    throw new DataFormatException(labels.toString(), "header", "a labels file has one value per "
                            + "item, but the dimensions are " + shape(lh.dims(), lh.dims().length));
                }
                if (lh.items() != h.items()) {
                    throw new DataFormatException(labels.toString(), null, lh.items() + " labels, but " + images
                            + " holds " + h.items() + " images");
                }
            }
            return new IdxRows(images.toString(), in, h, labels == null ? null : labels.toString(), lin, lh, classes);
        } catch (IOException | RuntimeException e) {
            in.close();
            if (lin != null) {
                lin.close();
            }
            throw e;
        }
    }

    /** An images file (and its labels) read a batch at a time. */
    private static final class IdxRows implements RowReader {
        private final String source;
        private final InputStream in;
        private final Header header;
        private final String labelSource;
        private final InputStream labelIn;
        private final Header labelHeader;
        private final int classes;
        private float[] labelValues = new float[0];
        private long done;

        IdxRows(String source, InputStream in, Header header, String labelSource, InputStream labelIn,
                Header labelHeader, int classes) {
            this.source = source;
            this.in = in;
            this.header = header;
            this.labelSource = labelSource;
            this.labelIn = labelIn;
            this.labelHeader = labelHeader;
            this.classes = classes;
        }

        @Override
        public String source() {
            return source;
        }

        @Override
        public int featureCount() {
            return header.itemSize();
        }

        @Override
        public boolean hasLabels() {
            return labelIn != null;
        }

        @Override
        public int targetCount() {
            return 0;
        }

        @Override
        public long rowsRead() {
            return done;
        }

        @Override
        public int read(float[] features, int[] labels, float[] targets, int maxRows) throws IOException {
            int n = (int) Math.min(maxRows, header.items() - done);
            if (n <= 0) {
                return 0;
            }
            int d = header.itemSize();
            int size = elementSize(header.type());
            long rowBytes = (long) d * size;
            byte[] data = in.readNBytes(Math.toIntExact(n * rowBytes));
            if (data.length < n * rowBytes) {
                long need = header.items() * rowBytes;
                long found = done * rowBytes + data.length;
                throw new DataFormatException(source, null, "truncated: dimensions " + shape(header.dims(),
                        header.dims().length) + " need " + need + " data bytes after the " + header.headerBytes()
                        + "-byte header, found " + found + " (record " + found / rowBytes + " is incomplete)");
            }
            convert(data, header.type(), features, 0, n * d);
            checkFinite(features, 0, n * d, header.type(), source, d, done);
            if (labelIn != null) {
                int lsize = elementSize(labelHeader.type());
                byte[] lb = labelIn.readNBytes(n * lsize);
                if (lb.length < n * lsize) {
                    throw new DataFormatException(labelSource, null, "truncated: " + labelHeader.items()
                            + " labels announced, the data ends in record " + (done + lb.length / lsize));
                }
                if (labelValues.length < n) {
                    labelValues = new float[n];
                }
                convert(lb, labelHeader.type(), labelValues, 0, n);
                for (int i = 0; i < n; i++) {
                    labels[i] = toLabel(labelValues[i], labelSource, done + i, classes);
                }
            }
            done += n;
            if (done == header.items()) {
                checkNothingAfter(in, source, header.items() * rowBytes, header.dims());
                if (labelIn != null) {
                    checkNothingAfter(labelIn, labelSource, (long) labelHeader.items() * elementSize(
                            labelHeader.type()), labelHeader.dims());
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                if (labelIn != null) {
                    labelIn.close();
                }
            }
        }
    }

    /**
     * Reads an images file and its labels file into a classification data set of {@code n} samples with
     * {@code rows·cols} raw features each.
     *
     * @param classes 0 for largest label + 1, else the class count (a label not below it is an error)
     */
    public static Dataset read(Path images, Path labels, int classes) throws IOException {
        IdxArray img = read(images);
        if (img.dims().length < 2) {
            throw new DataFormatException(img.source(), "header", "an images file needs at least 2 dimensions "
                    + "(items × features), found 1: is this a labels file?");
        }
        int[] lab = readLabels(labels, classes);
        if (lab.length != img.items()) {
            throw new DataFormatException(labels.toString(), null, lab.length + " labels, but " + images
                    + " holds " + img.items() + " images");
        }
        int k = classes;
        if (k == 0) {
            for (int l : lab) {
                k = Math.max(k, l + 1);
            }
        }
        return Dataset.classification(images.toString(), img.values(), img.items(), img.itemSize(), lab, k);
    }

    /**
     * The labels file that belongs to an images file by the standard naming: {@code images-idx3} becomes
     * {@code labels-idx1} ({@code train-images-idx3-ubyte.gz → train-labels-idx1-ubyte.gz}), also in the
     * {@code images.idx3} spelling, with or without {@code .gz}. Returns the first existing candidate.
     *
     * @throws DataFormatException naming the candidates when none exists
     */
    public static Path labelsFileFor(Path images) throws IOException {
        List<Path> candidates = labelCandidates(images);
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        StringBuilder tried = new StringBuilder();
        for (Path p : candidates) {
            if (!tried.isEmpty()) {
                tried.append(", ");
            }
            tried.append(p.getFileName());
        }
        throw new DataFormatException(images.toString(), null, "no labels file found next to it (looked for "
                + (tried.isEmpty() ? "a name with 'images-idx3' → 'labels-idx1'" : tried.toString())
                + "); give the labels file explicitly");
    }

    static List<Path> labelCandidates(Path images) {
        String name = images.getFileName().toString();
        List<String> names = new ArrayList<>();
        String[][] swaps = {{"images-idx3", "labels-idx1"}, {"images.idx3", "labels.idx1"}, {"-images-", "-labels-"},
            {"images", "labels"}};
        for (String[] s : swaps) {
            if (name.contains(s[0])) {
                String base = name.replace(s[0], s[1]);
                names.add(base);
                if (base.endsWith(".gz")) {
                    names.add(base.substring(0, base.length() - 3));
                } else {
                    names.add(base + ".gz");
                }
                break;
            }
        }
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            out.add(images.resolveSibling(n));
        }
        return out;
    }
}

package dev.descent.cli.io;

import dev.descent.data.SafeText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, version 1.0: the magic {@code \x93NUMPY}, version bytes 1 0, a little-endian uint16
 * header length, an ASCII Python-dict header padded with spaces to a multiple of 64 bytes and ending in a newline,
 * then the data in C order. descent writes {@code '<f4'} (float32) and {@code '<i4'} (int32) arrays; it reads those
 * and {@code '<f8'}, {@code '<i8'}, {@code '|u1'} (converting to float32 or int32).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** The most data bytes descent reads for one array (about what a Java array holds). */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private Npy() {
    }

    /** An array read from or written to a {@code .npy} file: float32 or int32 data with a shape. */
    public record Array(String dtype, int[] shape, float[] floats, int[] ints) {
        public Array {
            shape = shape.clone();
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                n *= d;
            }
            long len = floats != null ? floats.length : ints.length;
            if (n != len) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " elements, data has " + len);
            }
        }

        public static Array of(float[] data, int... shape) {
            return new Array("<f4", shape, data, null);
        }

        public static Array ofInts(int[] data, int... shape) {
            return new Array("<i4", shape, null, data);
        }

        public boolean isFloat() {
            return floats != null;
        }

        public long size() {
            return isFloat() ? floats.length : ints.length;
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    /** The bytes of a {@code .npy} file. */
    public static byte[] toBytes(Array a) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            write(bos, a);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    /** Writes a {@code .npy} file's bytes to a stream. */
    public static void write(OutputStream out, Array a) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        int[] dims = a.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]);
            if (dims.length == 1 || i + 1 < dims.length) {
                shape.append(dims.length == 1 ? "," : ", ");
            }
        }
        shape.append(')');
        String dict = "{'descr': '" + a.dtype() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        if (header.length() > 65535) {
            throw new IOException("npy header too long");
        }
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        long n = a.size();
        for (long i = 0; i < n; i++) {
            if (a.isFloat()) {
                buf.putFloat(a.floats()[(int) i]);
            } else {
                buf.putInt(a.ints()[(int) i]);
            }
            if (!buf.hasRemaining()) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** Writes a {@code .npy} file atomically. */
    public static void write(Path file, Array a) throws IOException {
        AtomicFiles.write(file, out -> write(out, a));
    }

    /** Reads a {@code .npy} file. */
    public static Array read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), Files.size(file));
        }
    }

    /**
     * Reads a {@code .npy} stream.
     *
     * @param name used in error messages
     * @throws IOException naming the file and what is wrong with it
     */
    public static Array read(InputStream in, String name) throws IOException {
        return read(in, name, -1);
    }

    /**
     * Reads a {@code .npy} stream of {@code length} bytes (-1: unknown). The header's {@code 'shape'} must hold at most
     * {@value #MAX_DATA_BYTES} bytes of data, and exactly the bytes that follow the header when the length is known:
     * checked before the data is read.
     *
     * @param name used in error messages
     * @throws IOException naming the file and what is wrong with it
     */
    public static Array read(InputStream in, String name, long length) throws IOException {
        byte[] head = in.readNBytes(10);
        if (head.length < 10 || !Arrays.equals(Arrays.copyOf(head, 6), MAGIC)) {
            throw new IOException(name + ": not a NumPy .npy file (bad magic)");
        }
        int major = head[6] & 0xff;
        int headerLen;
        if (major == 1) {
            headerLen = (head[8] & 0xff) | (head[9] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] more = in.readNBytes(2);
            if (more.length < 2) {
                throw new IOException(name + ": truncated .npy header");
            }
            headerLen = (head[8] & 0xff) | (head[9] & 0xff) << 8 | (more[0] & 0xff) << 16 | (more[1] & 0xff) << 24;
        } else {
            throw new IOException(name + ": unsupported .npy version " + major + "." + (head[7] & 0xff));
        }
        long dataStart = (major == 1 ? 10L : 12L) + (headerLen & 0xffffffffL);
        if (headerLen < 0 || length >= 0 && dataStart > length) {
            throw new IOException(name + ": truncated .npy header (" + (headerLen & 0xffffffffL) + " bytes announced"
                    + (length >= 0 ? ", the file has " + length + " in all)" : ")"));
        }
        byte[] hb = in.readNBytes(headerLen);
        if (hb.length < headerLen) {
            throw new IOException(name + ": truncated .npy header");
        }
        String header = new String(hb, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(name + ": malformed .npy header: " + SafeText.of(header.trim(), 80));
        }
        if (f.group(1).equals("True")) {
            throw new IOException(name + ": Fortran-ordered arrays are not supported");
        }
        String descr = d.group(1);
        String tuple = s.group(1);
        int[] shape = shape(tuple, name);
        BigInteger elements = BigInteger.ONE;
        for (int dim : shape) {
            elements = elements.multiply(BigInteger.valueOf(dim));
        }
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "<u1", "|i1" -> 1;
            default -> throw new IOException(name + ": unsupported dtype '" + SafeText.of(descr)
                    + "' (descent reads <f4, <f8, <i4, <i8, |u1)");
        };
        BigInteger bytes = elements.multiply(BigInteger.valueOf(width));
        String what = "'shape' " + quoted(tuple) + " with dtype '" + descr + "'";
        if (bytes.compareTo(BigInteger.valueOf(MAX_DATA_BYTES)) > 0) {
            throw new IOException(name + ": " + what + " holds " + elements + " elements (" + bytes + " bytes), more "
                    + "than descent reads in one array (" + MAX_DATA_BYTES + " bytes)");
        }
        int count = elements.intValueExact();
        int size = bytes.intValueExact();
        if (length >= 0 && length - dataStart != size) {
            long has = length - dataStart;
            throw new IOException(name + ": " + (has < size ? "truncated: " : "") + what + " needs " + size
                    + " bytes of data, the file has " + has + (has > size ? " (" + (has - size) + " too many)" : ""));
        }
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw new IOException(name + ": truncated data (" + data.length + " of " + size + " bytes; " + what + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (descr) {
            case "<f4" -> {
                float[] out = new float[count];
                b.asFloatBuffer().get(out);
                return new Array("<f4", shape, out, null);
            }
            case "<f8" -> {
                float[] out = new float[count];
                for (int i = 0; i < count; i++) {
                    out[i] = (float) b.getDouble();
                }
                return new Array("<f4", shape, out, null);
            }
            case "<i4" -> {
                int[] out = new int[count];
                b.asIntBuffer().get(out);
                return new Array("<i4", shape, null, out);
            }
            case "<i8" -> {
                int[] out = new int[count];
                for (int i = 0; i < count; i++) {
                    long v = b.getLong();
                    if (v != (int) v) {
                        throw new IOException(name + ": element " + i + " (" + v + ") of the int64 array does not "
                                + "fit in 32 bits");
                    }
                    out[i] = (int) v;
                }
                return new Array("<i4", shape, null, out);
            }
            default -> {
                int[] out = new int[count];
                for (int i = 0; i < count; i++) {
                    out[i] = descr.equals("|i1") ? data[i] : data[i] & 0xff;
                }
                return new Array("<i4", shape, null, out);
            }
        }
    }

    /**
     * The dimensions of a header's {@code 'shape'} tuple (the text between its parentheses): whole numbers from 0 to
     * {@value #MAX_DATA_BYTES}.
     */
    private static int[] shape(String tuple, String name) throws IOException {
        String[] parts = tuple.split(",");
        int[] dims = new int[parts.length];
        int n = 0;
        for (String part : parts) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.matches("-?[0-9]+")) {
                throw new IOException(name + ": 'shape' " + quoted(tuple) + ": '" + shorten(p) + "' is not a whole "
                        + "number");
            }
            BigInteger v = new BigInteger(p);
            if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(MAX_DATA_BYTES)) > 0) {
                throw new IOException(name + ": 'shape' " + quoted(tuple) + ": dimension " + shorten(p)
                        + " is out of range (0 to " + MAX_DATA_BYTES + ")");
            }
            dims[n++] = v.intValueExact();
        }
        return Arrays.copyOf(dims, n);
    }

    /** A shape tuple as the header writes it, in parentheses; a long one shortened. */
    private static String quoted(String tuple) {
        return "(" + shorten(tuple.strip()) + ")";
    }

    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 50) + "... (" + text.length() + " characters)";
    }
}

package dev.descent.cli.io;

import dev.descent.data.SafeText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
            return read(in, file.toString());
        }
    }

    /**
     * Reads a {@code .npy} stream.
     *
     * @param name used in error messages
     * @throws IOException naming the file and what is wrong with it
     */
    public static Array read(InputStream in, String name) throws IOException {
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
        String[] parts = s.group(1).split(",");
        int[] shape = Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        long n = 1;
        for (int dim : shape) {
            n *= dim;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IOException(name + ": array too large (" + n + " elements)");
        }
        int count = (int) n;
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1", "<u1", "|i1" -> 1;
            default -> throw new IOException(name + ": unsupported dtype '" + SafeText.of(descr)
                    + "' (descent reads <f4, <f8, <i4, <i8, |u1)");
        };
        byte[] data = in.readNBytes(count * width);
        if (data.length < count * width) {
            throw new IOException(name + ": truncated data (" + data.length + " of " + (long) count * width
                    + " bytes)");
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
                    out[i] = Math.toIntExact(b.getLong());
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
}

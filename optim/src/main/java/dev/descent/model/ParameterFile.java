package dev.descent.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The saved-model file: a model's parameter values, written atomically ({@link AtomicFiles}).
 *
 * <p>Format (big-endian, {@link DataOutputStream} encoding), version {@value #VERSION}:
 * <pre>
 *   8 bytes  magic "DSCNTPRM"
 *   int      format version
 *   UTF      the model's description (informative; e.g. "mlp 784-256-128-10, relu, bias, ce, init torch (seed 1)")
 *   int      parameter count, then per parameter: UTF name, int rows, int cols, rows·cols floats (row-major)
 *   long     CRC-32 of every byte before it
 * </pre>
 * Loading checks the magic, version, checksum, and every parameter's name and shape against the model, and names the
 * file and the offending field when something does not match; the model is unchanged after a failed load.
 */
public final class ParameterFile {
    /** The current format version. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "DSCNTPRM".getBytes(StandardCharsets.US_ASCII);

    private ParameterFile() {
    }

    /** Saves {@code model}'s parameter values to {@code file}, atomically. */
    public static void write(Path file, Model model) throws IOException {
        byte[] body = encode(model);
        AtomicFiles.write(file, out -> out.write(body));
    }

    /** The file's bytes for {@code model} (also embedded in checkpoints). */
    public static byte[] encode(Model model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(model.describe());
        model.writeParameters(out);
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /** Loads the values in {@code file} into {@code model}. */
    public static void read(Path file, Model model) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such model file", e);
        }
        decode(data, model, file.toString());
    }

    /**
     * Loads values encoded by {@link #encode} into {@code model}.
     *
     * @param source names the data in error messages
     */
    public static void decode(byte[] data, Model model, String source) throws IOException {
        if (data.length < MAGIC.length + 4 + 8 || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(source + ": not a descent model file (magic " + new String(data, 0,
                    Math.min(MAGIC.length, data.length), StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?")
                    + ", expected DSCNTPRM)");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        long stored = 0;
        for (int i = data.length - 8; i < data.length; i++) {
            stored = (stored << 8) | (data[i] & 0xFF);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8));
        try {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(source + ": model file format version " + version + " is not supported (this is "
                        + "version " + VERSION + ")");
            }
            if (stored != crc.getValue()) {
                throw new IOException(source + ": checksum mismatch, the model file is damaged");
            }
            in.readUTF();
            model.readParameters(in, source);
            if (in.available() != 0) {
                throw new IOException(source + ": " + in.available() + " unexpected bytes after the parameters");
            }
        } catch (EOFException e) {
            throw new IOException(source + ": model file ends early (truncated)", e);
        }
    }

    /** The model description stored in a file, without loading it. */
    public static String describe(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a descent model file");
            }
            in.readInt();
            return in.readUTF();
        }
    }
}

package dev.descent.model;

import java.util.List;

import dev.descent.optim.Parameter;

import dev.descent.backend.Tensor;

import dev.descent.backend.Backend;

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

    /**
     * Writes parameter values as {@link Model#writeParameters} does: the count, then each parameter's name, rows,
     * columns and float values (row-major).
     */
    public static void writeValues(DataOutputStream out, Backend backend, List<Parameter> parameters)
            throws IOException {
        out.writeInt(parameters.size());
        for (Parameter p : parameters) {
            Tensor v = p.value();
            out.writeUTF(p.name());
            out.writeInt(v.rows());
            out.writeInt(v.cols());
            float[] data = backend.download(v);
            for (float f : data) {
                out.writeFloat(f);
            }
        }
    }

    /**
     * Reads values written by {@link #writeValues} into {@code parameters}, checking the count and each name and shape
     * first, so that a mismatch leaves every parameter unchanged.
     *
     * @param source names the data in error messages
     * @param model  describes the model in error messages
     */
    public static void readValues(DataInputStream in, String source, Backend backend, List<Parameter> parameters,
            String model) throws IOException {
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new IOException(source + ": holds " + count + " parameters, the " + model + " model has "
                    + parameters.size());
        }
        float[][] values = new float[count][];
        for (int i = 0; i < count; i++) {
            Parameter p = parameters.get(i);
            String name = in.readUTF();
            int rows = in.readInt();
            int cols = in.readInt();
            if (!name.equals(p.name()) || rows != p.value().rows() || cols != p.value().cols()) {
                throw new IOException(source + ": parameter " + (i + 1) + " is '" + name + "' [" + rows + ", " + cols
                        + "], the " + model + " model has '" + p.name() + "' [" + p.value().rows() + ", "
                        + p.value().cols() + "]");
            }
            if (rows < 0 || cols < 0) {
                throw new IOException(source + ": parameter '" + name + "' has a negative dimension");
            }
            float[] data = new float[Math.multiplyExact(rows, cols)];
            for (int j = 0; j < data.length; j++) {
                data[j] = in.readFloat();
            }
            values[i] = data;
        }
        for (int i = 0; i < count; i++) {
            backend.upload(values[i], 0, parameters.get(i).value());
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

package dev.descent.cli.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} format: a zip archive holding one {@code NAME.npy} entry per array, as {@code numpy.savez}
 * writes it and {@code numpy.load} reads it ({@code np.load(path)["W"]}).
 */
public final class Npz {
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final byte[] EMPTY_ZIP_MAGIC = {'P', 'K', 5, 6};

    private Npz() {
    }

    /** Writes the arrays (in map order) atomically. */
    public static void write(Path file, Map<String, Npy.Array> arrays) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, Npy.Array> e : arrays.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setTime(0L);
                zip.putNextEntry(entry);
                Npy.write(zip, e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Reads every array, keyed by its name without the {@code .npy} suffix. The archive's directory (at its end) gives
     * each array's size, which its header must match before anything is read; each array's checksum is verified.
     *
     * @throws IOException naming the file and, where it can tell, the array: "not a .npz file", "truncated or corrupt
     *                     (...)", or what is wrong with an array
     */
    public static Map<String, Npy.Array> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(4);
        }
        if (!Arrays.equals(magic, ZIP_MAGIC) && !Arrays.equals(magic, EMPTY_ZIP_MAGIC)) {
            throw new IOException(file + ": not a .npz file (not a zip archive)");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            // The directory at the end is missing or damaged: most likely the file was cut short.
            throw new IOException(file + ": truncated or corrupt (" + whereBroken(file) + e.getMessage() + ")", e);
        }
        Map<String, Npy.Array> out = new LinkedHashMap<>();
        try (zip) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                String name = e.getName();
                if (!name.endsWith(".npy") || e.isDirectory()) {
                    continue;
                }
                String array = name.substring(0, name.length() - 4);
                try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32())) {
                    Npy.Array a = Npy.read(in, file + ":" + name, e.getSize());
                    in.transferTo(OutputStream.nullOutputStream());
                    if (e.getCrc() != -1 && in.getChecksum().getValue() != e.getCrc()) {
                        throw new ZipException("checksum mismatch");
                    }
                    out.put(array, a);
                } catch (IOException x) {
                    // A damaged archive can make any nonsense of an array's header: say so, rather than what the
                    // nonsense is. An intact entry's own problem (a bad shape, an unknown dtype) is reported as is.
                    String damage = x instanceof ZipException || x instanceof EOFException ? x.getMessage()
                            : damage(zip, e);
                    if (damage == null) {
                        throw x;
                    }
                    throw new IOException(file + ": truncated or corrupt (array '" + array + "': " + damage + ")", x);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": not a .npz file with arrays (no .npy entries)");
        }
        return out;
    }

    /**
     * What is wrong with the compressed bytes of an entry (its checksum, its length, its compression), or null when
     * they are intact. Reads the entry once more, without keeping it.
     */
    private static String damage(ZipFile zip, ZipEntry e) {
        try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32())) {
            long n = in.transferTo(OutputStream.nullOutputStream());
            if (e.getSize() != -1 && n != e.getSize()) {
                return "its data has " + n + " bytes, the archive says " + e.getSize();
            }
            if (e.getCrc() != -1 && in.getChecksum().getValue() != e.getCrc()) {
                return "checksum mismatch";
            }
            return null;
        } catch (IOException x) {
            return x.getMessage();
        }
    }

    /**
     * Where reading the archive from its start breaks off, e.g. {@code "it breaks off in array 'W'; "}, or
     * {@code ""} when that does not tell.
     */
    private static String whereBroken(Path file) {
        String last = null;
        boolean inside = false;
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                last = e.getName();
                inside = true;
                zip.transferTo(OutputStream.nullOutputStream());
                inside = false;
            }
        } catch (IOException | RuntimeException e) {
            // where it stopped is the answer
        }
        if (last == null) {
            return "";
        }
        String what = last.endsWith(".npy") ? "array '" + last.substring(0, last.length() - 4) + "'" : "'" + last + "'";
        return (inside ? "it breaks off in " : "it ends after ") + what + "; ";
    }
}

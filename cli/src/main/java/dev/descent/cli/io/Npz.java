package dev.descent.cli.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} format: a zip archive holding one {@code NAME.npy} entry per array, as {@code numpy.savez}
 * writes it and {@code numpy.load} reads it ({@code np.load(path)["W"]}).
 */
public final class Npz {
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

    /** Reads every array, keyed by its name without the {@code .npy} suffix. */
    public static Map<String, Npy.Array> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
        }
        Map<String, Npy.Array> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    continue;
                }
                out.put(name.substring(0, name.length() - 4), Npy.read(zip, file + ":" + name));
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a valid .npz (zip) file: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": not a .npz file with arrays (no .npy entries)");
        }
        return out;
    }
}

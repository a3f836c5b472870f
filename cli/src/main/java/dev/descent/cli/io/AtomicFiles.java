package dev.descent.cli.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes files atomically: the content goes to a hidden temporary file in the same folder, is flushed to disk, and is
 * then renamed over the final name (the library's {@link dev.descent.model.AtomicFiles} does the writing; this class
 * adds the CLI's text, bytes and PNG helpers). A run that fails or is killed part-way never leaves a half-written file under a
 * final name; at worst a hidden {@code .NAME.descent-*.tmp} file stays behind, which {@link #removeStaleTemporaries} clears.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically with whatever {@code content} produces (temporary file, fsync, rename, folder
     * fsync: the library's {@link dev.descent.model.AtomicFiles#write}). Creates missing parent folders.
     */
    public static void write(Path target, Content content) throws IOException {
        dev.descent.model.AtomicFiles.write(target, content::writeTo);
    }

    /**
     * Starts writing {@code target} atomically, for content produced over a long time or files that should appear
     * together: the library's {@link dev.descent.model.AtomicFiles#open}. Commit it, or close it to discard it.
     */
    public static dev.descent.model.AtomicFiles.Pending open(Path target) throws IOException {
        return dev.descent.model.AtomicFiles.open(target);
    }

    /** Writes a UTF-8 text file atomically. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /** Writes bytes atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Writes a PNG image atomically. The encoder writes through an in-memory cache: {@code ImageIO.write} to a plain
     * stream would cache in a temporary file of its own, which a failed write (a full disk) leaves for a shutdown hook
     * that then fails with a stack trace.
     */
    public static void writePng(Path target, BufferedImage image) throws IOException {
        write(target, out -> {
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                if (!ImageIO.write(image, "png", ios)) {
                    throw new IOException("no PNG writer available to write " + target);
                }
            }
        });
    }

    /**
     * Deletes the hidden temporary files that a killed descent writer left in {@code dir}
     * ({@value dev.descent.model.AtomicFiles#TEMPORARY_GLOB}); other programs' hidden {@code .tmp} files stay.
     */
    public static void removeStaleTemporaries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, dev.descent.model.AtomicFiles.TEMPORARY_GLOB)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean temporary files in " + dir + ": " + e.getMessage(), e);
        }
    }
}

package dev.descent.model;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader sees either the old complete file or the new complete file, never a half-written one,
 * even if the process is killed or the machine loses power: write a temporary file in the same directory, fsync it,
 * rename it over the target, fsync the directory. Used for saved models and training checkpoints.
 */
public final class AtomicFiles {
    /**
     * What names descent's temporary files: {@code .NAME.descent-RANDOM.tmp}. Cleaning up after a killed writer removes
     * only names of this form, never another program's hidden {@code .tmp} files.
     */
    public static final String TEMPORARY_GLOB = ".*.descent-*.tmp";

    private AtomicFiles() {
    }

    /** Produces the file's contents. */
    @FunctionalInterface
    public interface Contents {
        /** Writes the complete contents to {@code out} (buffered; the caller flushes and syncs). */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} atomically with what {@code contents} writes. On failure the target is unchanged and the
     * temporary file is removed; the {@link IOException} names {@code target} ({@code "cannot write out/model.npz: No
     * space left on device"}), unless its message already does.
     */
    public static void write(Path target, Contents contents) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = null;
        Throwable failure = null;
        try {
            tmp = createTemporary(dir, abs.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                contents.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(abs + ": the file system cannot rename atomically (" + e.getMessage() + ")", e);
            }
            syncDirectory(dir);
        } catch (IOException e) {
            IOException named = naming(target, abs, tmp, e);
            failure = named;
            throw named;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            if (failure != null && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException again) {
                    failure.addSuppressed(again);
                }
            }
        }
    }

    /**
     * {@code e} as an exception whose message names the file being written, {@code "cannot write TARGET: reason"}, or
     * {@code e} itself when its message names the target already.
     */
    static IOException naming(Path target, Path abs, Path tmp, IOException e) {
        String m = e.getMessage();
        if (!(e instanceof FileSystemException) && m != null
                && (m.contains(abs.toString()) || target.getNameCount() > 1 && m.contains(target.toString()))) {
            return e;
        }
        String reason = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        if (e instanceof FileSystemException f) {
            // Its message starts with a file name: the temporary's, or the target's. Keep the reason only.
            reason = f.getReason() != null ? f.getReason() : switch (f) {
                case AccessDeniedException x -> "permission denied";
                case NoSuchFileException x -> "no such file or folder";
                case FileAlreadyExistsException x -> "file already exists";
                default -> f.getClass().getSimpleName();
            };
            String file = f.getFile();
            boolean ours = file == null || file.equals(abs.toString()) || file.equals(target.toString())
                    || file.equals(String.valueOf(tmp)) || isTemporaryOf(file, abs);
            if (!ours) {
                reason += " (" + file + ")";
            } else if (f instanceof AccessDeniedException) {
                reason += " (in the folder " + dir(target) + ")";
            }
        }
        if (e.getCause() instanceof IOException c && c.getMessage() != null && !reason.contains(c.getMessage())) {
            reason += " (" + c.getMessage() + ")"; // e.g. "I/O error writing PNG file! (No space left on device)"
        }
        return new IOException("cannot write " + target + ": " + reason, e);
    }

    /** Whether {@code file} is a temporary of {@code target}'s ({@code .NAME.descent-RANDOM.tmp} beside it). */
    private static boolean isTemporaryOf(String file, Path target) {
        String name = file.substring(file.lastIndexOf(target.getFileSystem().getSeparator()) + 1);
        return name.startsWith("." + target.getFileName() + ".descent-") && name.endsWith(".tmp");
    }

    private static Path dir(Path target) {
        Path parent = target.getParent();
        return parent != null ? parent : target.toAbsolutePath().getParent();
    }

    /**
     * A new, empty temporary file {@code .NAME.descent-RANDOM.tmp} in {@code dir}, created with the permissions the
     * process's umask gives any new file, so that the renamed result has them too ({@code Files.createTempFile} would
     * make it readable by its owner only).
     */
    static Path createTemporary(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path tmp = dir.resolve("." + name + ".descent-" + random + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** Flushes a directory's entries to disk (where the platform allows opening a directory; otherwise a no-op). */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory (Windows); the rename itself is still atomic.
        }
    }
}

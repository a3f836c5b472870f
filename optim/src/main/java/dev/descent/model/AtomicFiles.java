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
        try (Pending p = open(target)) {
            contents.writeTo(p.out());
            p.commit();
        } catch (IOException e) {
            throw naming(target, target.toAbsolutePath(), null, e);
        }
    }

    /**
     * Starts writing {@code target} atomically: the content goes to a temporary file in its folder (created, with
     * missing parent folders, now) until {@link Pending#commit()} renames it over the target. Closing it without a
     * commit removes the temporary file and leaves the target as it was. For content produced over a long time (a
     * file streamed while a computation runs), or several files that should appear only once all are complete.
     */
    public static Pending open(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemporary(dir, abs.getFileName().toString());
        try {
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new Pending(abs, tmp, ch);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** A file being written under a temporary name; see {@link #open}. */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private final OutputStream out;
        private boolean committed;
        private boolean closed;

        private Pending(Path target, Path tmp, FileChannel channel) {
            this.target = target;
            this.tmp = tmp;
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        /** The file it will become. */
        public Path target() {
            return target;
        }

        /** Where the content goes (buffered; do not close it: {@link #commit} and {@link #close} do). */
        public OutputStream out() {
            if (closed) {
                throw new IllegalStateException(target + ": already " + (committed ? "committed" : "closed"));
            }
            return out;
        }

        /** Flushes and syncs the content, then renames it over the target (and syncs the folder). */
        public void commit() throws IOException {
            if (closed) {
                throw new IllegalStateException(target + ": already " + (committed ? "committed" : "closed"));
            }
            out.flush();
            channel.force(true);
            closed = true;
            out.close();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(tmp);
                throw new IOException(target + ": the file system cannot rename atomically (" + e.getMessage() + ")",
                        e);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            committed = true;
            syncDirectory(target.getParent());
        }

        /** Without a commit: discards the content and removes the temporary file. After a commit: nothing. */
        @Override
        public void close() throws IOException {
            if (committed) {
                return;
            }
            try {
                if (!closed) {
                    closed = true;
                    out.close();
                }
            } catch (IOException e) {
                // the content is being discarded: a failing flush does not matter
            } finally {
                Files.deleteIfExists(tmp);
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

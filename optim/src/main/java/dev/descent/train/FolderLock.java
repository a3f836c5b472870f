package dev.descent.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * An exclusive hold on a folder, so that two runs never write into the same one: an operating-system lock on the file
 * {@value #FILE_NAME} in it, which records the holder's process id, command and start time for the message another
 * run gets. The lock goes with the process (a run killed with SIGKILL holds nothing); the file itself stays, since
 * deleting a lock file lets a waiting process lock an orphaned copy.
 *
 * <pre>{@code
 * try (FolderLock lock = FolderLock.acquire(dir, "train")) {
 *     ... write into dir ...
 * }
 * }</pre>
 */
public final class FolderLock implements AutoCloseable {
    /** The lock file's name inside the locked folder. */
    public static final String FILE_NAME = ".descent.lock";

    private final Path folder;
    private final FileChannel channel;
    private final FileLock lock;

    private FolderLock(Path folder, FileChannel channel, FileLock lock) {
        this.folder = folder;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another process (or another run in this one) holds the folder. */
    public static final class HeldException extends IOException {
        private final String holder;

        HeldException(Path folder, String holder) {
            super(folder + " is in use by another descent run (" + holder + "); wait for it to end or use another "
                    + "folder");
            this.holder = holder;
        }

        /** Who holds it, as recorded in the lock file ("pid 1234, train, since ..."), or "unknown". */
        public String holder() {
            return holder;
        }
    }

    /**
     * Creates {@code folder} if needed and takes its lock without waiting.
     *
     * @param command what holds it, for the message another run gets ("train")
     * @throws HeldException when another run holds it; its message names the folder and the holder's process id
     * @throws IOException   when the folder or the lock file cannot be made
     */
    public static FolderLock acquire(Path folder, String command) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(FILE_NAME);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        } catch (IOException e) {
            ch.close();
            throw new IOException(file + ": cannot lock (" + e.getMessage() + ")", e);
        }
        if (lock == null) {
            String holder = describe(ch);
            ch.close();
            throw new HeldException(folder, holder);
        }
        try {
            String text = "pid=" + ProcessHandle.current().pid() + "\ncommand=" + command + "\nsince="
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return new FolderLock(folder, ch, lock);
    }

    private static String describe(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            String pid = field(text, "pid");
            String command = field(text, "command");
            String since = field(text, "since");
            if (pid == null) {
                return "holder unknown";
            }
            return "pid " + pid + (command != null ? ", " + command : "") + (since != null ? ", since " + since : "");
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static String field(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key + "=")) {
                String v = line.substring(key.length() + 1).strip();
                // Only what a lock file of ours holds: digits, letters, and the characters of an ISO time.
                return v.matches("[A-Za-z0-9:.\\-]{1,40}") ? v : null;
            }
        }
        return null;
    }

    /** The locked folder. */
    public Path folder() {
        return folder;
    }

    /** Releases the lock; the file stays. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}

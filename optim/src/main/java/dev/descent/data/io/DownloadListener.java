package dev.descent.data.io;

/**
 * Receives a download's progress; the command line draws it as a progress bar. Calls come from the downloading
 * thread: first {@code progress(file, 0, total)} once the response starts, then as bytes arrive (at most every 64 KiB),
 * and a last one with {@code bytes == total} on success.
 */
@FunctionalInterface
public interface DownloadListener {
    /** Ignores progress. */
    DownloadListener NONE = (file, bytes, total) -> {
    };

    /**
     * Bytes arrived (or the transfer starts, with {@code bytes == 0}).
     *
     * @param file  the file being fetched
     * @param bytes bytes received so far
     * @param total the expected size, or -1 when neither the server nor the catalogue says
     */
    void progress(RemoteFile file, long bytes, long total);

    /** Called once a cached copy is found valid and reused (no download). */
    default void reused(RemoteFile file, java.nio.file.Path cached) {
    }

    /**
     * Called before a cached copy that does not verify is downloaded again (it is replaced only once the new copy
     * verifies).
     *
     * @param problem what is wrong with it: "fails its checksum: it has MD5 …, expected …", "has the wrong size: it
     *                has … bytes, expected …" or "is empty"
     */
    default void replacing(RemoteFile file, java.nio.file.Path cached, String problem) {
    }
}

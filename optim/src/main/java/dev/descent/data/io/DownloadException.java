package dev.descent.data.io;

import java.io.IOException;

/**
 * A download that failed or did not verify. The message is one line saying what was fetched, what went wrong and how
 * to use local files instead.
 */
public final class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a message and the low-level cause (may be null). */
    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}

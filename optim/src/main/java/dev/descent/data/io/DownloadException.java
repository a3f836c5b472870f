package dev.descent.data.io;

import java.io.IOException;

/**
 * A download that failed or did not verify. The message is one line saying what was fetched, what went wrong and how
 * to use local files instead.
 */
public final class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The address and what went wrong, without the advice; the message when not given. */
    private final String reason;

    /** With a message and the low-level cause (may be null). */
    public DownloadException(String message, Throwable cause) {
        this(message, message, cause);
    }

    /**
     * With a message, the short reason within it ({@code <url>: HTTP 404 Not Found}) and the low-level cause (may be
     * null).
     */
    public DownloadException(String message, String reason, Throwable cause) {
        super(message, cause);
        this.reason = reason == null ? message : reason;
    }

    /** The address and what went wrong ({@code <url>: connection refused or network unreachable}), without advice. */
    public String reason() {
        return reason;
    }
}

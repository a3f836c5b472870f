package dev.descent.backend;

/** A failure inside a backend (a native call that failed, out of memory). The message names the operation. */
public class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}

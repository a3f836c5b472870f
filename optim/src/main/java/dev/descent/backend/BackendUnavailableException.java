package dev.descent.backend;

/** Thrown when an explicitly requested backend cannot be used here; the message says why. */
public class BackendUnavailableException extends BackendException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}

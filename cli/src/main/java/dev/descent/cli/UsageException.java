package dev.descent.cli;

/** Bad input found by a command (a value out of range, options that conflict): exit status 2 and one line. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}

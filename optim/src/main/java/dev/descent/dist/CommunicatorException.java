package dev.descent.dist;

/** A collective failed (a rank died, the MPI library reported an error). */
public class CommunicatorException extends RuntimeException {
    public CommunicatorException(String message) {
        super(message);
    }

    public CommunicatorException(String message, Throwable cause) {
        super(message, cause);
    }
}

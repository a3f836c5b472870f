package dev.descent.cli;

/** The exit statuses of {@code descent}; scripts rely on them. */
public final class ExitCodes {
    /** Success (also a Rosenbrock or compare run in which an optimizer diverged: that is a result). */
    public static final int OK = 0;
    /** An unexpected failure (a bug, a backend that failed mid-run). */
    public static final int FAILURE = 1;
    /** A usage error or bad input: unknown option, bad value, missing or malformed file. */
    public static final int USAGE = 2;
    /** A {@code train} run whose loss diverged; its outputs up to that point are written. */
    public static final int DIVERGED = 3;
    /** Interrupted by Ctrl-C or SIGTERM (after writing a checkpoint when one was asked for). */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}

package dev.descent.mpi;

import dev.descent.dist.Communicator;

import java.io.PrintStream;

/**
 * Keeps a failing rank from leaving the others hanging in a collective. A program's main runs its body through
 * {@link #guard}: an exception that escapes the body, or that ends any other thread while the body runs, prints one
 * line to standard error and calls {@link Communicator#abort(int)}, which under MPI is {@code MPI_Abort}: Open MPI's
 * launcher then kills every rank and exits non-zero. With the single-process communicator the process just exits.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     try (Communicator comm = Communicators.detect()) {
 *         int code = MpiRun.guard(comm, c -> train(c, args));
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The line reads {@code descent: rank 1 of 2 failed: IllegalStateException: <message>; aborting all 2 ranks}.
 * Set {@code -Ddescent.stacktrace=true} to print the stack trace as well.
 */
public final class MpiRun {
    /** The exit code of a job aborted because of an exception. */
    public static final int FAILURE_CODE = 1;

    private MpiRun() {
    }

    /** A program body run on every rank. */
    @FunctionalInterface
    public interface Body {
        /** Runs with the communicator and returns the exit code. */
        int run(Communicator comm) throws Exception;
    }

    /**
     * Runs {@code body}; on an exception (in the body, or uncaught in another thread meanwhile) prints one line and
     * aborts the whole job with {@link #FAILURE_CODE}. Returns the body's exit code otherwise. The communicator stays
     * open: the caller closes it.
     */
    public static int guard(Communicator comm, Body body) {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, t) -> fail(comm, t, thread));
        try {
            return body.run(comm);
        } catch (Throwable t) {
            fail(comm, t, Thread.currentThread());
            throw new AssertionError("abort returned");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /** Prints the one-line failure and aborts the job; does not return. */
    public static void fail(Communicator comm, Throwable t, Thread thread) {
        PrintStream err = System.err;
        err.println(failureLine(comm, t, thread));
        if (Boolean.getBoolean("descent.stacktrace")) {
            t.printStackTrace(err);
        }
        err.flush();
        comm.abort(FAILURE_CODE);
    }

    static String failureLine(Communicator comm, Throwable t, Thread thread) {
        String where = comm.size() > 1 ? "rank " + comm.rank() + " of " + comm.size() : "single process";
        String inThread = thread == null || "main".equals(thread.getName()) ? "" : " (thread " + thread.getName() + ")";
        String message = t.getMessage() == null ? "" : ": " + t.getMessage().replace('\n', ' ');
        String then = comm.size() > 1 ? "; aborting all " + comm.size() + " ranks" : "";
        return "descent: " + where + " failed" + inThread + ": " + t.getClass().getSimpleName() + message + then;
    }
}

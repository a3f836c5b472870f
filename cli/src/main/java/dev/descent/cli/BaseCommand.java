package dev.descent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: {@code --quiet}, {@code --verbose}, {@code --help}, and its output writers. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    /** Standard output (results, {@code --json}). */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Standard error (progress, notes, errors). */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A note on standard error unless {@code --quiet}. */
    void note(String line) {
        if (!common.quiet) {
            err().println(line);
            err().flush();
        }
    }

    @Override
    public final Integer call() throws Exception {
        try {
            Path dir = outputFolder();
            if (dir == null) {
                return run();
            }
            try (OutputFolder held = OutputFolder.claim(dir, spec.name())) {
                return run();
            }
        } finally {
            out().flush();
            err().flush();
        }
    }

    /**
     * The folder this command writes into, held ({@link OutputFolder}) for as long as it runs; null when it writes
     * none, or takes its folder itself (train, which holds it on MPI rank 0 only).
     */
    Path outputFolder() {
        return null;
    }

    /** Runs the command; returns its exit status. */
    abstract int run() throws Exception;

    /**
     * Called before a failure is reported; returns a prefix for the message (an MPI rank other than 0 waits a moment
     * first, so that a failure every rank shares is reported once, by rank 0, whose abort ends the others).
     */
    String beforeErrorReport() {
        return "";
    }

    /** Called after a failure was reported (MPI runs abort the job here). */
    void onFailure(int exitCode) {
    }

    /** Throws a usage error (exit 2) naming the option. */
    static UsageException usage(String message) {
        return new UsageException(message);
    }
}

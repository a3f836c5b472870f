package dev.descent.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Entry point of the {@code descent} command line. {@link #commandLine()} builds the configured Picocli command (tests
 * call {@code execute} on it with their own output writers); {@link #main} runs it and exits with its status.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Interrupts.install();
        int status;
        try {
            status = commandLine().execute(args);
        } catch (Throwable t) {
            // Errors (a missing class, out of memory) are not Exceptions: Picocli's handler does not see them.
            System.err.println("descent: error: " + Failures.message(t)
                    + (Arrays.asList(args).contains("--verbose") ? "" : " (run with --verbose for details)"));
            if (Arrays.asList(args).contains("--verbose")) {
                t.printStackTrace();
            }
            status = t instanceof OutOfMemoryError ? ExitCodes.FAILURE : Failures.exitCode(t);
        }
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** The {@code descent} command with its subcommands, exit codes and error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DescentCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setUsageHelpLongOptionsMaxWidth(32);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setParameterExceptionHandler(Main::handleParseError);
        cl.setExecutionExceptionHandler(Main::handleExecutionError);
        cl.setExitCodeExceptionMapper(Failures::exitCode);
        cl.registerConverter(java.nio.file.Path.class, new Converters.PathValue());
        OptimizerHelp.install(cl);
        return cl;
    }

    private static int handleParseError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String sub = cl.getParent() == null ? "" : cl.getCommandName() + " ";
        err.println("descent " + commandPath(cl) + "error: " + Failures.oneLine(ex.getMessage())
                + " (see '" + launcherName() + " " + sub + "--help')");
        if (Arrays.asList(args).contains("--verbose")) {
            err.print(Failures.stackTrace(ex));
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int handleExecutionError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = cl.getCommand() instanceof BaseCommand b && b.common.verbose;
        int code = Failures.exitCode(ex);
        String hint = code == ExitCodes.USAGE || verbose ? "" : " (run with --verbose for details)";
        String where = cl.getCommand() instanceof BaseCommand b ? b.beforeErrorReport() : "";
        err.println("descent " + commandPath(cl) + "error: " + where + Failures.message(ex) + hint);
        if (verbose) {
            err.print(Failures.stackTrace(ex));
        }
        err.flush();
        if (cl.getCommand() instanceof BaseCommand b) {
            b.onFailure(code);
        }
        return code;
    }

    /** "train " for a subcommand, "" for the top command. */
    private static String commandPath(CommandLine cl) {
        String name = cl.getCommandName();
        return cl.getParent() == null ? "" : name + ": ";
    }

    static String launcherName() {
        return System.getProperty("descent.command", "descent");
    }
}

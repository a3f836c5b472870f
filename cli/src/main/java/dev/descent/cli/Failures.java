package dev.descent.cli;

import dev.descent.backend.BackendUnavailableException;
import dev.descent.data.SafeText;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * Turns an exception into descent's exit status and one line on standard error: usage errors and bad input give 2,
 * anything else 1. The stack trace is printed only with {@code --verbose}.
 */
final class Failures {
    private Failures() {
    }

    /** Whether the failure is the user's input (exit 2) rather than a fault of descent (exit 1). */
    static boolean isBadInput(Throwable t) {
        Throwable c = unwrap(t);
        return c instanceof CommandLine.ParameterException
                || c instanceof UsageException
                || c instanceof IllegalArgumentException
                || c instanceof IOException
                || c instanceof UncheckedIOException
                || c instanceof BackendUnavailableException;
    }

    static int exitCode(Throwable t) {
        if (unwrap(t) instanceof DemoCommand.DemoFailed d) {
            return d.code;
        }
        return isBadInput(t) ? ExitCodes.USAGE : ExitCodes.FAILURE;
    }

    /** One line saying what is wrong. */
    static String message(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof UncheckedIOException u && u.getCause() != null) {
            c = u.getCause();
        }
        String m = c.getMessage();
        String text = switch (c) {
            case NoSuchFileException e -> "no such file: " + e.getFile()
                    + (e.getReason() != null && !e.getReason().equals("no such file") ? " (" + e.getReason() + ")"
                            : "");
            case AccessDeniedException e -> "permission denied: " + e.getFile();
            case FileAlreadyExistsException e -> "file already exists: " + e.getFile();
            case NotDirectoryException e -> "not a directory: " + e.getFile();
            case FileNotFoundException e -> "cannot open " + m;
            case InvalidPathException e -> invalidPath(e);
            default -> {
                if (m == null || m.isBlank()) {
                    yield c.getClass().getSimpleName();
                }
                boolean known = isBadInput(c) || c instanceof IllegalStateException;
                if (c instanceof OutOfMemoryError) {
                    yield "out of memory (" + m + "); give the JVM more, e.g. DESCENT_JAVA_OPTS=-Xmx16g";
                }
                yield known ? m : c.getClass().getSimpleName() + ": " + m;
            }
        };
        return oneLine(text);
    }

    /**
     * What is wrong with a path that cannot name a file. A name the locale's character set cannot encode (a non-ASCII
     * name under {@code LC_ALL=C}, where the JVM encodes file names in ASCII) says so, with the locale in effect.
     */
    static String invalidPath(InvalidPathException e) {
        String reason = e.getReason() == null ? "" : e.getReason();
        if (reason.startsWith("Malformed input or input contains unmappable characters")) {
            return "the path '" + e.getInput() + "' cannot be encoded in the current locale (" + localeInEffect()
                    + ", file names in " + System.getProperty("sun.jnu.encoding", "an unknown encoding")
                    + "); run descent under a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
        }
        return "invalid path '" + e.getInput() + "': " + reason;
    }

    /** The variable that sets the locale's character set, e.g. "LC_ALL=C", or that none is set. */
    static String localeInEffect() {
        for (String v : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String s = System.getenv(v);
            if (s != null && !s.isEmpty()) {
                return v + "=" + s;
            }
        }
        return "no LC_ALL, LC_CTYPE or LANG set";
    }

    /**
     * The message on one line, with every other character a terminal would act on escaped: a message may quote a
     * data file (a CSV header, a name in model.json), and such text must not drive the user's terminal.
     */
    static String oneLine(String s) {
        return SafeText.escape(s.replace("\r\n", "; ").replace('\n', ' ').replace('\r', ' ').strip());
    }

    static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CommandLine.ExecutionException || c instanceof java.lang.reflect.InvocationTargetException
                || c instanceof java.util.concurrent.ExecutionException
                || c instanceof java.util.concurrent.CompletionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}

package dev.descent.data;

import java.io.IOException;

/**
 * Input data that cannot be loaded: a malformed CSV line, a bad IDX header, a truncated or corrupt gzip stream, a label
 * out of range. The message is one line naming the file, the place (line, record or byte) and what is wrong, for
 * example {@code sign_mnist_train.csv line 17: expected 785 columns, found 784}; a command-line tool can print it as
 * it is, without a stack trace. Text quoted from the file is shown escaped and shortened ({@link SafeText}).
 *
 * <p>It is an {@link IOException} because it is raised while reading input; callers that read files already handle
 * those.
 */
public final class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String location;
    private final String problem;

    /**
     * An error about {@code source} at {@code location}; the message is {@code "<source> <location>: <problem>"}.
     *
     * @param source   the file (or stream name) being read
     * @param location where in it, such as {@code line 17} or {@code record 3}; null when the problem concerns the
     *                 whole file
     * @param problem  what is wrong
     */
    public DataFormatException(String source, String location, String problem) {
        this(source, location, problem, null);
    }

    /** As {@link #DataFormatException(String, String, String)}, keeping the low-level cause. */
    public DataFormatException(String source, String location, String problem, Throwable cause) {
        super(format(source, location, problem), cause);
        this.source = source;
        this.location = location;
        this.problem = problem;
    }

    /** A problem on line {@code line} (counted from 1) of a text file. */
    public static DataFormatException atLine(String source, long line, String problem) {
        return new DataFormatException(source, "line " + line, problem);
    }

    private static String format(String source, String location, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(source == null ? "<input>" : source);
        if (location != null && !location.isEmpty()) {
            sb.append(' ').append(location);
        }
        sb.append(": ").append(problem);
        // one line, whatever the parts hold, and nothing a terminal would act on (the parts may quote the file)
        for (int i = 0; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (c == '\n' || c == '\r') {
                sb.setCharAt(i, ' ');
            }
        }
        return SafeText.escape(sb.toString());
    }

    /** The file or stream name. */
    public String source() {
        return source;
    }

    /** The place within the source ({@code line 17}, {@code record 3}), or null. */
    public String location() {
        return location;
    }

    /** What is wrong, without the source and location. */
    public String problem() {
        return problem;
    }
}

package dev.descent.data;

/**
 * Makes text read from a data file safe to print in a message: a CSV header name, a cell, a name in a model file.
 * Such text is untrusted: printed as it is, a header cell holding {@code ESC [ 2 J} clears the user's terminal, a
 * right-to-left override reorders the rest of the line, a newline forges a second message, and a megabyte-long cell
 * buries the message itself.
 *
 * <p>{@link #escape} replaces each character that a terminal would act on, or that would not show, by an escape
 * naming it: tab, line feed and carriage return by {@code \t}, {@code \n}, {@code \r}; the other C0 controls, DEL
 * and the C1 controls by {@code \xHH}; the invisible format characters (the bidirectional embeddings, overrides and
 * isolates, the directional marks, zero-width characters, the byte-order mark), the line and paragraph separators and
 * unpaired surrogates by <code>&#92;uHHHH</code> (<code>&#92;u{HHHHH}</code> beyond the Basic Multilingual Plane).
 * Everything else, accented letters and CJK included, is kept. A backslash is kept as it is: the escapes are for
 * reading, not for parsing back. {@link #of} also shortens the text to a bounded length, marking the cut with an
 * ellipsis.
 */
public final class SafeText {
    /** How many characters (code points) of a value {@link #of(String)} keeps. */
    public static final int DEFAULT_LIMIT = 40;

    private SafeText() {
    }

    /** {@code text} escaped ({@link #escape}) and cut after {@value #DEFAULT_LIMIT} characters. */
    public static String of(String text) {
        return of(text, DEFAULT_LIMIT);
    }

    /**
     * {@code text} escaped and, when it has more than {@code limit} characters (code points), cut after {@code limit}
     * of them with {@code …} appended. An escape counts as the one character it stands for.
     *
     * @param text  the untrusted text; null gives {@code null}
     * @param limit at least 1
     */
    public static String of(String text, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), limit) + 8);
        int kept = 0;
        int i = 0;
        while (i < text.length() && kept < limit) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            append(sb, cp);
            kept++;
        }
        if (i < text.length()) {
            sb.append('…');
        }
        return sb.toString();
    }

    /** {@code text} with every unsafe character escaped, at its full length (for a whole message). */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (isUnsafe(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == text.length()) {
            return text; // the common case: nothing to escape
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            append(sb, cp);
        }
        return sb.toString();
    }

    /** Whether the code point is one that {@link #escape} replaces. */
    public static boolean isUnsafe(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE -> true;
            default -> false;
        };
    }

    private static void append(StringBuilder sb, int cp) {
        if (!isUnsafe(cp)) {
            sb.appendCodePoint(cp);
            return;
        }
        switch (cp) {
            case '\t' -> sb.append("\\t");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            default -> {
                if (cp <= 0xff) {
                    sb.append("\\x").append(hex(cp, 2));
                } else if (cp <= 0xffff) {
                    sb.append("\\u").append(hex(cp, 4));
                } else {
                    sb.append("\\u{").append(Integer.toHexString(cp)).append('}');
                }
            }
        }
    }

    private static String hex(int v, int digits) {
        String h = Integer.toHexString(v);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }
}

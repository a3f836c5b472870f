package dev.descent.cli.io;

import dev.descent.data.SafeText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small JSON writer and reader for descent's own files (summaries, model descriptions).
 *
 * <p>Writing maps {@link Map} to objects (in iteration order: use {@link LinkedHashMap}), {@link Collection} and arrays
 * to arrays, {@link CharSequence}/enums/other objects to strings, {@link Number}/{@link Boolean}/null as themselves.
 * JSON has no NaN or infinity: a non-finite number is written as {@code null}; callers that need to say which write
 * the text ("NaN", "Infinity") in a separate string field. Floats are written with their shortest round-trip form.
 *
 * <p>Reading returns {@link LinkedHashMap}, {@link ArrayList}, {@link String}, {@link Double}, {@link Boolean} or null.
 */
public final class Json {
    private Json() {
    }

    /** Pretty-printed JSON (two-space indent) with a trailing newline. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        sb.append('\n');
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b);
            case Float f -> number(sb, f.isNaN() || f.isInfinite() ? null : Float.toString(f), f);
            case Double d -> number(sb, d.isNaN() || d.isInfinite() ? null : Double.toString(d), d);
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    pad(sb, indent + 1);
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), indent + 1);
                    sb.append(++i < m.size() ? ",\n" : "\n");
                }
                pad(sb, indent);
                sb.append('}');
            }
            case Collection<?> c -> array(sb, new ArrayList<>(c), indent);
            case int[] a -> {
                List<Object> l = new ArrayList<>();
                for (int x : a) {
                    l.add(x);
                }
                array(sb, l, indent);
            }
            case long[] a -> {
                List<Object> l = new ArrayList<>();
                for (long x : a) {
                    l.add(x);
                }
                array(sb, l, indent);
            }
            case double[] a -> {
                List<Object> l = new ArrayList<>();
                for (double x : a) {
                    l.add(x);
                }
                array(sb, l, indent);
            }
            case float[] a -> {
                List<Object> l = new ArrayList<>();
                for (float x : a) {
                    l.add(x);
                }
                array(sb, l, indent);
            }
            case Object[] a -> array(sb, List.of(a), indent);
            default -> string(sb, v.toString());
        }
    }

    private static void number(StringBuilder sb, String text, Number n) {
        if (text == null) {
            sb.append("null");
            return;
        }
        // Whole numbers print without the ".0" Java adds, so that 200.0 reads as 200; exponents stay.
        if (text.endsWith(".0") && Math.abs(n.doubleValue()) < 1e15) {
            text = text.substring(0, text.length() - 2);
        }
        sb.append(text);
    }

    private static void array(StringBuilder sb, List<?> items, int indent) {
        if (items.isEmpty()) {
            sb.append("[]");
            return;
        }
        boolean flat = true;
        for (Object o : items) {
            if (o instanceof Map<?, ?> || o instanceof Collection<?> || o != null && o.getClass().isArray()) {
                flat = false;
                break;
            }
        }
        if (flat) {
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                write(sb, items.get(i), indent);
            }
            sb.append(']');
            return;
        }
        sb.append("[\n");
        for (int i = 0; i < items.size(); i++) {
            pad(sb, indent + 1);
            write(sb, items.get(i), indent + 1);
            sb.append(i + 1 < items.size() ? ",\n" : "\n");
        }
        pad(sb, indent);
        sb.append(']');
    }

    private static void pad(StringBuilder sb, int indent) {
        sb.append("  ".repeat(indent));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ------------------------------------------------------------------ reading

    /**
     * Parses JSON text.
     *
     * @throws IllegalArgumentException naming the character offset and what was expected
     */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return v;
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return (Map<String, Object>) v;
    }

    /**
     * Reads a JSON object from a UTF-8 file.
     *
     * @throws IOException naming the file: when it cannot be read, is not UTF-8 text (with the offset of the first bad
     *                     byte), is not JSON (with the line and column), or holds something other than an object
     */
    public static Map<String, Object> readObject(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult r = utf8.decode(in, text, true);
        if (!r.isError()) {
            r = utf8.flush(text);
        }
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new IOException(file + ": not a JSON file: not UTF-8 text (byte " + String.format(Locale.ROOT,
                    "0x%02X", bytes[Math.min(at, bytes.length - 1)] & 0xff) + " at offset " + at + ", line " + line
                    + ")");
        }
        try {
            return parseObject(text.flip().toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static final class Parser {
        /** The deepest arrays and objects may nest: the parser recurses once per level. */
        private static final int MAX_DEPTH = 256;

        private final String s;
        private int pos;
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new IllegalArgumentException("invalid JSON at line " + line + ", column " + col + ": " + what);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        Object value() {
            if (pos >= s.length()) {
                throw error("unexpected end of input");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + SafeText.escape(String.valueOf(c)) + "'");
                }
            };
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return v;
        }

        private Double number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            try {
                return Double.valueOf(s.substring(start, pos));
            } catch (NumberFormatException e) {
                pos = start;
                throw error("bad number");
            }
        }

        private String string() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> throw error("bad escape \\" + SafeText.escape(String.valueOf(e)));
                }
            }
        }

        /** Counts a level of nesting, refusing one too deep (before the recursion would overflow the stack). */
        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw error("arrays and objects nested more than " + MAX_DEPTH + " deep");
            }
        }

        private List<Object> array() {
            enter();
            pos++;
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                depth--;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value());
                skipSpace();
                if (pos >= s.length()) {
                    throw error("unterminated array");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    depth--;
                    return list;
                }
                if (c != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private Map<String, Object> object() {
            enter();
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                depth--;
                return map;
            }
            while (true) {
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("expected a string key");
                }
                String key = string();
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("expected ':'");
                }
                pos++;
                skipSpace();
                map.put(key, value());
                skipSpace();
                if (pos >= s.length()) {
                    throw error("unterminated object");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    depth--;
                    return map;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }
    }
}

package dev.descent.loss;

import dev.descent.data.SafeText;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the text form of a {@link LossSpec}: {@code name} or {@code name(key=value, ...)}, a value being a number or
 * a list of numbers in brackets ({@code weight=[1, 2.5, 1]}). Names and keys ignore case, and {@code -} and {@code _}
 * are the same in them, as in a schedule's text.
 */
final class LossParser {
    /** Texts longer than this are shortened in error messages. */
    private static final int QUOTED_MAX = 100;
    /** The most class weights a text may list. */
    static final int MAX_WEIGHTS = 1 << 20;

    private final String text;
    private int pos;

    private LossParser(String text) {
        this.text = text;
    }

    static LossSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("loss: empty text; known: " + LossSpec.NAMES);
        }
        LossParser p = new LossParser(text);
        LossSpec s = p.spec();
        p.skipSpaces();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + SafeText.of(text.substring(p.pos)) + "' after the loss");
        }
        return s;
    }

    private LossSpec spec() {
        skipSpaces();
        int start = pos;
        String name = word();
        if (name.isEmpty()) {
            throw error("expected a loss name at position " + (start + 1));
        }
        Map<String, String> args = new LinkedHashMap<>();
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '(') {
            pos++;
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ')') {
                pos++;
            } else {
                while (true) {
                    skipSpaces();
                    String key = word();
                    skipSpaces();
                    if (key.isEmpty() || pos >= text.length() || text.charAt(pos) != '=') {
                        throw error("expected key=value at position " + (pos + 1));
                    }
                    pos++;
                    skipSpaces();
                    String value = value();
                    if (key.equals("weights")) {
                        key = "weight";
                    }
                    if (args.put(key, value) != null) {
                        throw error("setting " + key + " given twice");
                    }
                    skipSpaces();
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                    } else if (pos < text.length() && text.charAt(pos) == ')') {
                        pos++;
                        break;
                    } else if (pos >= text.length()) {
                        throw error("unexpected end, expected ',' or ')'");
                    } else {
                        throw error("expected ',' or ')' at position " + (pos + 1));
                    }
                }
            }
        }
        try {
            return build(name, args);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("loss ")) {
                throw e;
            }
            throw error(e.getMessage());
        }
    }

    private LossSpec build(String name, Map<String, String> a) {
        return switch (name) {
            case "ce", "cross_entropy", "crossentropy", "softmax_cross_entropy", "crossentropyloss" -> {
                known("ce", a, Set.of("label_smoothing", "weight"));
                yield LossSpec.crossEntropy(number("ce", a, "label_smoothing", 0.0), weights("ce", a));
            }
            case "nll", "nllloss", "negative_log_likelihood" -> {
                known("nll", a, Set.of("weight"));
                yield LossSpec.nll(weights("nll", a));
            }
            case "huber", "huberloss" -> {
                known("huber", a, Set.of("delta"));
                yield LossSpec.huber(number("huber", a, "delta", 1.0));
            }
            case "smooth_l1", "smoothl1", "smoothl1loss" -> {
                known("smooth-l1", a, Set.of("beta"));
                yield LossSpec.smoothL1(number("smooth-l1", a, "beta", 1.0));
            }
            default -> {
                Loss fused;
                try {
                    fused = Loss.fromName(name);
                } catch (IllegalArgumentException e) {
                    throw error("unknown loss '" + SafeText.of(name.replace('_', '-')) + "'; known: "
                            + LossSpec.NAMES);
                }
                known(fused.shortName(), a, Set.of());
                yield fused;
            }
        };
    }

    private void known(String name, Map<String, String> a, Set<String> keys) {
        for (String k : a.keySet()) {
            if (!keys.contains(k)) {
                throw error(name + ": unknown setting '" + SafeText.of(k) + "'"
                        + (keys.isEmpty() ? " (it takes none)" : "; known: " + String.join(", ", new TreeSet<>(keys))));
            }
        }
    }

    private double number(String name, Map<String, String> a, String key, double dflt) {
        String v = a.get(key);
        if (v == null) {
            return dflt;
        }
        if (v.startsWith("[")) {
            throw error(name + ": " + key + " must be a number, not a list");
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw error(name + ": " + key + " '" + SafeText.of(v) + "' is not a number");
        }
    }

    /** The class weights of {@code weight=[w0, w1, ...]}, or null when the setting is not given. */
    private float[] weights(String name, Map<String, String> a) {
        String v = a.get("weight");
        if (v == null) {
            return null;
        }
        if (!v.startsWith("[")) {
            throw error(name + ": weight must be a list in brackets, e.g. weight=[1, 2.5, 1]");
        }
        String inner = v.substring(1, v.length() - 1).trim();
        if (inner.isEmpty()) {
            throw error(name + ": weight is empty: give one weight per class, e.g. weight=[1, 2.5, 1]");
        }
        String[] parts = inner.split(",", -1);
        if (parts.length > MAX_WEIGHTS) {
            throw error(name + ": " + parts.length + " class weights, at most " + MAX_WEIGHTS);
        }
        float[] w = new float[parts.length];
        for (int c = 0; c < parts.length; c++) {
            String t = parts[c].trim();
            try {
                w[c] = Float.parseFloat(t);
            } catch (NumberFormatException e) {
                throw error(name + ": weight " + (c + 1) + " '" + SafeText.of(t) + "' is not a number");
            }
        }
        return w;
    }

    private String word() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                pos++;
            } else {
                break;
            }
        }
        return text.substring(start, pos).toLowerCase(Locale.ROOT).replace('-', '_');
    }

    private String value() {
        int start = pos;
        if (pos < text.length() && text.charAt(pos) == '[') {
            int close = text.indexOf(']', pos);
            if (close < 0) {
                throw error("'[' at position " + (pos + 1) + " is not closed by ']'");
            }
            pos = close + 1;
            return text.substring(start, pos);
        }
        while (pos < text.length() && text.charAt(pos) != ',' && text.charAt(pos) != ')') {
            pos++;
        }
        String v = text.substring(start, pos).trim();
        if (v.isEmpty()) {
            throw error("empty value at position " + (start + 1));
        }
        return v;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("loss " + quoted(text) + ": " + what);
    }

    private static String quoted(String text) {
        return "'" + SafeText.of(text, QUOTED_MAX) + "'";
    }
}

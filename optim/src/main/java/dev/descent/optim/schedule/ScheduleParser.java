package dev.descent.optim.schedule;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the text form of a {@link Schedule}: {@code name(key=value, ...)}, nested for {@code then=} at most
 * {@value Schedule#MAX_NESTING} schedules deep (the parser recurses once per level: a text nested thousands deep would
 * otherwise overflow the stack).
 */
final class ScheduleParser {
    /** Texts longer than this are shortened in error messages. */
    private static final int QUOTED_MAX = 100;

    private final String text;
    private int pos;

    private ScheduleParser(String text) {
        this.text = text;
    }

    static Schedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("schedule: empty text");
        }
        ScheduleParser p = new ScheduleParser(text);
        Schedule s = p.schedule(1);
        p.skipSpaces();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + text.substring(p.pos) + "' after the schedule");
        }
        return s;
    }

    /** The schedule at the position, {@code depth} schedules deep (1: the outermost). */
    private Schedule schedule(int depth) {
        skipSpaces();
        int start = pos;
        String name = word();
        if (name.isEmpty()) {
            throw error("expected a schedule name at position " + (start + 1));
        }
        Map<String, Object> args = new LinkedHashMap<>();
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '(') {
            pos++;
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ')') {
                pos++;
            } else {
                while (true) {
                    skipSpaces();
                    String key = word().replace('-', '_');
                    skipSpaces();
                    if (key.isEmpty() || pos >= text.length() || text.charAt(pos) != '=') {
                        throw error("expected key=value at position " + (pos + 1));
                    }
                    pos++;
                    skipSpaces();
                    if (key.equals("then") && depth >= Schedule.MAX_NESTING) {
                        throw error("schedules nested more than " + Schedule.MAX_NESTING + " deep (then= at position "
                                + (pos + 1) + ")");
                    }
                    Object value = key.equals("then") ? schedule(depth + 1) : value();
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
        return build(name.replace('-', '_'), args);
    }

    private Schedule build(String name, Map<String, Object> a) {
        return switch (name) {
            case "constant", "none" -> {
                known(name, a, Set.of());
                yield Schedule.constant();
            }
            case "step", "steplr" -> {
                known("step", a, Set.of("step_size", "gamma", "unit"));
                yield new StepLr(integer("step", a, "step_size", null), number("step", a, "gamma", 0.1),
                        unit("step", a, ScheduleUnit.EPOCH));
            }
            case "exponential", "exp", "exponentiallr" -> {
                known("exponential", a, Set.of("gamma", "unit"));
                yield new ExponentialLr(number("exponential", a, "gamma", null),
                        unit("exponential", a, ScheduleUnit.EPOCH));
            }
            case "cosine", "cosine_annealing", "cosineannealinglr" -> {
                known("cosine", a, Set.of("t_max", "eta_min", "unit"));
                yield new CosineAnnealingLr(integer("cosine", a, "t_max", null), number("cosine", a, "eta_min", 0.0),
                        unit("cosine", a, ScheduleUnit.EPOCH));
            }
            case "warmup", "linear_warmup" -> {
                known("warmup", a, Set.of("warmup", "unit", "start_factor", "then"));
                Object then = a.getOrDefault("then", Schedule.constant());
                if (!(then instanceof Schedule t)) {
                    throw error("warmup: then must be a schedule");
                }
                yield new LinearWarmup(integer("warmup", a, "warmup", null), unit("warmup", a, ScheduleUnit.STEP),
                        number("warmup", a, "start_factor", 1.0 / 3), t);
            }
            case "plateau", "reduce_on_plateau", "reducelronplateau" -> {
                known("plateau", a, Set.of("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                        "min_lr", "eps"));
                ReduceLrOnPlateau d = ReduceLrOnPlateau.defaults();
                String mode = string(a, "mode", "min");
                String tmode = string(a, "threshold_mode", "rel");
                ReduceLrOnPlateau.Mode m = switch (mode) {
                    case "min" -> ReduceLrOnPlateau.Mode.MIN;
                    case "max" -> ReduceLrOnPlateau.Mode.MAX;
                    default -> throw error("plateau: unknown mode '" + mode + "', expected min or max");
                };
                ReduceLrOnPlateau.ThresholdMode tm = switch (tmode) {
                    case "rel" -> ReduceLrOnPlateau.ThresholdMode.REL;
                    case "abs" -> ReduceLrOnPlateau.ThresholdMode.ABS;
                    default -> throw error("plateau: unknown threshold_mode '" + tmode + "', expected rel or abs");
                };
                yield new ReduceLrOnPlateau(m, number("plateau", a, "factor", d.factor()),
                        integer("plateau", a, "patience", d.patience()),
                        number("plateau", a, "threshold", d.threshold()),
                        tm, integer("plateau", a, "cooldown", d.cooldown()), number("plateau", a, "min_lr", d.minLr()),
                        number("plateau", a, "eps", d.eps()));
            }
            default -> throw error("unknown schedule '" + name
                    + "'; known: constant, step, exponential, cosine, warmup, plateau");
        };
    }

    private void known(String name, Map<String, Object> a, Set<String> keys) {
        for (String k : a.keySet()) {
            if (!keys.contains(k)) {
                throw error(name + ": unknown setting '" + k + "'"
                        + (keys.isEmpty() ? " (it takes none)" : "; known: " + String.join(", ", sorted(keys))));
            }
        }
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }

    private String string(Map<String, Object> a, String key, String dflt) {
        Object v = a.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw error(key + " must be a value, not a schedule");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private double number(String name, Map<String, Object> a, String key, Double dflt) {
        Object v = a.get(key);
        if (v == null) {
            if (dflt == null) {
                throw error(name + ": missing setting " + key);
            }
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw error(name + ": " + key + " must be a number, not a schedule");
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(name + ": " + key + " '" + s + "' is not a number");
        }
    }

    private int integer(String name, Map<String, Object> a, String key, Integer dflt) {
        double d = number(name, a, key, dflt == null ? null : (double) dflt);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw error(name + ": " + key + " '" + a.get(key) + "' is not a whole number");
        }
        return (int) d;
    }

    private ScheduleUnit unit(String name, Map<String, Object> a, ScheduleUnit dflt) {
        String u = string(a, "unit", null);
        if (u == null) {
            return dflt;
        }
        try {
            return ScheduleUnit.parse(u);
        } catch (IllegalArgumentException e) {
            throw error(name + ": " + e.getMessage());
        }
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
        return text.substring(start, pos).toLowerCase(Locale.ROOT);
    }

    private String value() {
        int start = pos;
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
        return new IllegalArgumentException("schedule " + quoted(text) + ": " + what);
    }

    /** The text in quotes; a long one shortened to its start and end, with its length. */
    private static String quoted(String text) {
        if (text.length() <= QUOTED_MAX) {
            return "'" + text + "'";
        }
        return "'" + text.substring(0, QUOTED_MAX - 20) + "..." + text.substring(text.length() - 10) + "' ("
                + text.length() + " characters)";
    }

    static void nonNegative(String schedule, String setting, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(schedule + " schedule: invalid " + setting + " " + value
                    + ": must be a finite number >= 0");
        }
    }

    static void notNull(String schedule, String setting, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(schedule + " schedule: " + setting + " is null");
        }
    }
}

package dev.descent.optim.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongToDoubleFunction;

/**
 * Reads the text form of a {@link Schedule}: {@code name(key=value, ...)}, nested for {@code then=} at most
 * {@value Schedule#MAX_NESTING} schedules deep (the parser recurses once per level: a text nested thousands deep would
 * otherwise overflow the stack). A value is the text up to the next {@code ,} or {@code )}, or a list in brackets
 * ({@code [30, 80]}, commas inside); {@code lambda(name=...)} takes its function from the map given.
 */
final class ScheduleParser {
    /** Texts longer than this are shortened in error messages. */
    private static final int QUOTED_MAX = 100;

    private final String text;
    private final Map<String, ? extends LongToDoubleFunction> functions;
    private int pos;

    private ScheduleParser(String text, Map<String, ? extends LongToDoubleFunction> functions) {
        this.text = text;
        this.functions = functions;
    }

    static Schedule parse(String text, Map<String, ? extends LongToDoubleFunction> functions) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("schedule: empty text");
        }
        notNull("parse", "functions", functions);
        ScheduleParser p = new ScheduleParser(text, functions);
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
            case "multistep", "multi_step", "multisteplr" -> {
                known("multistep", a, Set.of("milestones", "gamma", "unit"));
                yield new MultiStepLr(milestones("multistep", a), number("multistep", a, "gamma", 0.1),
                        unit("multistep", a, ScheduleUnit.EPOCH));
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
            case "cosine_warm_restarts", "cosineannealingwarmrestarts", "sgdr" -> {
                known("cosine-warm-restarts", a, Set.of("t_0", "t_mult", "eta_min", "unit"));
                String n = "cosine-warm-restarts";
                yield new CosineAnnealingWarmRestarts(integer(n, a, "t_0", null), integer(n, a, "t_mult", 1),
                        number(n, a, "eta_min", 0.0), unit(n, a, ScheduleUnit.EPOCH));
            }
            case "linear", "linearlr" -> {
                known("linear", a, Set.of("start_factor", "end_factor", "total_iters", "unit"));
                yield new LinearLr(number("linear", a, "start_factor", 1.0 / 3),
                        number("linear", a, "end_factor", 1.0), integer("linear", a, "total_iters", 5),
                        unit("linear", a, ScheduleUnit.EPOCH));
            }
            case "polynomial", "poly", "polynomiallr" -> {
                known("polynomial", a, Set.of("total_iters", "power", "unit"));
                yield new PolynomialLr(integer("polynomial", a, "total_iters", 5),
                        number("polynomial", a, "power", 1.0), unit("polynomial", a, ScheduleUnit.EPOCH));
            }
            case "onecycle", "one_cycle", "onecyclelr" -> {
                known("onecycle", a, Set.of("max_lr", "total_steps", "pct_start", "anneal", "div_factor",
                        "final_div_factor", "three_phase", "unit"));
                double maxLr = number("onecycle", a, "max_lr", Double.NaN);
                if (a.containsKey("max_lr") && Double.isNaN(maxLr)) {
                    throw error("onecycle: max_lr NaN is not a rate (leave max_lr out for each group's own base rate)");
                }
                String anneal = string(a, "anneal", "cos");
                OneCycleLr.Anneal an = switch (anneal) {
                    case "cos" -> OneCycleLr.Anneal.COS;
                    case "linear" -> OneCycleLr.Anneal.LINEAR;
                    default -> throw error("onecycle: unknown anneal '" + anneal + "', expected cos or linear");
                };
                yield new OneCycleLr(maxLr, integer("onecycle", a, "total_steps", null),
                        number("onecycle", a, "pct_start", 0.3), an, number("onecycle", a, "div_factor", 25.0),
                        number("onecycle", a, "final_div_factor", 1e4), bool("onecycle", a, "three_phase", false),
                        unit("onecycle", a, ScheduleUnit.STEP));
            }
            case "cyclic", "cycliclr" -> {
                known("cyclic", a, Set.of("base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma",
                        "unit"));
                String mode = string(a, "mode", "triangular");
                CyclicLr.Mode m = switch (mode) {
                    case "triangular" -> CyclicLr.Mode.TRIANGULAR;
                    case "triangular2" -> CyclicLr.Mode.TRIANGULAR2;
                    case "exp_range" -> CyclicLr.Mode.EXP_RANGE;
                    default -> throw error("cyclic: unknown mode '" + mode
                            + "', expected triangular, triangular2 or exp_range");
                };
                int up = integer("cyclic", a, "step_size_up", 2000);
                yield new CyclicLr(number("cyclic", a, "base_lr", null), number("cyclic", a, "max_lr", null), up,
                        integer("cyclic", a, "step_size_down", up), m, number("cyclic", a, "gamma", 1.0),
                        unit("cyclic", a, ScheduleUnit.STEP));
            }
            case "lambda", "lambdalr" -> {
                known("lambda", a, Set.of("name", "unit"));
                Object n = a.get("name");
                if (n == null) {
                    throw error("lambda: missing setting name");
                }
                if (!(n instanceof String fn)) {
                    throw error("lambda: name must be a value, not a schedule");
                }
                LongToDoubleFunction f = functions.get(fn);
                if (f == null) {
                    throw error(functions.isEmpty()
                            ? "lambda: user-defined schedule '" + fn + "' needs its function, which text cannot give "
                                    + "(build it in the library: Schedule.lambda, or Schedule.parse(text, functions))"
                            : "lambda: no function named '" + fn + "'; known: "
                                    + String.join(", ", sorted(functions.keySet())));
                }
                yield new LambdaLr(fn, unit("lambda", a, ScheduleUnit.EPOCH), f);
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
            default -> throw error("unknown schedule '" + name + "'; known: constant, step, multistep, exponential, "
                    + "cosine, cosine-warm-restarts, linear, polynomial, onecycle, cyclic, warmup, plateau, lambda");
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

    private boolean bool(String name, Map<String, Object> a, String key, boolean dflt) {
        String v = string(a, key, null);
        if (v == null) {
            return dflt;
        }
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(name + ": " + key + " '" + a.get(key) + "' is not true or false");
        };
    }

    /** A list of whole numbers in brackets, {@code [30, 80]}, or a single one. */
    private List<Integer> milestones(String name, Map<String, Object> a) {
        Object v = a.get("milestones");
        if (v == null) {
            throw error(name + ": missing setting milestones");
        }
        if (!(v instanceof String s)) {
            throw error(name + ": milestones must be a list of numbers, not a schedule");
        }
        String inner = s;
        if (s.startsWith("[")) {
            inner = s.substring(1, s.length() - 1).trim(); // value() ends a bracketed value at its ']'
            if (inner.isEmpty()) {
                throw error(name + ": milestones is empty: give at least one, e.g. milestones=[30, 80]");
            }
        }
        String[] parts = inner.split(",", -1);
        if (parts.length > MultiStepLr.MAX_MILESTONES) {
            throw error(name + ": " + parts.length + " milestones, at most " + MultiStepLr.MAX_MILESTONES);
        }
        List<Integer> out = new ArrayList<>(parts.length);
        for (String p : parts) {
            String t = p.trim();
            double d;
            try {
                d = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw error(name + ": milestone '" + t + "' is not a number (milestones=[30, 80])");
            }
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw error(name + ": milestone '" + t + "' is not a whole number");
            }
            out.add((int) d);
        }
        return out;
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
        if (pos < text.length() && text.charAt(pos) == '[') {
            // a list: everything up to the closing bracket, commas included
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

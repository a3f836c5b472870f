package dev.descent.optim;

import java.util.Locale;
import java.util.Map;

/** Validation of optimizer settings, with messages that name the optimizer, the setting and the rule. */
final class Checks {
    private Checks() {
    }

    /** A finite value {@code >= 0}. */
    static double nonNegative(String optimizer, String setting, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw invalid(optimizer, setting, value, "must be a finite number >= 0");
        }
        return value;
    }

    /** A finite value. */
    static double finite(String optimizer, String setting, double value) {
        if (!Double.isFinite(value)) {
            throw invalid(optimizer, setting, value, "must be a finite number");
        }
        return value;
    }

    /** A value in {@code [0, 1)}. */
    static double unitInterval(String optimizer, String setting, double value) {
        if (!(value >= 0 && value < 1)) {
            throw invalid(optimizer, setting, value, "must be in [0, 1)");
        }
        return value;
    }

    /** A value in {@code [0, 1]}. */
    static double closedUnitInterval(String optimizer, String setting, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw invalid(optimizer, setting, value, "must be in [0, 1]");
        }
        return value;
    }

    static IllegalArgumentException invalid(String optimizer, String setting, double value, String rule) {
        return new IllegalArgumentException(optimizer + ": invalid " + setting + " " + format(value) + ": " + rule);
    }

    /** Shortest text for a value: integers without a fraction, others as {@link Double#toString}. */
    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static boolean flag(double value) {
        return value != 0;
    }

    static double flag(boolean value) {
        return value ? 1 : 0;
    }

    /** Reads one setting from a map of settings (every key must be present). */
    static double get(Map<String, Double> settings, String optimizer, String key) {
        Double v = settings.get(key);
        if (v == null) {
            throw new IllegalArgumentException(optimizer + ": missing setting " + key);
        }
        return v;
    }

    static String lower(String s) {
        return s.trim().toLowerCase(Locale.ROOT);
    }
}

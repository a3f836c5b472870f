package dev.descent.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters for descent's composite option values. */
final class Converters {
    private Converters() {
    }

    /** Parses a finite number (accepts 1e-5, 0.04, 1_000 is rejected). */
    static double number(String text, String what) {
        String t = text.trim();
        try {
            double v = Double.parseDouble(t);
            if (!Double.isFinite(v)) {
                throw new TypeConversionException(what + " must be a finite number, got '" + text + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a number");
        }
    }

    /** Two numbers given as {@code A,B}. */
    record NumberPair(double first, double second) {
        @Override
        public String toString() {
            return first + "," + second;
        }
    }

    /** Two comma-separated numbers, e.g. {@code 0.9,0.999} or {@code 0,1}. */
    static final class Pair implements ITypeConverter<NumberPair> {
        @Override
        public NumberPair convert(String value) {
            String[] parts = value.split(",", -1);
            if (parts.length != 2) {
                throw new TypeConversionException("expected two comma-separated numbers like 0.9,0.999, got '"
                        + value + "'");
            }
            return new NumberPair(number(parts[0], "each value"), number(parts[1], "each value"));
        }
    }

    /** A finite number. */
    static final class Finite implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return number(value, "the value");
        }
    }

    /** A lower-case name. */
    static final class Name implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.isEmpty()) {
                throw new TypeConversionException("empty name");
            }
            return v;
        }
    }
}

package dev.descent.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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

    /** A path, picocli's conversion but for a path that cannot name a file, which is explained. */
    static final class PathValue implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            try {
                return Path.of(value);
            } catch (InvalidPathException e) {
                throw new TypeConversionException(Failures.invalidPath(e));
            }
        }
    }

    /**
     * Refuses the text of an option that names a file (or a named data set), kept as text, when it cannot name a file
     * here.
     *
     * @throws UsageException naming the option
     */
    static void checkPath(String value, String option) {
        if (value == null) {
            return;
        }
        try {
            Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(option + ": " + Failures.invalidPath(e));
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

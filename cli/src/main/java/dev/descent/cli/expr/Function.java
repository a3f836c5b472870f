package dev.descent.cli.expr;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The unary operations: negation (written {@code -x}) and the functions, written {@code name(x)}. */
public enum Function {
    NEG, EXP, LOG, SQRT, SIN, COS, TANH, ABS, SIGMOID;

    /** The names of the functions, in the order help texts list them: "exp, log, sqrt, ...". */
    public static final String NAMES = Arrays.stream(values()).filter(f -> f != NEG).map(Function::functionName)
            .collect(Collectors.joining(", "));

    /** The name as typed ({@code exp}); {@code neg} for negation. */
    public String functionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The function of that name (not negation), or null. */
    static Function named(String name) {
        for (Function f : values()) {
            if (f != NEG && f.functionName().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The function in double precision, for the parts of a formula without a variable. */
    double apply(double x) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case ABS -> Math.abs(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
        };
    }

    /** The function in float32: the double result rounded once (negation and abs are exact). */
    float apply(float x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQRT -> (float) Math.sqrt(x);
            case SIGMOID -> 1f / (1f + (float) Math.exp(-x));
            default -> (float) apply((double) x);
        };
    }
}

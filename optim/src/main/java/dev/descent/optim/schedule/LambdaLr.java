package dev.descent.optim.schedule;

import java.util.function.LongToDoubleFunction;
import java.util.regex.Pattern;

/**
 * A user-defined schedule, torch's LambdaLR: unit k uses each group's base rate times {@code factor(k)}, computed
 * afresh every unit ({@code base · factor(k)}, as torch does; nothing carries over from one unit to the next). The
 * function must be deterministic, a function of k alone.
 *
 * <p><b>Name.</b> A function cannot be written as text: the {@link #spec()} ({@code lambda(name=NAME, unit=...)})
 * records the name, and {@link Schedule#parse(String, java.util.Map)} recreates the schedule from it given the
 * functions by name ({@link Schedule#parse(String)} refuses it). Saved optimizer state records the spec, so a run is
 * resumed only with a schedule of the same name (another name is refused); pass the same function again under that
 * name — descent cannot check that it is the same function.
 *
 * @param name   names the function: 1 to 64 letters, digits, {@code _ - . :}
 * @param unit   whether the counter advances per step or per epoch
 * @param factor k ↦ the factor of unit k (k from 0); each value must be finite and {@code >= 0}
 */
public record LambdaLr(String name, ScheduleUnit unit, LongToDoubleFunction factor) implements Schedule {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /** Validates the settings; an invalid one is an {@link IllegalArgumentException} naming it. */
    public LambdaLr {
        ScheduleParser.notNull("lambda", "name", name);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lambda schedule: invalid name '" + (name.length() > 80
                    ? name.substring(0, 80) + "..." : name) + "': must be 1 to 64 letters, digits, _ - . :");
        }
        ScheduleParser.notNull("lambda", "unit", unit);
        ScheduleParser.notNull("lambda", "factor", factor);
    }

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "lambda(name=" + name + ", unit=" + unit.label() + ")";
    }

    private static final class Running extends CountingScheduler {
        private final LambdaLr s;

        Running(LambdaLr s, double[] baseLrs) {
            super(s, s.unit, baseLrs);
            this.s = s;
            atZero(); // torch's initial step: base * f(0)
        }

        @Override
        void advance(long k) {
            double f = s.factor.applyAsDouble(k);
            if (!(f >= 0) || Double.isInfinite(f)) {
                throw new IllegalStateException("lambda schedule '" + s.name + "': factor(" + k + ") = " + f
                        + ", must be a finite number >= 0");
            }
            for (int g = 0; g < lr.length; g++) {
                lr[g] = base[g] * f;
            }
        }

        @Override
        void atZero() {
            advance(0);
        }
    }
}

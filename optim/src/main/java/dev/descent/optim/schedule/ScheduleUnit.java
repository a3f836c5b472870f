package dev.descent.optim.schedule;

import java.util.Locale;

/**
 * When a schedule advances: after every {@link dev.descent.optim.Optimizer#step() optimizer step}, or at every
 * {@link dev.descent.optim.Optimizer#endEpoch(double) end of an epoch}. In torch terms: the point of the training loop
 * where {@code scheduler.step()} is called.
 */
public enum ScheduleUnit {
    /** Advances after each optimizer step. */
    STEP,
    /** Advances at the end of each epoch. */
    EPOCH;

    /** Parses {@code step}/{@code steps} or {@code epoch}/{@code epochs}, any case. */
    public static ScheduleUnit parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "step", "steps" -> STEP;
            case "epoch", "epochs" -> EPOCH;
            default -> throw new IllegalArgumentException("unknown schedule unit '" + text
                    + "', expected step or epoch");
        };
    }

    /** {@code step} or {@code epoch}. */
    public String label() {
        return this == STEP ? "step" : "epoch";
    }
}

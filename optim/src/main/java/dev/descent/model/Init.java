package dev.descent.model;

import dev.descent.data.SafeText;

import java.util.Locale;

/** How a model's weights and biases start. */
public enum Init {
    /** Every weight and bias 0 (the lecture's softmax regression). Cannot train an MLP with hidden layers. */
    ZERO("zero"),
    /**
     * torch's default for {@code nn.Linear}: {@code kaiming_uniform_(a=√5)} for the weight, which is
     * U(−1/√fan_in, 1/√fan_in), and the same range for the bias. descent draws the numbers from
     * {@code java.util.Random(seed)} (an exactly specified generator, so the values are the same on every JVM):
     * layer by layer, first the weight in row-major [in, out] order, then the bias, each value
     * {@code (float) ((2u − 1) · bound)} with {@code u = nextDouble()}. The distribution equals torch's; the
     * numbers are not torch's.
     */
    TORCH("torch");

    private final String shortName;

    Init(String shortName) {
        this.shortName = shortName;
    }

    /** {@code zero} or {@code torch}. */
    public String shortName() {
        return shortName;
    }

    /** {@code zero}/{@code zeros}, {@code torch}/{@code default}/{@code kaiming-uniform}; case-insensitive. */
    public static Init fromName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "zero", "zeros" -> ZERO;
            case "torch", "default", "kaiming-uniform", "kaiming_uniform" -> TORCH;
            default -> throw new IllegalArgumentException("unknown init '" + SafeText.of(name)
                    + "'; known: zero, torch");
        };
    }
}

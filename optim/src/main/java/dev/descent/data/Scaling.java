package dev.descent.data;

import java.util.Locale;

/**
 * The feature scalings the command line offers ({@code --scale none|unit|minmax|standard}). {@link #fit} fits one on the
 * training set; the returned {@link FeatureTransform} is then applied to the training and the test set alike.
 */
public enum Scaling {
    /** Features as read. */
    NONE,
    /**
     * Into the unit interval. What "unit" means depends on the training features: when every value is in
     * {@code [0, 1]} they are left as they are; when every value is in {@code [0, 255]} (8-bit pixels: MNIST, Fashion-MNIST,
     * Sign Language MNIST) every feature is divided by 255, the same fixed map for any split, as torchvision's
     * {@code ToTensor}; otherwise it is per-feature min-max scaling fitted on the training set ({@link #MINMAX}).
     */
    UNIT,
    /** Per-feature min-max fitted on the training set ({@link FeatureTransform#fitMinMax}). */
    MINMAX,
    /** Per-feature mean 0 and standard deviation 1 on the training set ({@link FeatureTransform#fitStandardize}). */
    STANDARD;

    /** Parses {@code none}, {@code unit}, {@code minmax} (or {@code min-max}), {@code standard} (or {@code standardize}). */
    public static Scaling parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "none", "off" -> NONE;
            case "unit", "01", "[0,1]" -> UNIT;
            case "minmax", "min-max" -> MINMAX;
            case "standard", "standardize", "standardise", "zscore", "z-score" -> STANDARD;
            default -> throw new IllegalArgumentException("unknown scaling '" + text
                    + "': use none, unit, minmax or standard");
        };
    }

    /** Fits this scaling on the training set. */
    public FeatureTransform fit(Dataset train) {
        return switch (this) {
            case NONE -> FeatureTransform.identity();
            case MINMAX -> FeatureTransform.fitMinMax(train);
            case STANDARD -> FeatureTransform.fitStandardize(train);
            case UNIT -> fitUnit(train);
        };
    }

    private static FeatureTransform fitUnit(Dataset train) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : train.features()) {
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        if (lo >= 0f && hi <= 1f) {
            return FeatureTransform.identity("unit: unchanged (values of " + train.source() + " already lie in [0, 1])");
        }
        if (lo >= 0f && hi <= 255f) {
            return FeatureTransform.divideBy(255f, "unit: divide by 255 (values of " + train.source()
                    + " lie in [0, 255])");
        }
        return FeatureTransform.fitMinMax(train);
    }

    /** The lower-case name used on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

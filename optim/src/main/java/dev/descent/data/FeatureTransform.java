package dev.descent.data;

import java.util.Objects;

/**
 * A per-feature affine map {@code x'[j] = (x[j] − shift[j]) / divisor[j]}, fitted once (normally on the training set)
 * and then applied unchanged to every split, so that test data is scaled with the training set's statistics. It is
 * computed in float32 exactly as written (a subtraction, then a division), as torch's {@code ToTensor} ({@code x/255})
 * and {@code Normalize} ({@code (x − mean)/std}) do.
 *
 * <p>Create one with {@link Scaling#fit} or the factories here. {@link #apply} returns a new data set; the input is left
 * as it is.
 */
public final class FeatureTransform {
    private final String description;
    private final float[] shift;
    private final float[] divisor;
    private final boolean identity;

    private FeatureTransform(String description, float[] shift, float[] divisor, boolean identity) {
        this.description = description;
        this.shift = shift;
        this.divisor = divisor;
        this.identity = identity;
    }

    /** Leaves the features as they are. */
    public static FeatureTransform identity() {
        return identity("none");
    }

    /** Leaves the features as they are, with a description for logs (why nothing was done). */
    public static FeatureTransform identity(String description) {
        return new FeatureTransform(description, null, null, true);
    }

    /** {@code x / divisor} for every feature, e.g. {@code divideBy(255)} for 8-bit pixels. */
    public static FeatureTransform divideBy(float divisor, String description) {
        if (!(divisor > 0) || !Float.isFinite(divisor)) {
            throw new IllegalArgumentException("divisor must be a positive finite number, got " + divisor);
        }
        return new FeatureTransform(description == null ? "divide by " + divisor : description, null,
                new float[] {divisor}, false);
    }

    /**
     * A general per-feature map {@code (x − shift[j]) / divisor[j]}.
     *
     * @throws IllegalArgumentException when the lengths differ or a divisor is not a positive finite number
     */
    public static FeatureTransform affine(float[] shift, float[] divisor, String description) {
        Objects.requireNonNull(shift, "shift");
        Objects.requireNonNull(divisor, "divisor");
        if (shift.length != divisor.length) {
            throw new IllegalArgumentException("shift has " + shift.length + " entries, divisor " + divisor.length);
        }
        for (int j = 0; j < divisor.length; j++) {
            if (!(divisor[j] > 0) || !Float.isFinite(divisor[j]) || !Float.isFinite(shift[j])) {
                throw new IllegalArgumentException("feature " + j + ": shift " + shift[j] + ", divisor " + divisor[j]
                        + " (divisors must be positive and finite)");
            }
        }
        return new FeatureTransform(description, shift.clone(), divisor.clone(), false);
    }

    /**
     * Per-feature min-max scaling fitted on {@code train}: {@code (x − min_j) / (max_j − min_j)}, which maps the
     * training range of each feature onto {@code [0, 1]}; a constant feature becomes 0 ({@code x − min}). Test data
     * may fall outside {@code [0, 1]}; it is not clipped.
     */
    public static FeatureTransform fitMinMax(Dataset train) {
        int d = train.featureCount();
        int n = train.samples();
        float[] x = train.features();
        float[] min = new float[d];
        float[] max = new float[d];
        System.arraycopy(x, 0, min, 0, d);
        System.arraycopy(x, 0, max, 0, d);
        for (int i = 1; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                float v = x[base + j];
                if (v < min[j]) {
                    min[j] = v;
                }
                if (v > max[j]) {
                    max[j] = v;
                }
            }
        }
        float[] range = new float[d];
        for (int j = 0; j < d; j++) {
            float r = max[j] - min[j];
            range[j] = r > 0 && Float.isFinite(r) ? r : 1f;
        }
        return new FeatureTransform("min-max per feature, fitted on " + train.source(), min, range, false);
    }

    /**
     * Standardisation fitted on {@code train}: {@code (x − mean_j) / std_j} with the per-feature mean and population
     * standard deviation (divisor n, as scikit-learn's {@code StandardScaler}), accumulated in double in row order. A
     * feature whose standard deviation is 0 is only centred (divisor 1).
     */
    public static FeatureTransform fitStandardize(Dataset train) {
        int d = train.featureCount();
        int n = train.samples();
        float[] x = train.features();
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                sum[j] += x[base + j];
            }
        }
        double[] mean = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = sum[j] / n;
        }
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (int j = 0; j < d; j++) {
                double c = x[base + j] - mean[j];
                sq[j] += c * c;
            }
        }
        float[] shift = new float[d];
        float[] divisor = new float[d];
        for (int j = 0; j < d; j++) {
            shift[j] = (float) mean[j];
            float std = (float) Math.sqrt(sq[j] / n);
            divisor[j] = std > 0 && Float.isFinite(std) ? std : 1f;
        }
        return new FeatureTransform("standardize per feature (mean/std fitted on " + train.source() + ")", shift,
                divisor, false);
    }

    /** What the transform does, in a few words (for logs). */
    public String description() {
        return description;
    }

    /** Whether it leaves features unchanged. */
    public boolean isIdentity() {
        return identity;
    }

    /** Per-feature shifts (a copy), or null when there is none. */
    public float[] shift() {
        return shift == null ? null : shift.clone();
    }

    /** Per-feature divisors (a copy; one entry when the same for all), or null for the identity. */
    public float[] divisor() {
        return divisor == null ? null : divisor.clone();
    }

    /**
     * The transformed data set (a new feature array; labels/targets shared).
     *
     * @throws IllegalArgumentException when a fitted transform meets a data set with another feature count
     */
    public Dataset apply(Dataset data) {
        if (identity) {
            return data;
        }
        int d = data.featureCount();
        checkWidth(d, data.source());
        float[] x = data.features();
        float[] y = new float[x.length];
        transform(x, y, data.samples(), d);
        return data.withFeatures(y, d);
    }

    /**
     * Transforms the first {@code rows} rows of {@code features} (row-major, {@code featureCount} per row) in place,
     * with the same arithmetic as {@link #apply(Dataset)}: for rows read a batch at a time.
     *
     * @param source names the data in the error for a feature count the transform was not fitted on
     */
    public void applyInPlace(float[] features, int rows, int featureCount, String source) {
        if (identity) {
            return;
        }
        checkWidth(featureCount, source);
        transform(features, features, rows, featureCount);
    }

    private void checkWidth(int d, String source) {
        if (shift != null && shift.length != d || divisor.length != 1 && divisor.length != d) {
            throw new IllegalArgumentException("transform was fitted on " + (shift != null ? shift.length
                    : divisor.length) + " features but " + source + " has " + d);
        }
    }

    private void transform(float[] x, float[] y, int n, int d) {
        if (shift == null && divisor.length == 1) {
            float q = divisor[0];
            for (int i = 0, len = n * d; i < len; i++) {
                y[i] = x[i] / q;
            }
        } else {
            for (int i = 0; i < n; i++) {
                int base = i * d;
                for (int j = 0; j < d; j++) {
                    float s = shift == null ? 0f : shift[j];
                    float q = divisor.length == 1 ? divisor[0] : divisor[j];
                    y[base + j] = (x[base + j] - s) / q;
                }
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}

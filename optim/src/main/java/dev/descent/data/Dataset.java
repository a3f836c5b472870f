package dev.descent.data;

import dev.descent.backend.Backend;

import java.util.Objects;

/**
 * A data set in host memory: {@code samples × featureCount} float32 features, row-major, and either integer class
 * labels in {@code [0, classes)} (classification) or {@code samples × targetCount} float32 real targets (regression).
 *
 * <p>A data set is immutable by contract: the arrays returned by {@link #features()}, {@link #labels()} and
 * {@link #targets()} are its own storage, handed out without a copy because image data sets are large; do not modify
 * them. Transforms ({@link FeatureTransform}), {@link #subset} and {@link DataSplit} return new data sets.
 *
 * <p>To train, upload it once with {@link #upload(Backend)} and iterate it with a {@link DataLoader}.
 */
public final class Dataset {
    private final String source;
    private final float[] features;
    private final int samples;
    private final int featureCount;
    private final int[] labels;
    private final int classes;
    private final float[] targets;
    private final int targetCount;

    private Dataset(String source, float[] features, int samples, int featureCount, int[] labels, int classes,
            float[] targets, int targetCount) {
        this.source = source == null ? "<data>" : source;
        this.features = features;
        this.samples = samples;
        this.featureCount = featureCount;
        this.labels = labels;
        this.classes = classes;
        this.targets = targets;
        this.targetCount = targetCount;
    }

    /**
     * A classification data set.
     *
     * @param source       a name for messages (usually the file it was read from)
     * @param features     {@code samples * featureCount} values, row-major; kept, not copied
     * @param samples      number of rows, at least 1
     * @param featureCount number of columns, at least 1
     * @param labels       {@code samples} labels in {@code [0, classes)}; kept, not copied
     * @param classes      number of classes, at least 1 (the model's output width)
     * @throws IllegalArgumentException on a size mismatch or a label out of range (naming the sample)
     */
    public static Dataset classification(String source, float[] features, int samples, int featureCount,
            int[] labels, int classes) {
        checkFeatures(features, samples, featureCount);
        Objects.requireNonNull(labels, "labels");
        if (labels.length != samples) {
            throw new IllegalArgumentException("labels: expected " + samples + " values, got " + labels.length);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        for (int i = 0; i < samples; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(source + ": sample " + i + " has label " + labels[i]
                        + ", outside [0, " + classes + ")");
            }
        }
        return new Dataset(source, features, samples, featureCount, labels, classes, null, 0);
    }

    /**
     * A regression data set.
     *
     * @param targets     {@code samples * targetCount} values, row-major; kept, not copied
     * @param targetCount outputs per sample, at least 1
     * @throws IllegalArgumentException on a size mismatch
     */
    public static Dataset regression(String source, float[] features, int samples, int featureCount, float[] targets,
            int targetCount) {
        checkFeatures(features, samples, featureCount);
        Objects.requireNonNull(targets, "targets");
        if (targetCount < 1) {
            throw new IllegalArgumentException("targetCount must be >= 1, got " + targetCount);
        }
        if ((long) samples * targetCount != targets.length) {
            throw new IllegalArgumentException("targets: expected " + samples + " × " + targetCount + " values, got "
                    + targets.length);
        }
        return new Dataset(source, features, samples, featureCount, null, 0, targets, targetCount);
    }

    private static void checkFeatures(float[] features, int samples, int featureCount) {
        Objects.requireNonNull(features, "features");
        if (samples < 1) {
            throw new IllegalArgumentException("a data set needs at least one sample, got " + samples);
        }
        if (featureCount < 1) {
            throw new IllegalArgumentException("a data set needs at least one feature, got " + featureCount);
        }
        if ((long) samples * featureCount != features.length) {
            throw new IllegalArgumentException("features: expected " + samples + " × " + featureCount
                    + " values, got " + features.length);
        }
    }

    /** Where the data came from (a file name), for messages. */
    public String source() {
        return source;
    }

    /** Number of samples (rows). */
    public int samples() {
        return samples;
    }

    /** Number of features (columns of {@link #features()}). */
    public int featureCount() {
        return featureCount;
    }

    /** The features, {@code samples × featureCount}, row-major. The data set's own array: do not modify. */
    public float[] features() {
        return features;
    }

    /** Whether this data set has class labels (otherwise real-valued targets). */
    public boolean isClassification() {
        return labels != null;
    }

    /** The class labels, or null for a regression data set. The data set's own array: do not modify. */
    public int[] labels() {
        return labels;
    }

    /** Number of classes (0 for a regression data set). */
    public int classes() {
        return classes;
    }

    /** The real targets {@code samples × targetCount}, or null for a classification data set. Do not modify. */
    public float[] targets() {
        return targets;
    }

    /** Outputs per sample of a regression data set (0 for classification). */
    public int targetCount() {
        return targetCount;
    }

    /** The model's output width: {@link #classes()} for classification, {@link #targetCount()} for regression. */
    public int outputs() {
        return labels != null ? classes : targetCount;
    }

    /** One feature value. */
    public float feature(int row, int col) {
        Objects.checkIndex(row, samples);
        Objects.checkIndex(col, featureCount);
        return features[row * featureCount + col];
    }

    /** One label. */
    public int label(int row) {
        if (labels == null) {
            throw new IllegalStateException(source + " is a regression data set: it has no labels");
        }
        return labels[row];
    }

    /** How many samples carry each label: an array of length {@link #classes()}. */
    public int[] labelCounts() {
        if (labels == null) {
            throw new IllegalStateException(source + " is a regression data set: it has no labels");
        }
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The same data with another feature matrix of the same number of rows (used by transforms). */
    public Dataset withFeatures(float[] newFeatures, int newFeatureCount) {
        checkFeatures(newFeatures, samples, newFeatureCount);
        return new Dataset(source, newFeatures, samples, newFeatureCount, labels, classes, targets, targetCount);
    }

    /**
     * The same data with another class count, for example the training set's when reading a test set whose largest
     * label happens to be smaller.
     *
     * @throws IllegalArgumentException when a label is {@code >= classes}
     */
    public Dataset withClasses(int newClasses) {
        if (labels == null) {
            throw new IllegalStateException(source + " is a regression data set: it has no classes");
        }
        return classification(source, features, samples, featureCount, labels, newClasses);
    }

    /** The same data under another source name. */
    public Dataset withSource(String newSource) {
        return new Dataset(newSource, features, samples, featureCount, labels, classes, targets, targetCount);
    }

    /** A new data set holding copies of the given rows, in the given order. */
    public Dataset subset(int[] rows) {
        int m = rows.length;
        float[] f = new float[Math.multiplyExact(m, featureCount)];
        for (int i = 0; i < m; i++) {
            int r = Objects.checkIndex(rows[i], samples);
            System.arraycopy(features, r * featureCount, f, i * featureCount, featureCount);
        }
        if (labels != null) {
            int[] l = new int[m];
            for (int i = 0; i < m; i++) {
                l[i] = labels[rows[i]];
            }
            return new Dataset(source, f, m, featureCount, l, classes, null, 0);
        }
        float[] t = new float[Math.multiplyExact(m, targetCount)];
        for (int i = 0; i < m; i++) {
            System.arraycopy(targets, rows[i] * targetCount, t, i * targetCount, targetCount);
        }
        return new Dataset(source, f, m, featureCount, null, 0, t, targetCount);
    }

    /** Uploads the data set to a backend once; see {@link DeviceDataset#upload}. */
    public DeviceDataset upload(Backend backend) {
        return DeviceDataset.upload(backend, this);
    }

    /** One line: source, samples, features, classes or targets. */
    @Override
    public String toString() {
        return source + ": " + samples + " samples × " + featureCount + " features, "
                + (labels != null ? classes + " classes" : targetCount + (targetCount == 1 ? " target" : " targets"));
    }
}

package dev.descent.data;

import dev.descent.backend.Backend;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;

import java.util.Objects;

/**
 * A data set resident on a backend, uploaded once: a float32 features tensor {@code [samples, featureCount]} and
 * either an int32 labels tensor {@code [samples]} or a float32 targets tensor {@code [samples, targetCount]}.
 * {@link DataLoader}s gather minibatches from it on the backend. Closing it closes its tensors; loaders reading it must
 * not be used afterwards.
 */
public final class DeviceDataset implements AutoCloseable {
    private final Backend backend;
    private final Tensor features;
    private final Tensor labels;
    private final Tensor targets;
    private final int classes;
    private final String source;

    private DeviceDataset(Backend backend, Tensor features, Tensor labels, Tensor targets, int classes,
            String source) {
        this.backend = backend;
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.classes = classes;
        this.source = source;
    }

    /** Uploads a host data set to {@code backend}: one upload per tensor, nothing kept on the host side. */
    public static DeviceDataset upload(Backend backend, Dataset data) {
        Objects.requireNonNull(backend, "backend");
        Tensor f = backend.upload(data.features(), data.samples(), data.featureCount());
        try {
            if (data.isClassification()) {
                Tensor l = backend.uploadInt(data.labels(), data.samples());
                return new DeviceDataset(backend, f, l, null, data.classes(), data.source());
            }
            Tensor t = backend.upload(data.targets(), data.samples(), data.targetCount());
            return new DeviceDataset(backend, f, null, t, 0, data.source());
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Wraps tensors already on a backend (for example synthetic data generated there); the new object owns them and
     * closes them. Exactly one of {@code labels} and {@code targets} is non-null.
     *
     * @param features float32 {@code [n, d]}
     * @param labels   int32 {@code [n]} with values in {@code [0, classes)} (not checked here), or null
     * @param targets  float32 {@code [n, k]}, or null
     * @param classes  number of classes when {@code labels} is given, else ignored
     */
    public static DeviceDataset wrap(Tensor features, Tensor labels, Tensor targets, int classes, String source) {
        Objects.requireNonNull(features, "features");
        if ((labels == null) == (targets == null)) {
            throw new IllegalArgumentException("exactly one of labels and targets must be given");
        }
        if (features.dtype() != DType.F32) {
            throw new IllegalArgumentException("features must be float32, got " + features.dtype());
        }
        Tensor y = labels != null ? labels : targets;
        if (y.backend() != features.backend()) {
            throw new IllegalArgumentException("features and labels/targets live on different backends");
        }
        if (y.rows() != features.rows()) {
            throw new IllegalArgumentException("features have " + features.rows() + " rows but labels/targets have "
                    + y.rows());
        }
        if (labels != null) {
            if (labels.dtype() != DType.I32 || labels.cols() != 1) {
                throw new IllegalArgumentException("labels must be an int32 [n] tensor");
            }
            if (classes < 1) {
                throw new IllegalArgumentException("classes must be >= 1, got " + classes);
            }
        } else if (targets.dtype() != DType.F32) {
            throw new IllegalArgumentException("targets must be float32, got " + targets.dtype());
        }
        return new DeviceDataset(features.backend(), features, labels, targets, labels != null ? classes : 0,
                source == null ? "<device data>" : source);
    }

    /** The backend holding the tensors. */
    public Backend backend() {
        return backend;
    }

    /** Float32 {@code [samples, featureCount]}. */
    public Tensor features() {
        return features;
    }

    /** Int32 {@code [samples]} class labels, or null for regression. */
    public Tensor labels() {
        return labels;
    }

    /** Float32 {@code [samples, targetCount]} targets, or null for classification. */
    public Tensor targets() {
        return targets;
    }

    /** Whether the data set has class labels. */
    public boolean isClassification() {
        return labels != null;
    }

    /** Number of samples. */
    public int samples() {
        return features.rows();
    }

    /** Features per sample. */
    public int featureCount() {
        return features.cols();
    }

    /** Number of classes (0 for regression). */
    public int classes() {
        return classes;
    }

    /** Targets per sample (0 for classification). */
    public int targetCount() {
        return targets == null ? 0 : targets.cols();
    }

    /** Where the data came from, for messages. */
    public String source() {
        return source;
    }

    /** Whether {@link #close()} has run (or the backend closed the tensors). */
    public boolean isClosed() {
        return features.isClosed();
    }

    /** Closes the tensors. Idempotent. */
    @Override
    public void close() {
        features.close();
        if (labels != null) {
            labels.close();
        }
        if (targets != null) {
            targets.close();
        }
    }

    @Override
    public String toString() {
        return source + " on " + backend.name() + ": " + samples() + " samples × " + featureCount() + " features, "
                + (labels != null ? classes + " classes" : targetCount() + " targets");
    }
}

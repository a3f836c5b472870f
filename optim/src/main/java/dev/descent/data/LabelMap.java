package dev.descent.data;

import java.util.Arrays;

/**
 * Renumbers class labels densely. Some data sets leave labels unused: Sign Language MNIST's labels are the letters
 * A–Y as 0–24 with 9 (J, which needs motion) absent, so 24 letters occur. By default descent keeps labels as they are
 * and sizes the output layer to {@code max label + 1} classes (25 for Sign Language MNIST, as torch's
 * {@code CrossEntropyLoss} needs for targets up to 24; the unused logit is simply never a target). A {@code LabelMap}
 * fitted on the training set maps the labels that occur to {@code 0 .. k−1} in increasing order instead (24 classes);
 * apply the same map to the test set.
 */
public final class LabelMap {
    private final int[] toDense;
    private final int[] toOriginal;
    private final String fittedOn;

    private LabelMap(int[] toDense, int[] toOriginal, String fittedOn) {
        this.toDense = toDense;
        this.toOriginal = toOriginal;
        this.fittedOn = fittedOn;
    }

    /** The map from the labels occurring in {@code train}, in increasing order, to {@code 0, 1, …}. */
    public static LabelMap fit(Dataset train) {
        int[] counts = train.labelCounts();
        int[] toDense = new int[counts.length];
        Arrays.fill(toDense, -1);
        int k = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                toDense[c] = k++;
            }
        }
        int[] toOriginal = new int[k];
        for (int c = 0; c < counts.length; c++) {
            if (toDense[c] >= 0) {
                toOriginal[toDense[c]] = c;
            }
        }
        return new LabelMap(toDense, toOriginal, train.source());
    }

    /** Number of classes after renumbering. */
    public int classes() {
        return toOriginal.length;
    }

    /** The original label of dense class {@code dense}. */
    public int original(int dense) {
        return toOriginal[dense];
    }

    /** The dense class of original label {@code label}, or -1 when it did not occur in the training set. */
    public int dense(int label) {
        return label >= 0 && label < toDense.length ? toDense[label] : -1;
    }

    /** Whether the map renumbers anything (false when every label below the maximum occurs). */
    public boolean isIdentity() {
        return toOriginal.length == toDense.length;
    }

    /**
     * The data set with renumbered labels and {@link #classes()} classes.
     *
     * @throws DataFormatException naming the first sample whose label did not occur in the training set
     */
    public Dataset apply(Dataset data) throws DataFormatException {
        int[] labels = data.labels();
        if (labels == null) {
            throw new IllegalArgumentException(data.source() + " has no class labels to renumber");
        }
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int d = dense(labels[i]);
            if (d < 0) {
                throw new DataFormatException(data.source(), "sample " + i, "label " + labels[i]
                        + " does not occur in the training set " + fittedOn);
            }
            out[i] = d;
        }
        return Dataset.classification(data.source(), data.features(), data.samples(), data.featureCount(), out,
                classes());
    }

    @Override
    public String toString() {
        return "LabelMap" + Arrays.toString(toOriginal) + " -> 0.." + (toOriginal.length - 1);
    }
}

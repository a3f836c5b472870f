package dev.descent.train;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs for a k-class classifier: {@code count(t, p)} is the number of
 * samples of class t predicted as p. Immutable.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    /**
     * @param counts row-major k×k counts, rows the true class
     */
    public ConfusionMatrix(int classes, long[] counts) {
        if (classes < 1 || counts.length != (long) classes * classes) {
            throw new IllegalArgumentException("confusion matrix of " + classes + " classes needs " + classes + "x"
                    + classes + " counts, got " + counts.length);
        }
        this.classes = classes;
        this.counts = counts.clone();
    }

    /** Number of classes k. */
    public int classes() {
        return classes;
    }

    /** Samples of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual * classes + predicted];
    }

    /** All counts, row-major (a copy). */
    public long[] counts() {
        return counts.clone();
    }

    /** Number of samples. */
    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** Correctly classified samples (the diagonal). */
    public long correct() {
        long c = 0;
        for (int i = 0; i < classes; i++) {
            c += counts[i * classes + i];
        }
        return c;
    }

    /** correct / total (NaN when empty). */
    public double accuracy() {
        long t = total();
        return t == 0 ? Double.NaN : (double) correct() / t;
    }

    /** Recall of one class: count(c, c) / samples of class c (NaN when the class has no samples). */
    public double recall(int c) {
        long row = 0;
        for (int p = 0; p < classes; p++) {
            row += counts[c * classes + p];
        }
        return row == 0 ? Double.NaN : (double) counts[c * classes + c] / row;
    }

    /** A text table, rows true classes, columns predictions. */
    public String format() {
        int[] labels = new int[classes];
        for (int i = 0; i < classes; i++) {
            labels[i] = i;
        }
        return format(labels);
    }

    /** A text table, rows true classes, columns predictions, each class shown by its label {@code labels[c]}. */
    public String format(int[] labels) {
        if (labels.length != classes) {
            throw new IllegalArgumentException(labels.length + " labels for " + classes + " classes");
        }
        int width = 1;
        for (int l : labels) {
            width = Math.max(width, String.valueOf(l).length());
        }
        for (long c : counts) {
            width = Math.max(width, Long.toString(c).length());
        }
        StringBuilder sb = new StringBuilder();
        String cell = "%" + (width + 1) + "s";
        sb.append(String.format(cell, "t\\p"));
        for (int p = 0; p < classes; p++) {
            sb.append(String.format(cell, labels[p]));
        }
        sb.append('\n');
        for (int t = 0; t < classes; t++) {
            sb.append(String.format(cell, labels[t]));
            for (int p = 0; p < classes; p++) {
                sb.append(String.format(cell, counts[t * classes + p]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && m.classes == classes && Arrays.equals(m.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * classes + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix[" + classes + " classes, accuracy " + accuracy() + "]";
    }
}

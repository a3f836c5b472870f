package dev.descent.train;

/**
 * Per-class and averaged precision, recall and F1 of a classifier, computed from its {@link ConfusionMatrix} (counts
 * only, so the same from one process or from the allreduced counts of many). Immutable.
 *
 * <p>For class c with TP = {@code count(c, c)}, support = its row sum (samples of class c) and predicted = its column
 * sum (samples predicted as c):
 * <ul>
 * <li>precision = TP / predicted, recall = TP / support, F1 = 2·TP / (support + predicted) (the harmonic mean of the
 * two);</li>
 * <li>a ratio whose denominator is 0 is 0: a class never predicted has precision 0, a class with no samples has
 * recall 0, and one with neither has F1 0 (scikit-learn's {@code zero_division=0}). {@link #zeroDivisions()} lists
 * them.</li>
 * </ul>
 * The macro average is the plain mean over the classes that occur among the true or the predicted labels (as
 * scikit-learn's {@code average='macro'} with {@code labels=None}): a class of the model that is neither present
 * nor predicted is left out, instead of counting as 0. The weighted average weighs each class by its support. The
 * figures equal scikit-learn's {@code precision_recall_fscore_support} on the same labels.
 *
 * <pre>{@code
 * ClassificationMetrics m = evaluation.metrics();            // or ClassificationMetrics.of(confusionMatrix)
 * System.out.printf("macro F1 %.4f, weighted F1 %.4f%n", m.macroF1(), m.weightedF1());
 * for (int c = 0; c < m.classes(); c++) {
 *     System.out.printf("%d: precision %.3f recall %.3f f1 %.3f support %d%n",
 *             c, m.precision(c), m.recall(c), m.f1(c), m.support(c));
 * }
 * }</pre>
 */
public final class ClassificationMetrics {
    private final ConfusionMatrix confusion;
    private final int classes;
    private final long[] support;
    private final long[] predicted;
    private final long[] truePositives;
    private final long total;
    private final int averaged;

    private ClassificationMetrics(ConfusionMatrix confusion) {
        this.confusion = confusion;
        this.classes = confusion.classes();
        this.support = new long[classes];
        this.predicted = new long[classes];
        this.truePositives = new long[classes];
        long t = 0;
        for (int a = 0; a < classes; a++) {
            for (int p = 0; p < classes; p++) {
                long n = confusion.count(a, p);
                support[a] += n;
                predicted[p] += n;
                t += n;
            }
            truePositives[a] = confusion.count(a, a);
        }
        this.total = t;
        int k = 0;
        for (int c = 0; c < classes; c++) {
            if (present(c)) {
                k++;
            }
        }
        this.averaged = k;
    }

    /** The metrics of a confusion matrix. */
    public static ClassificationMetrics of(ConfusionMatrix confusion) {
        if (confusion == null) {
            throw new IllegalArgumentException("no confusion matrix (a regression model's evaluation has none)");
        }
        return new ClassificationMetrics(confusion);
    }

    /** The confusion matrix these metrics come from. */
    public ConfusionMatrix confusion() {
        return confusion;
    }

    /** Number of classes of the model. */
    public int classes() {
        return classes;
    }

    /** Samples counted. */
    public long total() {
        return total;
    }

    /** Fraction classified correctly (NaN when there are no samples). */
    public double accuracy() {
        return confusion.accuracy();
    }

    /** Samples whose true class is {@code c}. */
    public long support(int c) {
        return support[check(c)];
    }

    /** Samples predicted as class {@code c}. */
    public long predicted(int c) {
        return predicted[check(c)];
    }

    /** Samples of class {@code c} predicted as {@code c}. */
    public long truePositives(int c) {
        return truePositives[check(c)];
    }

    /** TP / predicted; 0 when the class was never predicted. */
    public double precision(int c) {
        check(c);
        return predicted[c] == 0 ? 0.0 : (double) truePositives[c] / predicted[c];
    }

    /** TP / support; 0 when the class has no samples. */
    public double recall(int c) {
        check(c);
        return support[c] == 0 ? 0.0 : (double) truePositives[c] / support[c];
    }

    /** 2·TP / (support + predicted), the harmonic mean of precision and recall; 0 when both counts are 0. */
    public double f1(int c) {
        check(c);
        long d = support[c] + predicted[c];
        return d == 0 ? 0.0 : 2.0 * truePositives[c] / d;
    }

    /** Whether class {@code c} occurs among the true or the predicted labels (takes part in the macro average). */
    public boolean present(int c) {
        return support[check(c)] > 0 || predicted[c] > 0;
    }

    /** The number of classes the macro average is taken over (those {@link #present}). */
    public int averagedClasses() {
        return averaged;
    }

    /** Mean precision over the {@link #present} classes (NaN when there are no samples). */
    public double macroPrecision() {
        return macro(Metric.PRECISION);
    }

    /** Mean recall over the {@link #present} classes (NaN when there are no samples). */
    public double macroRecall() {
        return macro(Metric.RECALL);
    }

    /** Mean F1 over the {@link #present} classes (NaN when there are no samples). */
    public double macroF1() {
        return macro(Metric.F1);
    }

    /** Precision averaged with the classes' supports as weights (NaN when there are no samples). */
    public double weightedPrecision() {
        return weighted(Metric.PRECISION);
    }

    /** Recall averaged with the classes' supports as weights; equals the accuracy (NaN when there are no samples). */
    public double weightedRecall() {
        return weighted(Metric.RECALL);
    }

    /** F1 averaged with the classes' supports as weights (NaN when there are no samples). */
    public double weightedF1() {
        return weighted(Metric.F1);
    }

    /**
     * The classes whose precision or recall had a zero denominator and was set to 0, each with what was missing, e.g.
     * {@code "class 3: no samples"}, {@code "class 5: never predicted"}, {@code "class 7: no samples and never
     * predicted"}; empty when there are none.
     */
    public java.util.List<String> zeroDivisions() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int c = 0; c < classes; c++) {
            String why = zeroDivision(c);
            if (why != null) {
                out.add("class " + c + ": " + why);
            }
        }
        return out;
    }

    /**
     * What makes a metric of class {@code c} a 0 by definition: {@code "no samples"} (recall), {@code "never
     * predicted"} (precision), {@code "no samples and never predicted"} (all three, and the class is left out of the
     * macro average); null when both denominators are positive.
     */
    public String zeroDivision(int c) {
        check(c);
        if (support[c] == 0 && predicted[c] == 0) {
            return "no samples and never predicted";
        }
        if (support[c] == 0) {
            return "no samples";
        }
        if (predicted[c] == 0) {
            return "never predicted";
        }
        return null;
    }

    private enum Metric { PRECISION, RECALL, F1 }

    private double value(Metric m, int c) {
        return switch (m) {
            case PRECISION -> precision(c);
            case RECALL -> recall(c);
            case F1 -> f1(c);
        };
    }

    private double macro(Metric m) {
        if (averaged == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int c = 0; c < classes; c++) {
            if (present(c)) {
                s += value(m, c);
            }
        }
        return s / averaged;
    }

    private double weighted(Metric m) {
        if (total == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int c = 0; c < classes; c++) {
            if (support[c] > 0) {
                s += value(m, c) * support[c];
            }
        }
        return s / total;
    }

    private int check(int c) {
        if (c < 0 || c >= classes) {
            throw new IndexOutOfBoundsException("class " + c + " of " + classes);
        }
        return c;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "accuracy %.4f, macro precision %.4f recall %.4f F1 %.4f, "
                + "weighted precision %.4f recall %.4f F1 %.4f (%d samples, %d classes)", accuracy(), macroPrecision(),
                macroRecall(), macroF1(), weightedPrecision(), weightedRecall(), weightedF1(), total, classes);
    }
}

package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.model.Probabilities;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Precision, recall and F1 from a confusion matrix against cases computed by hand (scikit-learn's documented example
 * among them) and against a test-only implementation that works on the label lists directly, with the textbook
 * formulas, on random predictions.
 */
class ClassificationMetricsTest {
    private static final double EPS = 1e-15;

    private static ConfusionMatrix confusion(int classes, int[] truth, int[] predicted) {
        long[] counts = new long[classes * classes];
        for (int i = 0; i < truth.length; i++) {
            counts[truth[i] * classes + predicted[i]]++;
        }
        return new ConfusionMatrix(classes, counts);
    }

    /** scikit-learn's precision_recall_fscore_support example: cat, dog, pig as 0, 1, 2. */
    @Test
    void scikitLearnsDocumentedExample() {
        ClassificationMetrics m = ClassificationMetrics.of(confusion(3, new int[] {0, 1, 2, 0, 1, 2},
                new int[] {0, 2, 1, 0, 0, 1}));
        assertEquals(2.0 / 3, m.precision(0), EPS);
        assertEquals(1.0, m.recall(0), EPS);
        assertEquals(0.8, m.f1(0), EPS);
        for (int c = 1; c < 3; c++) {
            assertEquals(0.0, m.precision(c));
            assertEquals(0.0, m.recall(c));
            assertEquals(0.0, m.f1(c));
            assertEquals(2, m.support(c));
        }
        // sklearn: average='macro' -> (0.22..., 0.33..., 0.26...), average='weighted' -> the same here
        assertEquals(2.0 / 9, m.macroPrecision(), EPS);
        assertEquals(1.0 / 3, m.macroRecall(), EPS);
        assertEquals(0.8 / 3, m.macroF1(), EPS);
        assertEquals(2.0 / 9, m.weightedPrecision(), EPS);
        assertEquals(1.0 / 3, m.weightedRecall(), EPS);
        assertEquals(0.8 / 3, m.weightedF1(), EPS);
        assertEquals(1.0 / 3, m.accuracy(), EPS);
        assertEquals(3, m.averagedClasses());
        assertTrue(m.zeroDivisions().isEmpty(), m.zeroDivisions().toString());
    }

    /**
     * zero_division=0: class 3 has a sample but is never predicted (precision 0), class 2 neither occurs nor is
     * predicted (all 0, and left out of the macro average, as scikit-learn's labels=None leaves it out).
     */
    @Test
    void aClassNeverPredictedOrAbsentCountsAsZero() {
        ClassificationMetrics m = ClassificationMetrics.of(confusion(4, new int[] {0, 0, 1, 1, 3},
                new int[] {0, 1, 1, 1, 0}));
        assertEquals(0.5, m.precision(0), EPS);
        assertEquals(0.5, m.recall(0), EPS);
        assertEquals(0.5, m.f1(0), EPS);
        assertEquals(2.0 / 3, m.precision(1), EPS);
        assertEquals(1.0, m.recall(1), EPS);
        assertEquals(0.8, m.f1(1), EPS);
        assertEquals(0.0, m.precision(3));
        assertEquals(0.0, m.recall(3));
        assertEquals(0.0, m.f1(3));
        assertEquals(0.0, m.precision(2));
        assertEquals(0.0, m.recall(2));
        assertEquals(0.0, m.f1(2));
        assertFalse(m.present(2));
        assertTrue(m.present(3));
        assertEquals(3, m.averagedClasses());
        assertEquals((0.5 + 2.0 / 3 + 0) / 3, m.macroPrecision(), EPS);
        assertEquals((0.5 + 1 + 0) / 3, m.macroRecall(), EPS);
        assertEquals((0.5 + 0.8 + 0) / 3, m.macroF1(), EPS);
        assertEquals((0.5 * 2 + 2.0 / 3 * 2 + 0 * 1) / 5, m.weightedPrecision(), EPS);
        assertEquals((0.5 * 2 + 1.0 * 2 + 0 * 1) / 5, m.weightedRecall(), EPS);
        assertEquals((0.5 * 2 + 0.8 * 2 + 0 * 1) / 5, m.weightedF1(), EPS);
        assertEquals(List.of("class 2: no samples and never predicted", "class 3: never predicted"),
                m.zeroDivisions());
        assertEquals("never predicted", m.zeroDivision(3));
        assertEquals(null, m.zeroDivision(0));
    }

    /** A class predicted but with no samples: precision 0 (all its predictions wrong), recall 0 by definition. */
    @Test
    void aPredictedClassWithoutSamplesCountsAsZero() {
        ClassificationMetrics m = ClassificationMetrics.of(confusion(2, new int[] {0, 0}, new int[] {0, 1}));
        assertEquals(1.0, m.precision(0), EPS);
        assertEquals(0.5, m.recall(0), EPS);
        assertEquals(2.0 / 3, m.f1(0), EPS);
        assertEquals(0.0, m.precision(1));
        assertEquals(0.0, m.recall(1));
        assertEquals(0.0, m.f1(1));
        assertEquals(2, m.averagedClasses());
        assertEquals(0.5, m.macroPrecision(), EPS);
        assertEquals(0.25, m.macroRecall(), EPS);
        assertEquals(1.0 / 3, m.macroF1(), EPS);
        // weighted: only class 0 has samples
        assertEquals(1.0, m.weightedPrecision(), EPS);
        assertEquals(0.5, m.weightedRecall(), EPS);
        assertEquals(2.0 / 3, m.weightedF1(), EPS);
        assertEquals(List.of("class 1: no samples"), m.zeroDivisions());
    }

    @Test
    void noSamplesGiveNaNAverages() {
        ClassificationMetrics m = ClassificationMetrics.of(new ConfusionMatrix(3, new long[9]));
        assertTrue(Double.isNaN(m.macroF1()));
        assertTrue(Double.isNaN(m.weightedPrecision()));
        assertTrue(Double.isNaN(m.accuracy()));
        assertEquals(0.0, m.f1(1));
        assertEquals(0, m.averagedClasses());
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(null));
        assertThrows(IndexOutOfBoundsException.class, () -> m.precision(3));
    }

    /** The test-only reference: straight from the label lists, P = TP/(TP+FP), F1 = 2PR/(P+R), 0 on 0/0. */
    private record Reference(double[] precision, double[] recall, double[] f1, long[] support, double macroP,
            double macroR, double macroF1, double weightedP, double weightedR, double weightedF1) {
        static Reference of(int classes, int[] truth, int[] pred) {
            double[] p = new double[classes];
            double[] r = new double[classes];
            double[] f = new double[classes];
            long[] support = new long[classes];
            TreeSet<Integer> labels = new TreeSet<>();
            for (int i = 0; i < truth.length; i++) {
                labels.add(truth[i]);
                labels.add(pred[i]);
            }
            for (int c = 0; c < classes; c++) {
                long tp = 0;
                long fp = 0;
                long fn = 0;
                for (int i = 0; i < truth.length; i++) {
                    if (pred[i] == c && truth[i] == c) {
                        tp++;
                    } else if (pred[i] == c) {
                        fp++;
                    } else if (truth[i] == c) {
                        fn++;
                    }
                }
                support[c] = tp + fn;
                p[c] = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
                r[c] = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
                f[c] = p[c] + r[c] == 0 ? 0 : 2 * p[c] * r[c] / (p[c] + r[c]);
            }
            double mp = 0;
            double mr = 0;
            double mf = 0;
            for (int c : labels) {
                mp += p[c];
                mr += r[c];
                mf += f[c];
            }
            double wp = 0;
            double wr = 0;
            double wf = 0;
            for (int c = 0; c < classes; c++) {
                wp += p[c] * support[c];
                wr += r[c] * support[c];
                wf += f[c] * support[c];
            }
            int n = labels.size();
            int total = truth.length;
            return new Reference(p, r, f, support, mp / n, mr / n, mf / n, wp / total, wr / total, wf / total);
        }
    }

    @Test
    void matchesAStraightforwardImplementationOnRandomPredictions() {
        Random rnd = new Random(2201);
        for (int trial = 0; trial < 200; trial++) {
            int classes = 2 + rnd.nextInt(24);
            int n = 1 + rnd.nextInt(300);
            int[] truth = new int[n];
            int[] pred = new int[n];
            // some classes left out of the truth or the predictions, some predictions mostly right
            int missingTruth = rnd.nextInt(classes);
            int missingPred = rnd.nextInt(classes);
            for (int i = 0; i < n; i++) {
                do {
                    truth[i] = rnd.nextInt(classes);
                } while (truth[i] == missingTruth && classes > 1 && rnd.nextInt(4) > 0);
                do {
                    pred[i] = rnd.nextInt(3) == 0 ? truth[i] : rnd.nextInt(classes);
                } while (pred[i] == missingPred && rnd.nextInt(4) > 0);
            }
            ClassificationMetrics m = ClassificationMetrics.of(confusion(classes, truth, pred));
            Reference ref = Reference.of(classes, truth, pred);
            String at = "trial " + trial;
            for (int c = 0; c < classes; c++) {
                assertEquals(ref.precision[c], m.precision(c), 1e-12, at);
                assertEquals(ref.recall[c], m.recall(c), 1e-12, at);
                assertEquals(ref.f1[c], m.f1(c), 1e-12, at);
                assertEquals(ref.support[c], m.support(c), at);
            }
            assertEquals(ref.macroP, m.macroPrecision(), 1e-12, at);
            assertEquals(ref.macroR, m.macroRecall(), 1e-12, at);
            assertEquals(ref.macroF1, m.macroF1(), 1e-12, at);
            assertEquals(ref.weightedP, m.weightedPrecision(), 1e-12, at);
            assertEquals(ref.weightedR, m.weightedRecall(), 1e-12, at);
            assertEquals(ref.weightedF1, m.weightedF1(), 1e-12, at);
            assertEquals(m.accuracy(), m.weightedRecall(), 1e-12, "weighted recall is the accuracy");
        }
    }

    @Test
    void probabilitiesAndTheLogLossClip() {
        double[] p = new double[3];
        Probabilities.of(new float[] {9f, 1f, 2f, 3f}, 1, 3, p);
        double s = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertEquals(Math.exp(1) / s, p[0], 1e-15);
        assertEquals(Math.exp(2) / s, p[1], 1e-15);
        assertEquals(Math.exp(3) / s, p[2], 1e-15);
        Probabilities.of(new float[] {1000f, -1000f, 0f}, 0, 3, p);
        assertEquals(1.0, p[0]);
        assertEquals(0.0, p[1]);
        double[] two = new double[2];
        Probabilities.of(new float[] {0.5f}, 0, 1, two);
        assertEquals(1 / (1 + Math.exp(-0.5)), two[1], 1e-15);
        assertEquals(1 - two[1], two[0], 1e-15);
        Probabilities.of(new float[] {-800f}, 0, 1, two);
        assertEquals(1.0, two[0]);
        assertEquals(0.0, two[1]);

        assertEquals(Math.pow(2, -52), Probabilities.LOG_LOSS_EPSILON);
        assertEquals(-Math.log(Math.pow(2, -52)), Probabilities.logLoss(0.0), 1e-12);
        assertEquals(36.04365338911715, Probabilities.logLoss(0.0), 1e-12);
        assertEquals(-Math.log(1 - Math.pow(2, -52)), Probabilities.logLoss(1.0));
        assertEquals(-Math.log(0.25), Probabilities.logLoss(0.25));
    }

    @Test
    void topKDefaults() {
        assertEquals(0, EvaluationOptions.defaultTopK(5));
        assertEquals(5, EvaluationOptions.defaultTopK(6));
        assertEquals(5, EvaluationOptions.detailed().topKFor(24));
        assertEquals(0, EvaluationOptions.detailed().topKFor(2));
        assertEquals(0, EvaluationOptions.basic().topKFor(24));
        assertEquals(3, EvaluationOptions.detailed().withTopK(3).topKFor(4));
        assertThrows(IllegalArgumentException.class, () -> EvaluationOptions.detailed().withTopK(-1));
    }
}

package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    @Test
    void countsAndRates() {
        ConfusionMatrix m = new ConfusionMatrix(3, new long[] {5, 1, 0, 2, 7, 1, 0, 0, 4});
        assertEquals(20, m.total());
        assertEquals(16, m.correct());
        assertEquals(0.8, m.accuracy(), 1e-15);
        assertEquals(2, m.count(1, 0));
        assertEquals(7.0 / 10, m.recall(1), 1e-15);
        assertTrue(m.format().contains("t\\p"));
        assertEquals(m, new ConfusionMatrix(3, m.counts()));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(2, new long[3]));
        assertTrue(Double.isNaN(new ConfusionMatrix(2, new long[4]).accuracy()));
    }

    @Test
    void earlyStoppingValidates() {
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.of(0, 0.0));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.of(1, -1e-3));
        assertEquals(EarlyStopping.Monitor.AUTO, new EarlyStopping(2, 0, null).monitor());
    }

    @Test
    void divergenceMessage() {
        Divergence d = new Divergence(3, 117, 1000, Double.NaN, Divergence.describeLoss(Double.NaN));
        assertEquals("diverged at epoch 3, step 117: loss is NaN", d.message());
        assertEquals("loss is +Infinity", Divergence.describeLoss(Double.POSITIVE_INFINITY));
    }
}

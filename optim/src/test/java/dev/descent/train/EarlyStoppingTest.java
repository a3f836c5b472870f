package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.train.EarlyStopping.Monitor;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

    @Test
    void aLossMustFallAndAnAccuracyRiseByMoreThanMinDelta() {
        EarlyStopping es = EarlyStopping.of(3, 0.01);
        assertTrue(es.improves(Monitor.VAL_LOSS, 0.5, EarlyStopping.initialBest(Monitor.VAL_LOSS)));
        assertTrue(es.improves(Monitor.VAL_LOSS, 0.48, 0.5));
        assertFalse(es.improves(Monitor.VAL_LOSS, 0.495, 0.5), "by less than min delta");
        assertFalse(es.improves(Monitor.VAL_LOSS, 0.49, 0.5), "exactly min delta is not more than it");
        assertFalse(es.improves(Monitor.VAL_LOSS, 0.6, 0.5));
        assertTrue(es.improves(Monitor.VAL_ACCURACY, 0.5, EarlyStopping.initialBest(Monitor.VAL_ACCURACY)));
        assertTrue(es.improves(Monitor.VAL_ACCURACY, 0.52, 0.5));
        assertFalse(es.improves(Monitor.VAL_ACCURACY, 0.505, 0.5));
        assertFalse(es.improves(Monitor.VAL_ACCURACY, 0.4, 0.5), "a lower accuracy is worse");
        assertFalse(es.improves(Monitor.VAL_LOSS, Double.NaN, Double.POSITIVE_INFINITY), "NaN never improves");
        assertFalse(es.improves(Monitor.VAL_ACCURACY, Double.NaN, Double.NEGATIVE_INFINITY));
        EarlyStopping exact = EarlyStopping.of(1, 0);
        assertFalse(exact.improves(Monitor.TRAIN_LOSS, 0.5, 0.5), "equal is no improvement");
        assertTrue(exact.improves(Monitor.TRAIN_LOSS, Math.nextDown(0.5), 0.5));
    }

    @Test
    void monitorsHaveTheirFileNames() {
        assertEquals("val_loss", Monitor.VAL_LOSS.label());
        assertEquals("val_accuracy", Monitor.VAL_ACCURACY.label());
        assertEquals(Monitor.VAL_ACCURACY, Monitor.parse("val_accuracy"));
        assertEquals(Monitor.VAL_LOSS, Monitor.parse(" Val-Loss "));
        assertEquals(Monitor.TEST_LOSS, Monitor.parse("test_loss"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Monitor.parse("foo"));
        assertEquals("unknown early-stopping monitor 'foo'; known: val_loss, val_accuracy, test_loss, train_loss, auto",
                e.getMessage());
        assertTrue(Monitor.VAL_ACCURACY.maximized() && !Monitor.VAL_LOSS.maximized());
        assertTrue(Monitor.VAL_LOSS.needsValidation() && !Monitor.TEST_LOSS.needsValidation());
    }

    @Test
    void restoresTheBestWeightsUnlessToldNot() {
        assertTrue(EarlyStopping.of(2, 0).restoreBest());
        assertTrue(new EarlyStopping(2, 0, Monitor.VAL_LOSS).restoreBest());
        EarlyStopping last = EarlyStopping.of(2, 0).withMonitor(Monitor.VAL_ACCURACY).withRestoreBest(false);
        assertFalse(last.restoreBest());
        assertEquals(Monitor.VAL_ACCURACY, last.monitor());
        assertEquals(2, last.patience());
    }
}

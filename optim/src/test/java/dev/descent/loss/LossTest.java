package dev.descent.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LossTest {
    @Test
    void namesResolve() {
        assertEquals(Loss.CROSS_ENTROPY, Loss.fromName("ce"));
        assertEquals(Loss.CROSS_ENTROPY, Loss.fromName("Cross_Entropy"));
        assertEquals(Loss.BINARY_CROSS_ENTROPY, Loss.fromName("bce"));
        assertEquals(Loss.MSE, Loss.fromName(" MSE "));
        assertEquals(Loss.MAE, Loss.fromName("l1"));
        for (Loss l : Loss.values()) {
            assertEquals(l, Loss.fromName(l.shortName()));
        }
        assertTrue(Loss.CROSS_ENTROPY.usesClassLabels());
        assertFalse(Loss.MSE.usesClassLabels());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.fromName("hinge"));
        assertEquals("unknown loss 'hinge'; known: ce, bce, mse, mae", e.getMessage());
    }
}

package dev.descent.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LossSpecTest {
    @Test
    void namesGiveTheFusedLossesOrTheDefaults() {
        assertSame(Loss.CROSS_ENTROPY, LossSpec.parse("ce"));
        assertSame(Loss.CROSS_ENTROPY, LossSpec.parse(" Cross_Entropy() "));
        assertSame(Loss.CROSS_ENTROPY, LossSpec.parse("ce(label_smoothing=0)"));
        assertSame(Loss.BINARY_CROSS_ENTROPY, LossSpec.parse("bce"));
        assertSame(Loss.MSE, LossSpec.parse("MSE"));
        assertSame(Loss.MAE, LossSpec.parse("l1"));
        assertEquals(LossSpec.huber(1.0), LossSpec.parse("huber"));
        assertEquals(LossSpec.smoothL1(1.0), LossSpec.parse("smooth-l1"));
        assertEquals(LossSpec.smoothL1(1.0), LossSpec.parse("smooth_L1"));
        assertEquals(LossSpec.nll(), LossSpec.parse("nll"));
    }

    @Test
    void settings() {
        assertEquals(new LossSpec.Huber(0.5), LossSpec.parse("huber(delta=0.5)"));
        assertEquals(new LossSpec.SmoothL1(0.25), LossSpec.parse("smooth-l1( beta = 0.25 )"));
        LossSpec ce = LossSpec.parse("ce(label-smoothing=0.1, weight=[1, 2.5, 0])");
        LossSpec.CrossEntropy c = (LossSpec.CrossEntropy) ce;
        assertEquals(0.1, c.labelSmoothing());
        assertArrayEquals(new float[] {1f, 2.5f, 0f}, c.weight());
        assertEquals(LossSpec.crossEntropy(0.1, 1f, 2.5f, 0f), ce);
        assertEquals(LossSpec.nll(3f, 1f), LossSpec.parse("nll(weights=[3, 1])"));
        assertEquals(LossSpec.crossEntropy(0, 2f, 1f), LossSpec.parse("ce(weight=[2,1])"));
    }

    @Test
    void specReadsBack() {
        List<LossSpec> specs = List.of(Loss.CROSS_ENTROPY, Loss.BINARY_CROSS_ENTROPY, Loss.MSE, Loss.MAE,
                LossSpec.huber(1), LossSpec.huber(0.1), LossSpec.huber(1e-7), LossSpec.smoothL1(0),
                LossSpec.smoothL1(3.5), LossSpec.crossEntropy(0.1), LossSpec.crossEntropy(0, 0.1f, 1f / 3, 7f),
                LossSpec.crossEntropy(0.05, 1f, 2f), LossSpec.nll(), LossSpec.nll(0.3f, 1e-20f));
        for (LossSpec s : specs) {
            assertEquals(s, LossSpec.parse(s.spec()), s.spec());
            assertEquals(s.spec(), LossSpec.parse(s.spec()).spec());
        }
        assertEquals("huber(delta=0.5)", LossSpec.huber(0.5).spec());
        assertEquals("smooth-l1(beta=1.0)", LossSpec.smoothL1(1).spec());
        assertEquals("ce(label_smoothing=0.1)", LossSpec.crossEntropy(0.1).spec());
        assertEquals("ce(label_smoothing=0.1, weight=[1.0, 0.5])", LossSpec.crossEntropy(0.1, 1f, 0.5f).spec());
        assertEquals("ce(weight=[1.0, 0.5])", LossSpec.crossEntropy(0, 1f, 0.5f).spec());
        assertEquals("nll(weight=[2.0, 1.0])", LossSpec.nll(2f, 1f).spec());
        assertEquals("nll", LossSpec.nll().spec());
        float[] many = new float[24];
        java.util.Arrays.fill(many, 1f);
        assertEquals("ce(weight=[1.0, 1.0, 1.0, 1.0, ..., 1.0] (24 classes))",
                LossSpec.crossEntropy(0, many).describe());
    }

    @Test
    void fusedKernels() {
        for (Loss l : Loss.values()) {
            assertSame(l, l.fused());
            assertEquals(l.shortName(), l.spec());
        }
        assertSame(Loss.CROSS_ENTROPY, new LossSpec.CrossEntropy(0, null).fused());
        assertSame(Loss.CROSS_ENTROPY, LossSpec.crossEntropy(0));
        assertNull(new LossSpec.CrossEntropy(0.1, null).fused());
        assertNull(new LossSpec.CrossEntropy(0, new float[] {1, 1}).fused());
        assertSame(Loss.MAE, LossSpec.smoothL1(0).fused());
        assertNull(LossSpec.smoothL1(0.5).fused());
        assertNull(LossSpec.huber(1).fused());
        assertNull(LossSpec.nll().fused());
    }

    @Test
    void kinds() {
        assertTrue(LossSpec.huber(1).regression());
        assertTrue(LossSpec.smoothL1(1).regression());
        assertTrue(Loss.MSE.regression());
        assertFalse(Loss.BINARY_CROSS_ENTROPY.regression());
        assertFalse(Loss.BINARY_CROSS_ENTROPY.usesClassLabels());
        assertTrue(LossSpec.nll().usesClassLabels());
        assertTrue(LossSpec.crossEntropy(0.2).usesClassLabels());
        assertFalse(LossSpec.nll().regression());
    }

    @Test
    void weightsAreCopied() {
        float[] w = {1f, 2f};
        LossSpec.Nll n = LossSpec.nll(w);
        w[0] = 5f;
        assertArrayEquals(new float[] {1f, 2f}, n.weight());
        n.weight()[1] = 9f;
        assertArrayEquals(new float[] {1f, 2f}, n.weight());
    }

    @Test
    void badSettingsAreRefused() {
        assertMessage("huber: delta must be positive and finite, got 0.0", () -> LossSpec.huber(0));
        assertMessage("huber: delta must be positive and finite, got NaN", () -> LossSpec.huber(Double.NaN));
        assertMessage("smooth-l1: beta must be >= 0 and finite, got -1.0", () -> LossSpec.smoothL1(-1));
        assertMessage("ce: label_smoothing must be in [0, 1), got 1.0", () -> LossSpec.crossEntropy(1));
        assertMessage("ce: label_smoothing must be in [0, 1), got -0.1", () -> LossSpec.crossEntropy(-0.1));
        assertMessage("ce: weight of class 1 must be >= 0 and finite, got -1.0",
                () -> LossSpec.crossEntropy(0, 1f, -1f));
        assertMessage("nll: weight of class 0 must be >= 0 and finite, got NaN", () -> LossSpec.nll(Float.NaN));
        assertMessage("nll: every class weight is 0", () -> LossSpec.nll(0f, 0f));
        assertMessage("loss 'huber(delta=-1)': huber: delta must be positive and finite, got -1.0",
                () -> LossSpec.parse("huber(delta=-1)"));
        assertMessage("loss 'hinge': unknown loss 'hinge'; known: ce, bce, mse, mae, huber, smooth-l1, nll",
                () -> LossSpec.parse("hinge"));
        assertMessage("loss 'huber(beta=1)': huber: unknown setting 'beta'; known: delta",
                () -> LossSpec.parse("huber(beta=1)"));
        assertMessage("loss 'mse(delta=1)': mse: unknown setting 'delta' (it takes none)",
                () -> LossSpec.parse("mse(delta=1)"));
        assertMessage("loss 'huber(delta=x)': huber: delta 'x' is not a number",
                () -> LossSpec.parse("huber(delta=x)"));
        assertMessage("loss 'ce(weight=1)': ce: weight must be a list in brackets, e.g. weight=[1, 2.5, 1]",
                () -> LossSpec.parse("ce(weight=1)"));
        assertMessage("loss 'ce(weight=[1, a])': ce: weight 2 'a' is not a number",
                () -> LossSpec.parse("ce(weight=[1, a])"));
        assertMessage("loss 'ce(weight=[])': ce: weight is empty: give one weight per class, e.g. weight=[1, 2.5, 1]",
                () -> LossSpec.parse("ce(weight=[])"));
        assertMessage("loss 'huber(delta=1' : unexpected end, expected ',' or ')'".replace("' :", "':"),
                () -> LossSpec.parse("huber(delta=1"));
        assertMessage("loss 'huber(delta=1, delta=2)': setting delta given twice",
                () -> LossSpec.parse("huber(delta=1, delta=2)"));
        assertMessage("loss 'huber x': unexpected 'x' after the loss", () -> LossSpec.parse("huber x"));
        assertMessage("loss: empty text; known: ce, bce, mse, mae, huber, smooth-l1, nll", () -> LossSpec.parse(" "));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, e).getMessage());
    }
}

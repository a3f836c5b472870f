package dev.descent.optim;

import static dev.descent.optim.TorchScalar.f32;
import static dev.descent.optim.TorchScalar.py;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link TorchScalar} against torch 1.13: each row's results were computed by torch with these operands. */
class TorchScalarTest {

    /** a, b, then a+b, a−b, a·b, a/b as torch gives them (float literals: float32 tensors), then a<b, a≤b, a>b, a≥b. */
    private static final Object[][] TORCH = {
            {f32(-1.46034229f), f32(-1.81146479f), -3.27180719f, 0.351122499f, 2.64535856f, 0.80616653f, false, false, true, true},
            {f32(-1.81146479f), f32(-1.67428875f), -3.48575354f, -0.137176037f, 3.03291512f, 1.08193088f, true, true, false, false},
            {f32(-1.46034229f), py(0.00037), -1.45997226f, -1.46071231f, -0.00054032664f, -3946.87109f, true, true, false, false},
            {f32(-1.81146479f), py(-0.9), -2.71146488f, -0.91146481f, 1.63031828f, 2.0127387f, true, true, false, false},
            {py(0.1), f32(-1.81146479f), -1.71146476f, 1.91146481f, -0.181146488f, -0.0552039444f, false, false, true, true},
            {py(1.0000001), f32(-1.67428875f), -0.67428863f, 2.67428875f, -1.67428899f, -0.597268581f, false, false, true, true},
            {py(0.1), py(0.00037), 0.10037, 0.09963000000000001, 3.7000000000000005e-05, 270.2702702702703, false, false, true, true},
            {py(1.0000001), py(-0.9), 0.10000010000000004, 1.9000001000000002, -0.90000009, -1.1111112222222224, false, false, true, true},
    };

    @Test
    void arithmeticAndComparisonsAreTorchs() {
        for (Object[] row : TORCH) {
            TorchScalar a = (TorchScalar) row[0];
            TorchScalar b = (TorchScalar) row[1];
            TorchScalar[] got = {a.plus(b), a.minus(b), a.times(b), a.div(b)};
            String[] ops = {"+", "-", "*", "/"};
            for (int k = 0; k < 4; k++) {
                String what = a + " " + ops[k] + " " + b;
                if (row[2 + k] instanceof Float f) {
                    assertTrue(got[k].tensor(), what + " is a tensor");
                    assertEquals(f.floatValue(), got[k].asFloat(), 0f, what);
                } else {
                    assertFalse(got[k].tensor(), what + " is a Python float");
                    assertEquals((Double) row[2 + k], got[k].value(), 0.0, what);
                }
            }
            assertEquals(row[6], a.lt(b), a + " < " + b);
            assertEquals(row[7], a.le(b), a + " <= " + b);
            assertEquals(row[8], a.gt(b), a + " > " + b);
            assertEquals(row[9], a.ge(b), a + " >= " + b);
        }
    }

    @Test
    void aTensorComparesInFloat32() {
        // torch: torch.tensor(1e-7) <= 1e-7 is True (1e-7 becomes float32 first); in double it would be false
        assertTrue(f32(1e-7f).le(py(1e-7)));
        assertTrue((double) 1e-7f > 1e-7);
        // two Python floats compare in double
        assertFalse(py((double) 1e-7f).le(py(1e-7)));
    }

    @Test
    void pythonMinAndMaxReturnAnOperandUnchanged() {
        TorchScalar one = py(1.0);
        TorchScalar small = f32(0.25f);
        assertSame(small, TorchScalar.min(one, small));
        assertSame(one, TorchScalar.max(one, small));
        // equal values: the first argument (Python keeps the first of equals)
        TorchScalar alsoOne = f32(1f);
        assertSame(one, TorchScalar.min(one, alsoOne));
        assertSame(one, TorchScalar.max(one, alsoOne));
        // NaN compares false: the first argument again
        TorchScalar nan = f32(Float.NaN);
        assertSame(one, TorchScalar.min(one, nan));
    }

    @Test
    void squareAndSqrtOfATensorRoundInFloat32() {
        float x = 1.1f;
        assertEquals(x * x, f32(x).square().asFloat(), 0f);
        assertEquals((float) Math.sqrt(2f), f32(2f).sqrt().asFloat(), 0f);
        assertEquals(1.1 * 1.1, py(1.1).square().value(), 0.0);
        assertTrue(f32(2f).sqrt().tensor());
    }
}

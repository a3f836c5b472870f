package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link ScalarKernels#expNonPositive}, the exp that the softmax, the BCE and the activations use (the vector kernels
 * run its operations lane by lane, tied to it bit for bit by {@link ScalarVsVectorTest}), against {@link Math#exp}.
 */
class ExpNonPositiveTest {

    @Test
    void withinTwoUlpsOfMathExpOverTheNormalRange() {
        // every 1/4096 from -87 to 0: results from 1.6e-38 to 1
        for (int i = 0; i <= 87 * 4096; i++) {
            float x = -i / 4096f;
            float want = (float) Math.exp(x);
            float got = ScalarKernels.expNonPositive(x);
            assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), () -> "exp(" + x + ") = " + got + ", want " + want);
        }
    }

    @Test
    void subnormalResultsRoundOnce() {
        // x in [-104, -87.3]: the result is subnormal, formed by two scalings so that it is rounded once
        for (int i = 0; i <= 17 * 4096; i++) {
            float x = -87f - i / 4096f;
            float want = (float) Math.exp(x);
            float got = ScalarKernels.expNonPositive(x);
            float tol = 2 * Math.ulp(want) + want * 0x1p-22f;
            assertTrue(Math.abs(got - want) <= tol, () -> "exp(" + x + ") = " + got + ", want " + want);
        }
    }

    @Test
    void belowTheBoundItIsPlusZero() {
        float[] below = {-104.0001f, -105f, -200f, -1e30f, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        for (float x : below) {
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(ScalarKernels.expNonPositive(x)),
                    "exp(" + x + ")");
        }
        assertEquals(1f, ScalarKernels.expNonPositive(0f));
        assertEquals(1f, ScalarKernels.expNonPositive(-0f));
        assertTrue(Float.isNaN(ScalarKernels.expNonPositive(Float.NaN)));
    }
}

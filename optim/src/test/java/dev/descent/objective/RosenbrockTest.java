package dev.descent.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RosenbrockTest {

    @Test
    void lectureFormHandValues() {
        Rosenbrock r = Rosenbrock.lecture();
        assertEquals(2, r.dimension());
        assertEquals(10f, r.coefficient());
        float[] g = new float[2];
        // R(0,0) = 1; dR/dw1 = -2(1-w1) - 40 w1 (w2 - w1^2) = -2; dR/dw2 = 20 (w2 - w1^2) = 0
        assertEquals(1.0, r.valueAndGradient(new float[] {0f, 0f}, g));
        assertArrayEquals(new float[] {-2f, 0f}, g);
        // R(1,1) = 0 with zero gradient: the minimum
        assertEquals(0.0, r.valueAndGradient(new float[] {1f, 1f}, g));
        assertArrayEquals(new float[] {0f, 0f}, g);
        // R(-1,1) = 4; gradient (-4, 0)
        assertEquals(4.0, r.valueAndGradient(new float[] {-1f, 1f}, g));
        assertArrayEquals(new float[] {-4f, 0f}, g);
        // R(0,1) = 1 + 10 = 11; gradient (-2, 20)
        assertEquals(11.0, r.valueAndGradient(new float[] {0f, 1f}, g));
        assertArrayEquals(new float[] {-2f, 20f}, g);
    }

    @Test
    void nDimensionalHandValues() {
        Rosenbrock r = Rosenbrock.standard(3);
        assertEquals(100f, r.coefficient());
        float[] g = new float[3];
        // w = 0: two terms of (1-0)^2; gradient (-2, -2, 0)
        assertEquals(2.0, r.valueAndGradient(new float[3], g));
        assertArrayEquals(new float[] {-2f, -2f, 0f}, g);
        // w = (1, 1, 1): minimum
        assertEquals(0.0, r.valueAndGradient(new float[] {1f, 1f, 1f}, g));
        assertArrayEquals(new float[] {0f, 0f, 0f}, g);
        // w = (1, 0, 0): R = 0 + 100 (0-1)^2 + 1 + 0 = 101; g1 = -400*1*(0-1) = 400; g2 = 200(0-1) - 2(1-0) = -202;
        // g3 = 200 (0 - 0) = 0
        assertEquals(101.0, r.valueAndGradient(new float[] {1f, 0f, 0f}, g));
        assertArrayEquals(new float[] {400f, -202f, 0f}, g);
    }

    /** Values and gradients from torch 1.13 autograd on float32 tensors, bit for bit (see Rosenbrock's javadoc). */
    @Test
    void matchesTorchAutogradBitForBit() {
        check(new int[] {0xbfc00000, 0x40000000}, 10f, 0x40dc0000, new int[] {0xc1a00000, 0xc0a00000});
        check(new int[] {0x3e99999a, 0xbf333333}, 10f, 0x40d76458, new int[] {0x410147ae, 0xc17ccccc});
        check(new int[] {0x3f9e0419, 0x3fc00000}, 10f, 0x3d78d072, new int[] {0x3fd3aaaa, 0xbef5a960});
        check(new int[] {0xbf4ccccd, 0x3dcccccd, 0x3fd9999a, 0xc0133333, 0x3f0ccccd}, 100f, 0x45a4b48f,
                new int[] {0xc3306668, 0xc3316667, 0x4571c99a, 0xc5a8eb33, 0xc46cffff});
        check(new int[] {0x40066666, 0xbfa66666, 0x3d4ccccd, 0x3f666666, 0x3f8ccccd, 0xbecccccd, 0x40533333,
                0x3e4ccccd, 0xbff33333}, 100f, 0x46825590,
                new int[] {0x4595f4cb, 0xc4f9ecc9, 0xc3adeccc, 0x4295ccca, 0x443fa667, 0x43319999, 0x46665d99,
                        0xc4f80ccd, 0xc3c20000});
    }

    private static void check(int[] wBits, float c, int valueBits, int[] gradBits) {
        float[] w = new float[wBits.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Float.intBitsToFloat(wBits[i]);
        }
        Rosenbrock r = new Rosenbrock(w.length, c);
        float[] g = new float[w.length];
        double v = r.valueAndGradient(w, g);
        assertEquals(valueBits, Float.floatToRawIntBits((float) v), "value at n=" + w.length);
        for (int i = 0; i < w.length; i++) {
            assertEquals(gradBits[i], Float.floatToRawIntBits(g[i]), "gradient " + i + " at n=" + w.length
                    + ": " + g[i] + " vs " + Float.intBitsToFloat(gradBits[i]));
        }
    }

    /** The float32 gradient against central differences of the function evaluated in double. */
    @Test
    void gradientMatchesCentralDifferences() {
        Random rnd = new Random(5);
        for (int n : new int[] {2, 3, 4, 7, 10}) {
            for (float c : new float[] {10f, 100f, 2.5f}) {
                Rosenbrock r = new Rosenbrock(n, c);
                for (int trial = 0; trial < 20; trial++) {
                    float[] w = new float[n];
                    for (int i = 0; i < n; i++) {
                        w[i] = (float) (rnd.nextGaussian() * 1.5);
                    }
                    float[] g = new float[n];
                    r.gradient(w, g);
                    for (int i = 0; i < n; i++) {
                        double h = 1e-4;
                        double up = valueInDouble(w, c, i, h);
                        double down = valueInDouble(w, c, i, -h);
                        double fd = (up - down) / (2 * h);
                        assertEquals(fd, g[i], 1e-5 * Math.max(1.0, Math.abs(fd)) + 1e-4,
                                "n=" + n + " c=" + c + " i=" + i);
                    }
                }
            }
        }
    }

    private static double valueInDouble(float[] w, float c, int at, double h) {
        double s = 0;
        for (int i = 0; i < w.length - 1; i++) {
            double wi = w[i] + (i == at ? h : 0);
            double wn = w[i + 1] + (i + 1 == at ? h : 0);
            s += (1 - wi) * (1 - wi) + c * (wn - wi * wi) * (wn - wi * wi);
        }
        return s;
    }

    @Test
    void nonFiniteInputsGiveNonFiniteResults() {
        Rosenbrock r = Rosenbrock.lecture();
        float[] g = new float[2];
        double v = r.valueAndGradient(new float[] {Float.NaN, 1f}, g);
        assertTrue(Double.isNaN(v));
        assertTrue(Float.isNaN(g[0]));
        v = r.value(new float[] {1e30f, 1e30f});
        assertTrue(Double.isInfinite(v));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new Rosenbrock(1, 10f));
        assertThrows(IllegalArgumentException.class, () -> new Rosenbrock(2, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> Rosenbrock.lecture().value(new float[3]));
        assertEquals("rosenbrock n=2 c=10", Rosenbrock.lecture().describe());
        assertEquals("rosenbrock n=5 c=100", Rosenbrock.standard(5).describe());
    }

    @Test
    void objectiveOfLambdas() {
        Objective bowl = Objective.of(2, w -> w[0] * w[0] + 4f * w[1] * w[1], (w, g) -> {
            g[0] = 2f * w[0];
            g[1] = 8f * w[1];
        });
        float[] g = new float[2];
        assertEquals(5.0, bowl.valueAndGradient(new float[] {1f, 1f}, g));
        assertArrayEquals(new float[] {2f, 8f}, g);
        assertThrows(IllegalArgumentException.class, () -> Objective.of(0, w -> 0, (w, g2) -> { }));
    }
}

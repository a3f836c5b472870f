package dev.descent.objective;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrajectorySampleTest {
    private static void feed(TrajectorySample s, int rows) {
        float[] w = new float[2];
        for (int k = 0; k < rows; k++) {
            w[0] = k;
            w[1] = -k;
            s.row(k, w, 1.0 / (k + 1));
        }
    }

    @Test
    void aShortRunIsKeptWhole() {
        TrajectorySample s = new TrajectorySample(2);
        int rows = TrajectorySample.DEFAULT_HEAD + TrajectorySample.DEFAULT_CAPACITY;
        feed(s, rows);
        assertTrue(s.complete());
        assertEquals(rows, s.size());
        assertEquals(1, s.stride());
        for (int i = 0; i < rows; i++) {
            assertEquals(i, s.step(i));
            assertEquals(i, s.parameter(i, 0));
            assertEquals(-i, s.parameter(i, 1));
            assertEquals(1.0 / (i + 1), s.value(i));
        }
    }

    /** Millions of rows: the sample stays within its bound and keeps the start, the end and the early decades. */
    @Test
    void aLongRunStaysBoundedAndKeepsWhatThePlotsNeed() {
        TrajectorySample s = new TrajectorySample(2);
        int rows = 5_000_000;
        feed(s, rows);
        assertEquals(rows, s.rowsSeen());
        assertFalse(s.complete());
        assertTrue(s.size() <= s.bound(), s.size() + " > " + s.bound());
        assertTrue(s.bound() < 12_000, "bound " + s.bound());
        int[] steps = s.steps();
        for (int i = 1; i < steps.length; i++) {
            assertTrue(steps[i] > steps[i - 1], "in step order at " + i);
        }
        assertEquals(0, steps[0]);
        assertEquals(rows - 1, steps[steps.length - 1], "the last row");
        for (int k = 0; k < TrajectorySample.DEFAULT_HEAD; k++) {
            assertEquals(k, steps[k], "the head is whole");
        }
        // every decade of a log step axis holds points: at least 40 between 1e3 and 1e4, 1e4 and 1e5, ...
        for (int lo = 1000; lo < 1_000_000; lo *= 10) {
            int from = lo;
            long inDecade = java.util.Arrays.stream(steps).filter(k -> k >= from && k < from * 10).count();
            assertTrue(inDecade >= 40, inDecade + " points in [" + lo + ", " + 10 * lo + ")");
        }
        // and the path is sampled evenly: no gap wider than two strides
        for (int i = 1; i < steps.length; i++) {
            assertTrue(steps[i] - steps[i - 1] <= 2 * s.stride(), "gap at " + steps[i - 1]);
        }
        // the values and parameters belong to their steps
        for (int i = 0; i < steps.length; i++) {
            assertEquals(steps[i], s.parameter(i, 0));
            assertEquals(1.0 / (steps[i] + 1), s.value(i));
        }
    }

    @Test
    void theBoundHoldsAtEveryMoment() {
        TrajectorySample s = new TrajectorySample(1, 10, 50, 5);
        float[] w = new float[1];
        for (int k = 0; k < 200_000; k++) {
            s.row(k, w, k);
            if (k % 997 == 0) {
                assertTrue(s.size() <= s.bound(), "at " + k + ": " + s.size() + " > " + s.bound());
            }
        }
        // head + capacity + 5 log-spaced rows per decade up to 2^31 + the divergence, last and last finite rows
        assertTrue(s.bound() <= 10 + 50 + 5 * 9 + 5, "bound " + s.bound());
    }

    /** Where a run diverges, the row before and the first bad row are kept, and the last finite row too. */
    @Test
    void divergenceAndTheLastFiniteRowAreKept() {
        TrajectorySample s = new TrajectorySample(2, 10, 20, 2);
        float[] w = new float[2];
        int bad = 777_777;
        for (int k = 0; k < 1_000_000; k++) {
            float x = k < bad ? k : Float.NaN;
            w[0] = x;
            w[1] = x;
            s.row(k, w, x);
        }
        int[] steps = s.steps();
        assertTrue(contains(steps, bad - 1), "the row before it diverged");
        assertTrue(contains(steps, bad), "the first diverged row");
        int at = java.util.Arrays.binarySearch(steps, bad - 1);
        assertEquals(bad - 1, s.parameter(at, 0));
        assertTrue(Double.isNaN(s.value(at + 1)));
        assertEquals(999_999, steps[steps.length - 1]);

        // finite parameters again after a non-finite value: the last finite row is merged in its place
        TrajectorySample t = new TrajectorySample(1, 2, 4, 1);
        float[] p = new float[1];
        for (int k = 0; k < 1000; k++) {
            p[0] = k == 999 || k > 500 ? Float.POSITIVE_INFINITY : k;
            t.row(k, p, k);
        }
        assertTrue(contains(t.steps(), 500), java.util.Arrays.toString(t.steps()));
        assertTrue(contains(t.steps(), 999));
    }

    @Test
    void rowsMustComeInOrder() {
        TrajectorySample s = new TrajectorySample(2);
        s.row(0, new float[2], 1);
        assertThrows(IllegalArgumentException.class, () -> s.row(0, new float[2], 1));
        assertThrows(IllegalArgumentException.class, () -> s.row(5, new float[1], 1));
        assertThrows(IllegalArgumentException.class, () -> new TrajectorySample(2, 0, 10, 10));
        assertArrayEquals(new int[] {0}, s.steps());
    }

    private static boolean contains(int[] a, int v) {
        return java.util.Arrays.binarySearch(a, v) >= 0;
    }
}

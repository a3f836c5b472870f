package dev.descent.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EpochOrderTest {

    /** Values printed by src/test/resources/dev/descent/data/epoch_order_reference.py, written from the javadoc. */
    @Test
    void matchesTheIndependentReference() {
        assertArrayEquals(new int[] {1, 2, 5, 7, 0, 8, 4, 3, 9, 6}, EpochOrder.permutation(0, 1, 10));
        assertArrayEquals(new int[] {3, 14, 17, 2, 0, 4, 9, 8, 19, 12, 18, 7, 5, 13, 1, 11, 10, 16, 15, 6},
                EpochOrder.permutation(42, 1, 20));
        assertArrayEquals(new int[] {10, 18, 3, 11, 0, 5, 14, 13, 6, 1, 19, 12, 7, 2, 17, 4, 9, 15, 16, 8},
                EpochOrder.permutation(42, 2, 20));
        assertArrayEquals(new int[] {3, 5, 12, 9, 7, 1, 10, 2, 6, 11, 0, 4, 8}, EpochOrder.permutation(-7, 3, 13));
        assertArrayEquals(new int[] {19, 24, 6, 8, 15, 7, 3, 5, 22, 17, 9, 21, 13, 12, 20, 18, 10, 0, 4, 1, 16, 23, 2,
            11, 14}, EpochOrder.permutation(123456789, 1000, 25));
    }

    @Test
    void isAPermutationAndPure() {
        for (int n : new int[] {0, 1, 2, 3, 17, 1000}) {
            int[] p = EpochOrder.permutation(5, 3, n);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
            assertArrayEquals(p, EpochOrder.permutation(5, 3, n));
        }
        assertFalse(Arrays.equals(EpochOrder.permutation(5, 3, 100), EpochOrder.permutation(5, 4, 100)));
        assertFalse(Arrays.equals(EpochOrder.permutation(5, 3, 100), EpochOrder.permutation(6, 3, 100)));
    }

    @Test
    void fillWithoutShuffleIsIdentityAndIgnoresTail() {
        int[] o = new int[8];
        Arrays.fill(o, -1);
        EpochOrder.fill(1, 1, false, o, 5);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, -1, -1, -1}, o);
        assertThrows(IllegalArgumentException.class, () -> EpochOrder.fill(1, 1, true, o, 9));
    }

    @Test
    void positionsAreRoughlyUniform() {
        // each of 10 values lands at position 0 about 1/10 of the time over 20000 epochs
        int[] counts = new int[10];
        int[] o = new int[10];
        for (int e = 1; e <= 20000; e++) {
            EpochOrder.fill(99, e, true, o, 10);
            counts[o[0]]++;
        }
        for (int c : counts) {
            // binomial(20000, 0.1): sd ≈ 42; 6 sd
            assertEquals(2000, c, 260, Arrays.toString(counts));
        }
    }
}

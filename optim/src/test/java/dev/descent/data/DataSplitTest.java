package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link DataSplit#of(Dataset, double, long)}: the validation set {@code descent train --val-split} holds out. */
class DataSplitTest {

    private static Dataset classes(int n) {
        float[] f = new float[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
            l[i] = i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2; // 70 %, 20 %, 10 %
        }
        return Dataset.classification("c", f, n, 1, l, 3);
    }

    @Test
    void classificationDataIsStratified() {
        Dataset all = classes(1000);
        DataSplit s = DataSplit.of(all, 0.1, 5);
        assertArrayEquals(new int[] {70, 20, 10}, s.validation().labelCounts());
        assertArrayEquals(new int[] {630, 180, 90}, s.train().labelCounts());
        assertArrayEquals(DataSplit.of(all, 0.1, 5, true).validation().features(), s.validation().features());
    }

    @Test
    void regressionDataIsAPlainDraw() {
        int n = 100;
        float[] f = new float[n];
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
            t[i] = 2 * i;
        }
        Dataset all = Dataset.regression("r", f, n, 1, t, 1);
        DataSplit s = DataSplit.of(all, 0.25, 3);
        assertEquals(25, s.validation().samples());
        assertEquals(75, s.train().samples());
        assertArrayEquals(DataSplit.of(all, 0.25, 3, false).validation().features(), s.validation().features());
        for (int i = 0; i < s.validation().samples(); i++) {
            assertEquals(2 * s.validation().features()[i], s.validation().targets()[i], "targets follow their rows");
        }
    }

    @Test
    void theSeedDecidesTheSplitAndNothingElse() {
        Dataset all = classes(500);
        float[] a = DataSplit.of(all, 0.2, 42).validation().features();
        float[] b = DataSplit.of(all, 0.2, 42).validation().features();
        float[] c = DataSplit.of(all, 0.2, 43).validation().features();
        assertArrayEquals(a, b, "the same seed, the same rows");
        assertFalse(Arrays.equals(a, c), "another seed, other rows");
        // pinned: the rows a seed draws must not change between versions (a resumed run depends on them)
        assertArrayEquals(new float[] {9, 12, 16, 17, 19}, Arrays.copyOf(a, 5));
    }

    @Test
    void badFractionsAreRefused() {
        Dataset all = classes(50);
        for (double f : new double[] {0, 1, 1.5, -0.1, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSplit.of(all, f, 1));
            assertEquals("validation fraction must be in (0, 1), got " + f, e.getMessage());
        }
    }
}

package dev.descent.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {

    private static Dataset data(String name, int n, int d, float... values) {
        int[] labels = new int[n];
        return Dataset.classification(name, values, n, d, labels, 1);
    }

    @Test
    void unitDividesPixelsBy255() {
        Dataset train = data("train", 2, 3, 0, 128, 255, 17, 3, 1);
        FeatureTransform t = Scaling.UNIT.fit(train);
        assertTrue(t.description().contains("255"), t.description());
        Dataset s = t.apply(train);
        float[] want = {0f / 255f, 128f / 255f, 1f, 17f / 255f, 3f / 255f, 1f / 255f};
        assertArrayEquals(want, s.features());
        // the same fixed map for the test set, even with a smaller range
        Dataset test = data("test", 1, 3, 10, 20, 30);
        assertArrayEquals(new float[] {10f / 255f, 20f / 255f, 30f / 255f}, t.apply(test).features());
        assertArrayEquals(new float[] {0, 128, 255, 17, 3, 1}, train.features()); // input untouched
    }

    @Test
    void unitLeavesUnitDataAndMinMaxesTheRest() {
        Dataset unit = data("u", 2, 2, 0f, 0.5f, 1f, 0.25f);
        FeatureTransform t = Scaling.UNIT.fit(unit);
        assertTrue(t.isIdentity());
        assertSame(unit, t.apply(unit));
        Dataset wide = data("w", 3, 2, -2, 1000, 0, 3000, 2, 2000);
        FeatureTransform m = Scaling.UNIT.fit(wide);
        assertArrayEquals(new float[] {0, 0, 0.5f, 1, 1, 0.5f}, m.apply(wide).features());
    }

    @Test
    void minMaxUsesTrainingRangeAndCentresConstants() {
        Dataset train = data("train", 3, 3, 1, 5, 7, 3, 5, 8, 5, 5, 9);
        FeatureTransform t = Scaling.MINMAX.fit(train);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 0, 0.5f, 1, 0, 1}, t.apply(train).features());
        Dataset test = data("test", 1, 3, 9, 6, 6);
        assertArrayEquals(new float[] {2f, 1f, -0.5f}, t.apply(test).features());
    }

    @Test
    void standardizeFitsOnTrainAndAppliesToTest() {
        // column 0: 1,2,3,4 (mean 2.5, population std sqrt(1.25)); column 1 constant 7
        Dataset train = data("train", 4, 2, 1, 7, 2, 7, 3, 7, 4, 7);
        FeatureTransform t = Scaling.STANDARD.fit(train);
        float mean = 2.5f;
        float std = (float) Math.sqrt(1.25);
        assertArrayEquals(new float[] {mean, 7f}, t.shift());
        assertArrayEquals(new float[] {std, 1f}, t.divisor());
        float[] s = t.apply(train).features();
        double m0 = 0;
        double v0 = 0;
        for (int i = 0; i < 4; i++) {
            m0 += s[2 * i];
            assertEquals(0f, s[2 * i + 1]); // std 0: only centred
        }
        m0 /= 4;
        for (int i = 0; i < 4; i++) {
            v0 += (s[2 * i] - m0) * (s[2 * i] - m0);
        }
        assertEquals(0, m0, 1e-7);
        assertEquals(1, Math.sqrt(v0 / 4), 1e-6);
        Dataset test = data("test", 1, 2, 10, 9);
        assertArrayEquals(new float[] {(10f - mean) / std, 2f}, t.apply(test).features());
        Dataset other = data("other", 1, 3, 1, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.apply(other));
        assertTrue(e.getMessage().contains("2 features"), e.getMessage());

        // in place, a batch of rows at a time: the same floats
        float[] rows = train.features().clone();
        t.applyInPlace(rows, 3, 2, "batch");
        assertArrayEquals(Arrays.copyOf(s, 6), Arrays.copyOf(rows, 6));
        assertArrayEquals(Arrays.copyOfRange(train.features(), 6, 8), Arrays.copyOfRange(rows, 6, 8),
                "rows past the count are left alone");
        float[] unit = {51f, 255f};
        Scaling.UNIT.fit(train).applyInPlace(unit, 1, 2, "batch");
        assertArrayEquals(new float[] {51f / 255f, 1f}, unit);
        e = assertThrows(IllegalArgumentException.class, () -> t.applyInPlace(new float[3], 1, 3, "x.csv"));
        assertTrue(e.getMessage().contains("x.csv has 3"), e.getMessage());
    }

    @Test
    void noneAndParse() {
        Dataset d = data("d", 1, 2, 5, 500);
        assertSame(d, Scaling.NONE.fit(d).apply(d));
        assertEquals(Scaling.UNIT, Scaling.parse("unit"));
        assertEquals(Scaling.STANDARD, Scaling.parse(" Standardize "));
        assertEquals(Scaling.MINMAX, Scaling.parse("min-max"));
        assertEquals(Scaling.NONE, Scaling.parse("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scaling.parse("log"));
        assertTrue(e.getMessage().contains("none, unit, minmax or standard"));
    }

    @Test
    void splitIsDisjointCoveringAndReproducible() {
        int n = 200;
        float[] f = new float[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            f[i] = i;
            l[i] = i < 150 ? 0 : 1 + i % 2; // classes 0: 150, 1: 25, 2: 25
        }
        Dataset all = Dataset.classification("all", f, n, 1, l, 3);
        DataSplit s = DataSplit.of(all, 0.2, 9, false);
        assertEquals(40, s.validation().samples());
        assertEquals(160, s.train().samples());
        Set<Float> seen = new HashSet<>();
        for (float v : s.train().features()) {
            assertTrue(seen.add(v));
        }
        for (float v : s.validation().features()) {
            assertTrue(seen.add(v));
        }
        assertEquals(n, seen.size());
        float[] tf = s.train().features();
        for (int i = 1; i < tf.length; i++) {
            assertTrue(tf[i - 1] < tf[i], "original order kept");
        }
        for (int i = 0; i < s.train().samples(); i++) {
            assertEquals(l[(int) tf[i]], s.train().label(i), "labels follow their rows");
        }
        DataSplit again = DataSplit.of(all, 0.2, 9, false);
        assertArrayEquals(s.validation().features(), again.validation().features());
        assertFalse(Arrays.equals(s.validation().features(), DataSplit.of(all, 0.2, 10, false).validation()
                .features()));

        DataSplit strat = DataSplit.of(all, 0.2, 9, true);
        assertArrayEquals(new int[] {30, 5, 5}, strat.validation().labelCounts());
        assertArrayEquals(new int[] {120, 20, 20}, strat.train().labelCounts());
        assertEquals(3, strat.validation().classes());

        assertThrows(IllegalArgumentException.class, () -> DataSplit.of(all, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> DataSplit.of(all, 1.0, 1, false));
        Dataset tiny = Dataset.classification("tiny", new float[] {1, 2}, 2, 1, new int[] {0, 0}, 1);
        assertThrows(IllegalArgumentException.class, () -> DataSplit.of(tiny, 0.1, 1, false));
    }

    @Test
    void labelMapCompactsSignLanguageLabels() throws DataFormatException {
        int[] labels = new int[48];
        for (int i = 0; i < 48; i++) {
            int letter = i % 24;
            labels[i] = letter >= 9 ? letter + 1 : letter; // 0..24 without 9
        }
        Dataset train = Dataset.classification("sl", new float[48], 48, 1, labels, 25);
        LabelMap map = LabelMap.fit(train);
        assertEquals(24, map.classes());
        assertFalse(map.isIdentity());
        assertEquals(-1, map.dense(9));
        assertEquals(9, map.dense(10));
        assertEquals(24, map.original(23));
        Dataset dense = map.apply(train);
        assertEquals(24, dense.classes());
        for (int c : dense.labelCounts()) {
            assertEquals(2, c);
        }
        Dataset bad = Dataset.classification("test.csv", new float[1], 1, 1, new int[] {9}, 25);
        DataFormatException e = assertThrows(DataFormatException.class, () -> map.apply(bad));
        assertEquals("test.csv sample 0: label 9 does not occur in the training set sl", e.getMessage());
    }

    @Test
    void datasetChecksAndSubsets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification("x", new float[4], 2, 2, new int[] {0, 3}, 3));
        assertTrue(e.getMessage().contains("sample 1 has label 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dataset.classification("x", new float[3], 2, 2,
                new int[] {0, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Dataset.classification("x", new float[0], 0, 2,
                new int[0], 1));
        Dataset d = Dataset.regression("r", new float[] {1, 2, 3}, 3, 1, new float[] {10, 20, 30}, 1);
        Dataset s = d.subset(new int[] {2, 0});
        assertArrayEquals(new float[] {3, 1}, s.features());
        assertArrayEquals(new float[] {30, 10}, s.targets());
        assertNotSame(d.features(), s.features());
        assertEquals("r: 3 samples × 1 features, 1 target", d.toString());
        assertThrows(IllegalStateException.class, d::labelCounts);
    }
}

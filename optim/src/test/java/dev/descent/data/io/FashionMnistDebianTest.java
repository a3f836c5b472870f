package dev.descent.data.io;

import dev.descent.data.Dataset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads Debian's real Fashion-MNIST files (package fashion-mnist). Skipped where they are absent, except on CI
 * ({@code CI=true}), where they must be installed.
 */
class FashionMnistDebianTest {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsTheRealFiles() throws IOException {
        if (!Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(DIR + " is missing on CI: install Debian's fashion-mnist package");
            }
            Assumptions.abort(DIR + " is absent (Debian package fashion-mnist not installed)");
        }
        LoadedData data = DataSources.load("fashion-mnist", DataOptions.defaults());
        Dataset train = data.train();
        assertEquals(60000, train.samples());
        assertEquals(784, train.featureCount());
        assertEquals(10, train.classes());
        int[] sixThousand = new int[10];
        java.util.Arrays.fill(sixThousand, 6000);
        assertArrayEquals(sixThousand, train.labelCounts());
        Dataset test = data.test();
        assertEquals(10000, test.samples());
        int[] thousand = new int[10];
        java.util.Arrays.fill(thousand, 1000);
        assertArrayEquals(thousand, test.labelCounts());
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : train.features()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            assertTrue(v == Math.rint(v));
        }
        assertEquals(0f, min);
        assertEquals(255f, max);
        assertTrue(data.description().contains(DIR.toString()), data.description());
        // the same through the path form, labels found by name
        Dataset viaPath = DataSources.load(DIR.resolve("t10k-images-idx3-ubyte.gz").toString(),
                DataOptions.defaults()).train();
        assertArrayEquals(test.labels(), viaPath.labels());
        assertArrayEquals(test.features(), viaPath.features());
    }
}

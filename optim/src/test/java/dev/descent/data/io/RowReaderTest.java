package dev.descent.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files read a batch of rows at a time: the same rows as read whole, with or without labels, errors where met. */
class RowReaderTest {
    @TempDir
    Path dir;

    /** All rows through batches of {@code batch}: features, then labels (or targets) appended. */
    private record Rows(float[] features, int[] labels, float[] targets, long count) {
    }

    private static Rows readAll(RowReader r, int batch) throws IOException {
        int d = r.featureCount();
        int t = r.targetCount();
        float[] x = new float[batch * d];
        int[] y = r.hasLabels() ? new int[batch] : null;
        float[] z = t > 0 ? new float[batch * t] : null;
        float[] allX = new float[0];
        int[] allY = new int[0];
        float[] allZ = new float[0];
        int total = 0;
        boolean shortBatch = false;
        for (int n; (n = r.read(x, y, z, batch)) > 0; ) {
            assertFalse(shortBatch, "a short batch only at the end");
            shortBatch = n < batch;
            allX = Arrays.copyOf(allX, (total + n) * d);
            System.arraycopy(x, 0, allX, total * d, n * d);
            if (y != null) {
                allY = Arrays.copyOf(allY, total + n);
                System.arraycopy(y, 0, allY, total, n);
            }
            if (z != null) {
                allZ = Arrays.copyOf(allZ, (total + n) * t);
                System.arraycopy(z, 0, allZ, total * t, n * t);
            }
            total += n;
        }
        assertEquals(0, r.read(x, y, z, batch), "0 after the end");
        assertEquals(total, r.rowsRead());
        return new Rows(allX, y == null ? null : allY, z == null ? null : allZ, total);
    }

    private Path csv(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    @Test
    void csvRowsInBatchesAreTheRowsReadWhole() throws IOException {
        StringBuilder sb = new StringBuilder("a,label,b,c\n");
        for (int i = 0; i < 23; i++) {
            sb.append(i * 0.5).append(',').append(i % 4).append(',').append(-i).append(",\"").append(i * 3)
                    .append("\"\n");
            if (i == 10) {
                sb.append('\n'); // a blank line is skipped
            }
        }
        Path p = dir.resolve("d.csv");
        Files.writeString(p, sb.toString());
        Dataset whole = CsvReader.read(p, CsvOptions.classification());
        for (int batch : new int[] {1, 5, 23, 100}) {
            try (RowReader r = DataSources.openRows(p, DataOptions.defaults(), true)) {
                assertTrue(r.hasLabels());
                assertEquals(3, r.featureCount());
                assertEquals(0, r.targetCount());
                assertEquals(p.toString(), r.source());
                Rows rows = readAll(r, batch);
                assertEquals(23, rows.count());
                assertArrayEquals(whole.features(), rows.features(), "batch " + batch);
                assertArrayEquals(whole.labels(), rows.labels(), "batch " + batch);
            }
        }
    }

    @Test
    void aCsvWithoutItsLabelColumnGivesFeaturesOnlyWhenLabelsAreOptional() throws IOException {
        Path p = csv("nolabel.csv", "x,y,z", "1,2,3", "4,5,6");
        try (RowReader r = DataSources.openRows(p, DataOptions.defaults(), true)) {
            assertFalse(r.hasLabels());
            assertEquals(3, r.featureCount());
            Rows rows = readAll(r, 4);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, rows.features());
        }
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DataSources.openRows(p, DataOptions.defaults(), false));
        assertTrue(e.getMessage().contains("the header has no label column 'label'"), e.getMessage());
        // a label column named explicitly must be there... unless optional; an index within the header is a column
        try (RowReader r = DataSources.openRows(p, DataOptions.defaults().withLabelColumn("2"), true)) {
            assertTrue(r.hasLabels());
            assertEquals(2, r.featureCount());
            assertArrayEquals(new int[] {3, 6}, readAll(r, 1).labels());
        }
    }

    @Test
    void regressionTargetsAllOrNone() throws IOException {
        Path both = csv("reg.csv", "x,t1,t2", "1,2,3", "4,5,6");
        DataOptions two = DataOptions.defaults().withTargetColumns(List.of("t1", "t2"));
        try (RowReader r = DataSources.openRows(both, two, true)) {
            assertEquals(2, r.targetCount());
            assertFalse(r.hasLabels());
            Rows rows = readAll(r, 1);
            assertArrayEquals(new float[] {1, 4}, rows.features());
            assertArrayEquals(new float[] {2, 3, 5, 6}, rows.targets());
        }
        Path none = csv("none.csv", "x,y", "1,2");
        try (RowReader r = DataSources.openRows(none, two, true)) {
            assertEquals(0, r.targetCount());
            assertEquals(2, r.featureCount());
        }
        Path half = csv("half.csv", "x,t1", "1,2");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataSources.openRows(half, two, true));
        assertTrue(e.getMessage().contains("no target column 't2'"), e.getMessage());
    }

    @Test
    void aBadRowIsReportedWhenItsBatchIsRead() throws IOException {
        Path p = csv("bad.csv", "a,label", "1,0", "2,1", "3,1", "x,0");
        try (RowReader r = DataSources.openRows(p, DataOptions.defaults(), true)) {
            float[] x = new float[2];
            int[] y = new int[2];
            assertEquals(2, r.read(x, y, null, 2));
            DataFormatException e = assertThrows(DataFormatException.class, () -> r.read(x, y, null, 2));
            assertTrue(e.getMessage().contains(p + " line 5") && e.getMessage().contains("not a number: 'x'"),
                    e.getMessage());
        }
        Path label = csv("label.csv", "a,label", "1,0", "2,7");
        try (RowReader r = DataSources.openRows(label, DataOptions.defaults().withClasses(3), true)) {
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> r.read(new float[4], new int[4], null, 4));
            assertTrue(e.getMessage().contains("label 7 is out of range for 3 classes"), e.getMessage());
        }
        try (RowReader r = DataSources.openRows(csv("empty.csv", "a,b"), DataOptions.defaults(), true)) {
            assertEquals(0, r.read(new float[2], null, null, 1));
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(data);
        }
        return bo.toByteArray();
    }

    @Test
    void idxImagesWithAndWithoutTheirLabelsFile() throws IOException {
        Path images = Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(IdxReaderTest.images(11, 3, 2)));
        Path labels = Files.write(dir.resolve("t10k-labels-idx1-ubyte"),
                IdxReaderTest.labels(1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1));
        Dataset whole = IdxReader.read(images, labels, 0);
        try (RowReader r = DataSources.openRows(images, DataOptions.defaults(), true)) {
            assertTrue(r.hasLabels(), "the labels file is found by its name");
            assertEquals(6, r.featureCount());
            Rows rows = readAll(r, 4);
            assertArrayEquals(whole.features(), rows.features());
            assertArrayEquals(whole.labels(), rows.labels());
        }
        Files.delete(labels);
        try (RowReader r = DataSources.openRows(images, DataOptions.defaults(), true)) {
            assertFalse(r.hasLabels());
            assertArrayEquals(whole.features(), readAll(r, 3).features());
        }
        assertThrows(DataFormatException.class, () -> DataSources.openRows(images, DataOptions.defaults(), false));
    }

    @Test
    void idxProblemsNameTheFileAndRecord() throws IOException {
        byte[] full = IdxReaderTest.images(5, 2, 2);
        Path cut = Files.write(dir.resolve("cut-images"), Arrays.copyOf(full, full.length - 6));
        try (RowReader r = DataSources.openRows(cut, DataOptions.defaults(), true)) {
            assertFalse(r.hasLabels());
            assertEquals(2, r.read(new float[8], null, null, 2));
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> r.read(new float[8], null, null, 2));
            assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("record 3 is incomplete"),
                    e.getMessage());
        }
        Path images = Files.write(dir.resolve("x-images"), full);
        Path fewer = Files.write(dir.resolve("x-labels"), IdxReaderTest.labels(1, 2, 3));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DataSources.openRows(images, DataOptions.defaults(), true));
        assertTrue(e.getMessage().contains(fewer + ": 3 labels, but " + images + " holds 5 images"), e.getMessage());
        Path longer = Files.write(dir.resolve("y-images"), Arrays.copyOf(full, full.length + 3));
        try (RowReader r = DataSources.openRows(longer, DataOptions.defaults(), true)) {
            DataFormatException extra = assertThrows(DataFormatException.class,
                    () -> r.read(new float[20], null, null, 5));
            assertTrue(extra.getMessage().contains("3 bytes beyond"), extra.getMessage());
        }
    }
}

package dev.descent.data.io;

import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** An idx3 ubyte images file: n images of r×c with pixel (i, k) = (i * 31 + k) % 256. */
    static byte[] images(int n, int r, int c) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * r * c);
        b.putInt(0x00000803).putInt(n).putInt(r).putInt(c);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < r * c; k++) {
                b.put((byte) ((i * 31 + k) % 256));
            }
        }
        return b.array();
    }

    static byte[] labels(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + values.length);
        b.putInt(0x00000801).putInt(values.length);
        for (int v : values) {
            b.put((byte) v);
        }
        return b.array();
    }

    private Path put(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    private static void checkImages(Dataset d, int n, int r, int c) {
        assertEquals(n, d.samples());
        assertEquals(r * c, d.featureCount());
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < r * c; k++) {
                assertEquals((i * 31 + k) % 256, d.feature(i, k));
            }
        }
    }

    @Test
    void readsRawAndGzipWithLabelsFoundByName() throws IOException {
        put("train-images-idx3-ubyte", images(5, 3, 4));
        put("train-labels-idx1-ubyte", labels(1, 0, 9, 4, 255));
        Path img = dir.resolve("train-images-idx3-ubyte");
        Dataset raw = IdxReader.read(img, IdxReader.labelsFileFor(img), 0);
        checkImages(raw, 5, 3, 4);
        assertArrayEquals(new int[] {1, 0, 9, 4, 255}, raw.labels());
        assertEquals(256, raw.classes());

        put("t10k-images-idx3-ubyte.gz", CsvReaderTest.gzip(images(3, 28, 28)));
        put("t10k-labels-idx1-ubyte.gz", CsvReaderTest.gzip(labels(7, 8, 9)));
        Path gz = dir.resolve("t10k-images-idx3-ubyte.gz");
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxReader.labelsFileFor(gz));
        Dataset d = IdxReader.read(gz, IdxReader.labelsFileFor(gz), 10);
        checkImages(d, 3, 28, 28);
        assertEquals(10, d.classes());

        // gzip by content, labels in the other spelling and uncompressed
        put("x-images.idx3-ubyte", CsvReaderTest.gzip(images(2, 2, 2)));
        put("x-labels.idx1-ubyte", labels(1, 1));
        Path odd = dir.resolve("x-images.idx3-ubyte");
        assertEquals(dir.resolve("x-labels.idx1-ubyte"), IdxReader.labelsFileFor(odd));
        assertEquals(DataFiles.Format.IDX, DataFiles.detect(odd));
        checkImages(IdxReader.read(odd, IdxReader.labelsFileFor(odd), 0), 2, 2, 2);
    }

    @Test
    void otherElementTypes() throws IOException {
        ByteBuffer f = ByteBuffer.allocate(12 + 24);
        f.putInt(0x00000D02).putInt(3).putInt(2);
        for (float v : new float[] {0.5f, -1f, 2f, 3.25f, 1e-3f, 7f}) {
            f.putFloat(v);
        }
        ByteBuffer i = ByteBuffer.allocate(8 + 12);
        i.putInt(0x00000C01).putInt(3);
        i.putInt(2).putInt(0).putInt(1);
        Path fp = put("feat-images.idx", f.array());
        Path ip = put("feat-labels.idx", i.array());
        Dataset d = IdxReader.read(fp, ip, 3);
        assertArrayEquals(new float[] {0.5f, -1f, 2f, 3.25f, 1e-3f, 7f}, d.features());
        assertArrayEquals(new int[] {2, 0, 1}, d.labels());
        ByteBuffer s = ByteBuffer.allocate(8 + 4);
        s.putInt(0x00000B01).putInt(2).putShort((short) -3).putShort((short) 300);
        assertArrayEquals(new float[] {-3, 300}, IdxReader.read(put("s.idx", s.array())).values());
    }

    private DataFormatException fails(String name, byte[] data) throws IOException {
        Path p = put(name, data);
        return assertThrows(DataFormatException.class, () -> IdxReader.read(p));
    }

    private void assertMessage(String contains, DataFormatException e) {
        assertTrue(e.getMessage().contains(contains), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void badMagic() throws IOException {
        byte[] img = images(2, 2, 2);
        img[2] = 0x07;
        assertMessage("header: bad magic number 0x00000703: not an IDX file", fails("m1", img));
        byte[] notIdx = "label,a\n1,2\n".getBytes();
        assertMessage("bad magic number 0x6C616265", fails("m2", notIdx));
        assertMessage("bad magic number", fails("m3.gz", CsvReaderTest.gzip(notIdx)));
        byte[] dims = images(2, 2, 2);
        dims[3] = 9;
        assertMessage("bad magic number 0x00000809", fails("m4", dims));
    }

    @Test
    void truncatedAndOverlongData() throws IOException {
        byte[] img = images(4, 3, 3);
        for (String name : new String[] {"t1", "t1.gz"}) {
            byte[] cut = Arrays.copyOf(img, img.length - 5);
            DataFormatException e = fails(name, name.endsWith(".gz") ? CsvReaderTest.gzip(cut) : cut);
            assertMessage(": truncated: dimensions 4×3×3 need 36 data bytes after the 16-byte header, found 31 "
                    + "(record 3 is incomplete)", e);
        }
        byte[] extra = Arrays.copyOf(img, img.length + 3);
        assertMessage("3 bytes beyond the 36 data bytes that dimensions 4×3×3 imply", fails("x1", extra));
        assertMessage("3 bytes beyond", fails("x1.gz", CsvReaderTest.gzip(extra)));
        assertMessage("header: truncated: the header announces 3 dimensions but ends after 1",
                fails("h1", Arrays.copyOf(img, 9)));
        assertMessage("header: truncated: 2 bytes", fails("h2", new byte[] {0, 0}));
        assertMessage("empty file", fails("h3", new byte[0]));
        byte[] zero = images(1, 2, 2);
        zero[7] = 0; // n = 0
        assertMessage("header: dimension 0 is 0 (no items)", fails("z", Arrays.copyOf(zero, 16)));
    }

    @Test
    void corruptGzip() throws IOException {
        byte[] gz = CsvReaderTest.gzip(images(50, 28, 28));
        Path cut = put("cut.gz", Arrays.copyOf(gz, gz.length - 20));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        byte[] crc = gz.clone();
        crc[crc.length - 7] ^= 4;
        Path bad = put("crc.gz", crc);
        DataFormatException c = assertThrows(DataFormatException.class, () -> IdxReader.read(bad));
        assertTrue(c.getMessage().contains("corrupt gzip data"), c.getMessage());
    }

    @Test
    void labelProblems() throws IOException {
        Path img = put("a-images-idx3-ubyte", images(3, 2, 2));
        Path lab = put("a-labels-idx1-ubyte", labels(1, 2, 3));
        DataFormatException range = assertThrows(DataFormatException.class, () -> IdxReader.read(img, lab, 3));
        assertEquals(lab + " record 2: label 3 is out of range for 3 classes (labels must be in 0..2)",
                range.getMessage());
        Path shortLab = put("b-labels", labels(1, 2));
        DataFormatException count = assertThrows(DataFormatException.class, () -> IdxReader.read(img, shortLab, 0));
        assertEquals(shortLab + ": 2 labels, but " + img + " holds 3 images", count.getMessage());
        DataFormatException swapped = assertThrows(DataFormatException.class, () -> IdxReader.read(lab, img, 0));
        assertTrue(swapped.getMessage().contains("needs at least 2 dimensions"), swapped.getMessage());
        ByteBuffer fl = ByteBuffer.allocate(8 + 12);
        fl.putInt(0x00000D01).putInt(3).putFloat(1f).putFloat(0.5f).putFloat(2f);
        Path fractional = put("f-labels", fl.array());
        DataFormatException frac = assertThrows(DataFormatException.class,
                () -> IdxReader.readLabels(fractional, 0));
        assertEquals(fractional + " record 1: label 0.5 is not an integer", frac.getMessage());
        ByteBuffer neg = ByteBuffer.allocate(8 + 4);
        neg.putInt(0x00000901).putInt(2).put((byte) 1).put((byte) -2);
        Path negative = put("n-labels", Arrays.copyOf(neg.array(), 10));
        assertEquals(negative + " record 1: label -2 is negative", assertThrows(DataFormatException.class,
                () -> IdxReader.readLabels(negative, 0)).getMessage());
        Path lonely = put("lonely-images-idx3-ubyte", images(1, 1, 1));
        DataFormatException none = assertThrows(DataFormatException.class, () -> IdxReader.labelsFileFor(lonely));
        assertTrue(none.getMessage().contains("no labels file found next to it (looked for "
                + "lonely-labels-idx1-ubyte, lonely-labels-idx1-ubyte.gz)"), none.getMessage());
    }
}

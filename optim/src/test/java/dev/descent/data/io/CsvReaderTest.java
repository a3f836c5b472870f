package dev.descent.data.io;

import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {
    @TempDir
    Path dir;

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        return bos.toByteArray();
    }

    private Path write(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private Path writeGz(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), gzip(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static final String SIGN = """
            label,pixel1,pixel2,pixel3,pixel4
            3,107,118,127,134
            6,155,157,156,156
            24,187,188,188,187
            2,211,211,212,212
            """;

    private static void checkSign(Dataset d) {
        assertEquals(4, d.samples());
        assertEquals(4, d.featureCount());
        assertTrue(d.isClassification());
        assertEquals(25, d.classes());
        assertArrayEquals(new int[] {3, 6, 24, 2}, d.labels());
        assertArrayEquals(new float[] {107, 118, 127, 134, 155, 157, 156, 156, 187, 188, 188, 187, 211, 211, 212, 212},
                d.features());
    }

    @Test
    void readsTheSignLanguageLayoutPlainAndGzip() throws IOException {
        Dataset plain = CsvReader.read(write("sign.csv", SIGN), CsvOptions.classification());
        checkSign(plain);
        assertTrue(plain.source().endsWith("sign.csv"));
        checkSign(CsvReader.read(writeGz("sign.csv.gz", SIGN), CsvOptions.classification()));
        // gzip recognised by its magic bytes, not the name
        checkSign(CsvReader.read(writeGz("looks-plain.csv", SIGN), CsvOptions.classification()));
        checkSign(CsvReader.read(new ByteArrayInputStream(SIGN.getBytes(StandardCharsets.US_ASCII)), "mem",
                CsvOptions.classification()));
    }

    @Test
    void explicitClassesAndLabelColumnByNameOrIndex() throws IOException {
        Dataset d = CsvReader.read(write("sign.csv", SIGN), CsvOptions.classification().withClasses(30));
        assertEquals(30, d.classes());
        Path p = write("mid.csv", "a,y,b\n1,0,2\n3,1,4\n5,2,6\n");
        Dataset byName = CsvReader.read(p, CsvOptions.classification().withLabelColumn("y"));
        Dataset byIndex = CsvReader.read(p, CsvOptions.classification().withLabelColumn(1));
        for (Dataset x : List.of(byName, byIndex)) {
            assertArrayEquals(new int[] {0, 1, 2}, x.labels());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x.features());
            assertEquals(3, x.classes());
        }
        Dataset excl = CsvReader.read(p, CsvOptions.classification().withLabelColumn("y").withExcluded("a"));
        assertArrayEquals(new float[] {2, 4, 6}, excl.features());
        // a header cell literally named "0" wins over the index reading
        Path named0 = write("zero.csv", "x,0\n5,1\n6,0\n");
        assertArrayEquals(new int[] {1, 0}, CsvReader.read(named0, CsvOptions.classification().withLabelColumn("0"))
                .labels());
    }

    @Test
    void regressionTargets() throws IOException {
        Path p = write("reg.csv", "x1,x2,y,z\n0.5,-1.25,3.5,1e3\n2,4,-0.125,2.5E-2\n");
        Dataset d = CsvReader.read(p, CsvOptions.regression("y", "z"));
        assertFalse(d.isClassification());
        assertNull(d.labels());
        assertEquals(2, d.targetCount());
        assertArrayEquals(new float[] {0.5f, -1.25f, 2, 4}, d.features());
        assertArrayEquals(new float[] {3.5f, 1000f, -0.125f, 0.025f}, d.targets());
        Dataset swapped = CsvReader.read(p, CsvOptions.regression("3", "y"));
        assertArrayEquals(new float[] {1000f, 3.5f, 0.025f, -0.125f}, swapped.targets());
    }

    @Test
    void toleratesCrlfQuotesBomSpacesAndBlankLines() throws IOException {
        String text = "\uFEFF\"label\", \"p 1\" ,p2\r\n\r\n 1 , \"2.5\" ,3\r\n\n0,4,\"5\"\r\n\r\n";
        Dataset d = CsvReader.read(write("odd.csv", text), CsvOptions.classification());
        assertArrayEquals(new int[] {1, 0}, d.labels());
        assertArrayEquals(new float[] {2.5f, 3, 4, 5}, d.features());
        Dataset noFinalNewline = CsvReader.read(write("nl.csv", "label,a\n1,2"), CsvOptions.classification());
        assertArrayEquals(new float[] {2}, noFinalNewline.features());
        Dataset cr = CsvReader.read(write("cr.csv", "label,a\r1,2\r0,3\r"), CsvOptions.classification());
        assertArrayEquals(new float[] {2, 3}, cr.features());
        Dataset tabs = CsvReader.read(write("t.tsv", "label\ta\n1\t2\n"), CsvOptions.classification()
                .withDelimiter('\t'));
        assertArrayEquals(new float[] {2}, tabs.features());
    }

    @Test
    void numbersRoundLikeFloatParseFloat() throws IOException {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 4000;
        StringBuilder sb = new StringBuilder("label,v\n");
        String[] cells = new String[n];
        for (int i = 0; i < n; i++) {
            String s = switch (i % 8) {
                case 0 -> Float.toString(Float.intBitsToFloat(rnd.nextInt()) % 1e6f);
                case 1 -> Double.toString(rnd.nextDouble(-1e4, 1e4));
                case 2 -> String.format(Locale.ROOT, "%.12e", rnd.nextDouble(-1, 1) * Math.pow(10, rnd.nextInt(-40, 39)));
                case 3 -> Integer.toString(rnd.nextInt(-20_000_000, 20_000_000));
                case 4 -> "0.000" + rnd.nextLong(1, Long.MAX_VALUE);
                case 5 -> rnd.nextLong(1, Long.MAX_VALUE) + "" + rnd.nextInt(0, 1000) + ".5e-10";
                // decimal midpoints between adjacent floats: the double-rounding trap
                case 6 -> new java.math.BigDecimal(((double) Math.nextUp(1.0f + i) + (1.0f + i)) / 2).toPlainString();
                default -> String.format(Locale.ROOT, "%.9g", rnd.nextDouble() * 1e-30);
            };
            if (!Float.isFinite(Float.parseFloat(s))) {
                s = "1";
            }
            cells[i] = s;
            sb.append("0,").append(s).append('\n');
        }
        Dataset d = CsvReader.read(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.US_ASCII)), "num",
                CsvOptions.classification());
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(Float.parseFloat(cells[i])), Float.floatToIntBits(d.features()[i]),
                    "cell " + cells[i]);
        }
        Dataset signs = CsvReader.read(write("s.csv", "label,a,b,c,d\n0,-0,+1.,.5,-.25e1\n"),
                CsvOptions.classification());
        assertArrayEquals(new float[] {-0f, 1f, 0.5f, -2.5f}, signs.features());
    }

    private DataFormatException fails(String name, String text, CsvOptions options) {
        return assertThrows(DataFormatException.class, () -> CsvReader.read(write(name, text), options));
    }

    private DataFormatException failsGz(String name, String text, CsvOptions options) {
        return assertThrows(DataFormatException.class, () -> CsvReader.read(writeGz(name, text), options));
    }

    private void assertMessage(String expectedSuffix, DataFormatException e) {
        assertTrue(e.getMessage().endsWith(expectedSuffix), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    }

    @Test
    void wrongColumnCount() {
        String fewer = "label,pixel1,pixel2,pixel3\n1,2,3,4\n1,2,3\n";
        for (DataFormatException e : List.of(fails("f.csv", fewer, CsvOptions.classification()),
                failsGz("f.csv.gz", fewer, CsvOptions.classification()))) {
            assertMessage(" line 3: expected 4 columns, found 3", e);
        }
        DataFormatException more = fails("m.csv", "label,a\n1,2\n\n1,2,3,4\n", CsvOptions.classification());
        assertMessage("m.csv line 4: expected 2 columns, found 4", more);
        assertEquals("line 4", more.location());
        assertEquals("expected 2 columns, found 4", more.problem());
    }

    /** One mistyped label must not make a model of 100,000,001 classes: refused, naming its line. */
    @Test
    void aLabelFarAboveTheOthersIsRefused() throws IOException {
        assertMessage("line 4: label 100000000 would make 100000001 classes for 3 rows (labels are 0 .. classes-1; "
                + "a mistyped label? more than 1024 classes need an explicit class count, --classes)",
                fails("typo.csv", "label,a\n1,2\n0,3\n100000000,4\n", CsvOptions.classification()));
        // beyond 10,000 classes even many rows do not make the labels plausible
        StringBuilder many = new StringBuilder("label,a\n");
        for (int i = 0; i < 20_000; i++) {
            many.append(i == 7 ? 15_000 : i % 10).append(",1\n");
        }
        assertMessage("line 9: label 15000 would make 15001 classes for 20000 rows (labels are 0 .. classes-1; "
                + "a mistyped label? more than 10000 classes need an explicit class count, --classes)",
                fails("many.csv", many.toString(), CsvOptions.classification()));
        assertEquals(15_001, CsvReader.read(write("many-fixed.csv", many.toString()),
                CsvOptions.classification().withClasses(15_001)).classes());
        // more classes than rows is fine for small class counts (a tiny test file with labels up to 23)
        assertEquals(24, CsvReader.read(write("small.csv", "label,a\n23,1\n0,2\n"), CsvOptions.classification())
                .classes());
        // and with --classes given explicitly, the labels are checked against it instead
        assertEquals(2000, CsvReader.read(write("fixed.csv", "label,a\n1999,1\n0,2\n"),
                CsvOptions.classification().withClasses(2000)).classes());
    }

    @Test
    void nonNumericAndEmptyCells() {
        for (DataFormatException e : List.of(fails("n.csv", "label,a,b\n1,2,x3\n", CsvOptions.classification()),
                failsGz("n.csv.gz", "label,a,b\n1,2,x3\n", CsvOptions.classification()))) {
            assertMessage(" line 2: column 'b' (index 2): not a number: 'x3'", e);
        }
        assertMessage("line 3: column 'a' (index 1): empty cell",
                fails("e.csv", "label,a,b\n1,2,3\n1,,3\n", CsvOptions.classification()));
        assertMessage("line 2: column 'a' (index 1): not a number: 'NaN'",
                fails("nan.csv", "label,a\n1,NaN\n", CsvOptions.classification()));
        assertMessage("line 2: column 'a' (index 1): not a number: '1e'",
                fails("e2.csv", "label,a\n1,1e\n", CsvOptions.classification()));
        assertMessage("line 2: column 'a' (index 1): 1e39 is beyond the float32 range",
                fails("big.csv", "label,a\n1,1e39\n", CsvOptions.classification()));
        assertMessage("line 2: column 'y' (index 1): not a number: '1,5'",
                fails("q.csv", "x,y\n1,\"1,5\"\n", CsvOptions.regression("y")));
        assertMessage("line 2: quoted cell is never closed",
                fails("open.csv", "label,a\n1,\"2\n", CsvOptions.classification()));
    }

    @Test
    void emptyFileAndMissingRows() {
        for (DataFormatException e : List.of(fails("empty.csv", "", CsvOptions.classification()),
                failsGz("empty.csv.gz", "", CsvOptions.classification()),
                fails("blank.csv", "\n\n", CsvOptions.classification()))) {
            assertMessage(": empty file: no header line and no data", e);
        }
        assertMessage("h.csv: no data rows after the header line",
                fails("h.csv", "label,a\n", CsvOptions.classification()));
        assertMessage("only.csv line 1: no feature columns: every column is a label, target or excluded",
                fails("only.csv", "label\n1\n", CsvOptions.classification()));
    }

    @Test
    void headerWithoutTheLabelColumn() {
        for (DataFormatException e : List.of(
                fails("nolabel.csv", "pixel1,pixel2\n1,2\n", CsvOptions.classification()),
                failsGz("nolabel.csv.gz", "pixel1,pixel2\n1,2\n", CsvOptions.classification()))) {
            assertMessage(" line 1: the header has no label column 'label' (columns: pixel1, pixel2)", e);
        }
        assertMessage("line 1: label column index 7 is out of range: the header has 2 columns (0..1)",
                fails("idx.csv", "a,b\n1,2\n", CsvOptions.classification().withLabelColumn(7)));
        assertMessage("line 1: the header has no target column 'y' (columns: a, b)",
                fails("reg.csv", "a,b\n1,2\n", CsvOptions.regression("y")));
        String wide = "p1,p2,p3,p4,p5,p6,p7,p8\n1,2,3,4,5,6,7,8\n";
        assertMessage("(columns: p1, p2, p3, p4, p5, p6, … 2 more)", fails("wide.csv", wide,
                CsvOptions.classification()));
    }

    @Test
    void badLabels() {
        assertMessage("line 3: column 'label' (index 0): label '2.5' is not an integer",
                fails("l.csv", "label,a\n1,2\n2.5,3\n", CsvOptions.classification()));
        assertMessage("line 2: column 'label' (index 0): label -1 is negative",
                fails("n.csv", "label,a\n-1,2\n", CsvOptions.classification()));
        for (DataFormatException e : List.of(
                fails("r.csv", "label,a\n1,2\n9,3\n", CsvOptions.classification().withClasses(5)),
                failsGz("r.csv.gz", "label,a\n1,2\n9,3\n", CsvOptions.classification().withClasses(5)))) {
            assertMessage(" line 3: column 'label' (index 0): label 9 is out of range for 5 classes (labels must be in"
                    + " 0..4)", e);
        }
        assertMessage("line 2: column 'label' (index 0): not a number: 'cat'",
                fails("c.csv", "label,a\ncat,2\n", CsvOptions.classification()));
    }

    @Test
    void corruptAndTruncatedGzip() throws IOException {
        StringBuilder sb = new StringBuilder("label,a,b\n");
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 5000; i++) {
            sb.append(rnd.nextInt(10)).append(',').append(rnd.nextInt(256)).append(',').append(rnd.nextInt(256))
                    .append('\n');
        }
        byte[] gz = gzip(sb.toString().getBytes(StandardCharsets.US_ASCII));
        Path truncated = Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataFormatException t = assertThrows(DataFormatException.class,
                () -> CsvReader.read(truncated, CsvOptions.classification()));
        assertTrue(t.getMessage().startsWith(truncated.toString() + " after "), t.getMessage());
        assertTrue(t.getMessage().contains("truncated gzip data"), t.getMessage());

        byte[] flipped = gz.clone();
        for (int i = 40; i < 60; i++) {
            flipped[i] ^= (byte) 0x5a;
        }
        Path corrupt = Files.write(dir.resolve("bad.csv.gz"), flipped);
        DataFormatException c = assertThrows(DataFormatException.class,
                () -> CsvReader.read(corrupt, CsvOptions.classification()));
        assertTrue(c.getMessage().startsWith(corrupt.toString()), c.getMessage());

        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 1; // CRC-32 in the trailer
        Path crc = Files.write(dir.resolve("crc.csv.gz"), badCrc);
        DataFormatException k = assertThrows(DataFormatException.class,
                () -> CsvReader.read(crc, CsvOptions.classification()));
        assertTrue(k.getMessage().contains("corrupt gzip data"), k.getMessage());

        Path header = Files.write(dir.resolve("hdr.csv.gz"), new byte[] {0x1f, (byte) 0x8b, 8});
        DataFormatException h = assertThrows(DataFormatException.class,
                () -> CsvReader.read(header, CsvOptions.classification()));
        assertTrue(h.getMessage().contains("corrupt gzip header"), h.getMessage());
    }

    @Test
    void missingFile() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> CsvReader.read(dir.resolve("nope.csv"), CsvOptions.classification()));
        assertTrue(e.getMessage().endsWith("nope.csv: no such file"), e.getMessage());
    }

    /** The size of Sign Language MNIST's training file; prints the time, asserts only the contents. */
    @Test
    void readsASignLanguageSizedFile() throws IOException {
        int rows = 27455;
        int cols = 784;
        SplittableRandom rnd = new SplittableRandom(3);
        ByteArrayOutputStream bos = new ByteArrayOutputStream(rows * cols * 4);
        StringBuilder line = new StringBuilder("label");
        for (int j = 1; j <= cols; j++) {
            line.append(",pixel").append(j);
        }
        bos.writeBytes(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
        int[] labels = new int[rows];
        long checksum = 0;
        for (int i = 0; i < rows; i++) {
            line.setLength(0);
            labels[i] = rnd.nextInt(25);
            line.append(labels[i]);
            for (int j = 0; j < cols; j++) {
                int v = rnd.nextInt(256);
                checksum += (long) v * (j + 1);
                line.append(',').append(v);
            }
            bos.writeBytes(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
        }
        Path p = Files.write(dir.resolve("sign_mnist_train.csv"), bos.toByteArray());
        long t0 = System.nanoTime();
        Dataset d = CsvReader.read(p, CsvOptions.classification());
        long t1 = System.nanoTime();
        System.out.printf("CsvReaderTest: %d × %d CSV (%d MB) read in %.0f ms%n", rows, cols + 1,
                Files.size(p) >> 20, (t1 - t0) / 1e6);
        assertEquals(rows, d.samples());
        assertEquals(cols, d.featureCount());
        assertArrayEquals(labels, d.labels());
        long got = 0;
        float[] f = d.features();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                got += (long) f[i * cols + j] * (j + 1);
            }
        }
        assertEquals(checksum, got);
    }

    /** Header names and cells quoted in a message cannot drive the terminal, and a long one is cut short. */
    @Test
    void quotedHeaderNamesAndCellsAreEscapedAndShortened() {
        String hostile = "label,a\u001b[2J\u001b]0;pwned\u0007,b\u202eevil,X,\"multi\nline\"\n1,2,x\u001b[31m,3,4\n";
        // the header's quoted cell holds a line feed: the data row is line 3
        DataFormatException cell = fails("h.csv", hostile, CsvOptions.classification());
        assertMessage("line 3: column 'b\\u202eevil' (index 2): not a number: 'x\\x1b[31m'", cell);
        DataFormatException header = fails("h.csv", hostile, CsvOptions.classification().withLabelColumn("y"));
        assertMessage("line 1: the header has no label column 'y' (columns: label, a\\x1b[2J\\x1b]0;pwned\\x07, "
                + "b\\u202eevil, X, multi\\nline)", header);
        String longName = "n".repeat(5000);
        DataFormatException shortened = fails("long.csv", "label," + longName + "\n1,z\n",
                CsvOptions.classification());
        assertMessage("line 2: column '" + "n".repeat(40) + "…' (index 1): not a number: 'z'", shortened);
        DataFormatException longCell = fails("cell.csv", "label,a\n1," + "9".repeat(3000) + "x\n",
                CsvOptions.classification());
        assertMessage("not a number: '" + "9".repeat(40) + "…'", longCell);
        for (DataFormatException e : List.of(cell, header, shortened, longCell)) {
            assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x202e), e.getMessage());
            assertTrue(e.getMessage().length() < 400, e.getMessage());
        }
    }

    /** A second column with the label's name would silently become a feature: the header is refused. */
    @Test
    void duplicateLabelOrTargetColumnIsRefused() throws IOException {
        assertMessage("dup.csv line 1: columns 0 and 3 are both named 'label': which is the label column is ambiguous "
                + "(rename one, or name the column by its 0-based index)",
                fails("dup.csv", "label,a,b,label\n1,2,3,1\n", CsvOptions.classification()));
        assertMessage("line 1: columns 1 and 2 are both named 'y': which is the label column is ambiguous (rename one, "
                + "or name the column by its 0-based index)",
                failsGz("dup.csv.gz", "a,y,y\n1,2,3\n", CsvOptions.classification().withLabelColumn("y")));
        assertTrue(fails("dupt.csv", "t,a,t\n1,2,3\n", CsvOptions.regression("t")).getMessage()
                .contains("line 1: columns 0 and 2 are both named 't': which is the target column is ambiguous"));
        assertTrue(fails("dupx.csv", "label,id,a,id\n1,2,3,4\n", CsvOptions.classification().withExcluded("id"))
                .getMessage().contains("columns 1 and 3 are both named 'id': which is the excluded column is "
                        + "ambiguous"));
        // naming the label by its index settles it; duplicate feature names are harmless (features are positional)
        Dataset byIndex = CsvReader.read(write("idx.csv", "label,a,label\n1,2,0\n0,4,1\n"),
                CsvOptions.classification().withLabelColumn(2));
        assertArrayEquals(new int[] {0, 1}, byIndex.labels());
        assertArrayEquals(new float[] {1, 2, 0, 4}, byIndex.features());
        Dataset sameFeatureNames = CsvReader.read(write("feat.csv", "label,px,px\n1,2,3\n"),
                CsvOptions.classification());
        assertEquals(2, sameFeatureNames.featureCount());
    }

    @Test
    void headerListing() throws IOException {
        assertEquals(List.of("label", "pixel1", "pixel2", "pixel3", "pixel4"),
                CsvReader.header(write("sign.csv", SIGN)));
    }
}

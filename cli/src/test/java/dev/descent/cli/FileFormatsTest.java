package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.io.Npy;
import dev.descent.cli.io.Npz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file formats the CLI writes: JSON, CSV, .npy/.npz, and atomic writing. */
class FileFormatsTest {
    @TempDir
    Path dir;

    @Test
    void jsonRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\nline\t\\");
        m.put("lr", 1e-5);
        m.put("epochs", 200);
        m.put("whole", 3.0);
        m.put("nan", Double.NaN);
        m.put("inf", Float.POSITIVE_INFINITY);
        m.put("flag", true);
        m.put("none", null);
        m.put("list", List.of(1, 2.5, "x"));
        m.put("shape", new int[] {3, 4});
        m.put("nested", Map.of("k", List.of(Map.of("a", 1))));
        String text = Json.write(m);
        Map<String, Object> back = Json.parseObject(text);
        assertEquals("a \"quoted\"\nline\t\\", back.get("name"));
        assertEquals(1e-5, back.get("lr"));
        assertEquals(200.0, back.get("epochs"));
        assertTrue(text.contains("\"whole\": 3,"), text);
        assertNull(back.get("nan"));
        assertNull(back.get("inf"));
        assertTrue(back.containsKey("none"));
        assertEquals(true, back.get("flag"));
        assertEquals(List.of(1.0, 2.5, "x"), back.get("list"));
        assertEquals(List.of(3.0, 4.0), back.get("shape"));
        assertEquals(List.of(Map.of("a", 1.0)), ((Map<?, ?>) back.get("nested")).get("k"));
    }

    @Test
    void jsonErrorsNameThePlace() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}"));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
    }

    @Test
    void csvFormatsNumbersAndNonFinite() throws IOException {
        Csv csv = new Csv("step", "w1", "w2", "loss");
        csv.add(0, 0f, 1f, 10.0);
        csv.add(1, Float.NaN, Float.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        csv.add(2, 0.1f, 1e-7f, 2.5e-5);
        Path f = dir.resolve("t.csv");
        csv.write(f);
        List<String> lines = Files.readAllLines(f);
        assertEquals(List.of("step,w1,w2,loss", "0,0.0,1.0,10.0", "1,NaN,Infinity,-Infinity", "2,0.1,1.0E-7,2.5E-5"),
                lines);
        assertEquals(0.1f, Float.parseFloat(lines.get(3).split(",")[1]));
        assertThrows(IllegalArgumentException.class, () -> csv.add(1, 2));
        assertEquals("\"a,b\"", Csv.format("a,b"));
    }

    @Test
    void npyHeaderIsNumpyVersion1AndAligned() throws IOException {
        float[] data = {1f, -2.5f, Float.NaN, 3e-8f, 0f, 7f};
        byte[] bytes = Npy.toBytes(Npy.Array.of(data, 2, 3));
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLen) % 64);
        String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLen + 4 * data.length, bytes.length);
        // little-endian float32 data
        int bits = (bytes[10 + headerLen] & 0xff) | (bytes[11 + headerLen] & 0xff) << 8
                | (bytes[12 + headerLen] & 0xff) << 16 | (bytes[13 + headerLen] & 0xff) << 24;
        assertEquals(1f, Float.intBitsToFloat(bits));

        Path f = dir.resolve("a.npy");
        Npy.write(f, Npy.Array.of(data, 2, 3));
        Npy.Array back = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, back.shape());
        assertArrayEquals(data, back.floats());

        byte[] vec = Npy.toBytes(Npy.Array.ofInts(new int[] {4, 5, 6}, 3));
        String vh = new String(vec, 10, (vec[8] & 0xff) | (vec[9] & 0xff) << 8, StandardCharsets.US_ASCII);
        assertTrue(vh.contains("'descr': '<i4'") && vh.contains("'shape': (3,)"), vh);
    }

    @Test
    void npyRejectsGarbage() throws IOException {
        Path f = dir.resolve("bad.npy");
        Files.writeString(f, "not numpy at all");
        IOException e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("bad.npy"), e.getMessage());
        byte[] good = Npy.toBytes(Npy.Array.of(new float[] {1, 2, 3, 4}, 4));
        Files.write(f, java.util.Arrays.copyOf(good, good.length - 3));
        e = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void npzRoundTrip() throws IOException {
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("W", Npy.Array.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        arrays.put("b", Npy.Array.of(new float[] {0.5f, -0.5f}, 2));
        Path f = dir.resolve("m.npz");
        Npz.write(f, arrays);
        Map<String, Npy.Array> back = Npz.read(f);
        assertEquals(List.of("W", "b"), List.copyOf(back.keySet()));
        assertArrayEquals(new int[] {3, 2}, back.get("W").shape());
        assertArrayEquals(new float[] {0.5f, -0.5f}, back.get("b").floats());
        Files.writeString(dir.resolve("x.npz"), "zip? no");
        assertThrows(IOException.class, () -> Npz.read(dir.resolve("x.npz")));
    }

    @Test
    void atomicWriteLeavesNothingBehindOnFailure() throws IOException {
        Path f = dir.resolve("sub/out.txt");
        AtomicFiles.writeString(f, "first");
        assertEquals("first", Files.readString(f));
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk on fire");
        }));
        assertEquals("first", Files.readString(f), "the old file stays whole");
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(List.of(f), s.toList(), "no temporary file left");
        }
        Files.writeString(f.getParent().resolve(".out.txt.descent-123.tmp"), "stale");
        Path foreign = f.getParent().resolve(".notes.txt.swp.tmp");
        Files.writeString(foreign, "another program's");
        AtomicFiles.removeStaleTemporaries(f.getParent());
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(List.of(foreign), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
                    "descent's stale temporary is gone, another program's hidden .tmp file stays");
        }
    }

    /** A file streamed over a long time: invisible under its name until committed, gone when discarded. */
    @Test
    void pendingFilesAppearOnlyWhenCommitted() throws IOException {
        Path a = dir.resolve("p/a.csv");
        Path b = dir.resolve("p/b.csv");
        Files.createDirectories(a.getParent());
        Files.writeString(b, "old b");
        try (var pa = AtomicFiles.open(a); var pb = AtomicFiles.open(b)) {
            pa.out().write("new a".getBytes(StandardCharsets.UTF_8));
            pb.out().write("new b".getBytes(StandardCharsets.UTF_8));
            assertFalse(Files.exists(a), "not before the commit");
            assertEquals("old b", Files.readString(b));
            pa.commit();
            assertEquals("new a", Files.readString(a));
            assertThrows(IllegalStateException.class, pa::commit);
            // pb is closed without a commit: discarded
        }
        assertEquals("old b", Files.readString(b), "the uncommitted file leaves the old one whole");
        try (Stream<Path> s = Files.list(a.getParent())) {
            assertEquals(List.of(a, b), s.sorted().toList(), "no temporary file left");
        }
    }

    /** Result files get the permissions any new file gets under the umask, not the owner-only ones of a temp file. */
    @Test
    void atomicWritesFollowTheUmask() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        Path written = dir.resolve("written.txt");
        AtomicFiles.writeString(written, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
    }
}

package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFormatTest {

    private static Checkpoint sample(long step) {
        Evaluation eval = new Evaluation(100, 0.5, 0.9, Double.NaN, Double.NaN,
                new ConfusionMatrix(2, new long[] {45, 5, 5, 45}));
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 1.25, 1000, 8, 0.1, eval),
                new EpochMetrics(2, 0.75, 1000, 16, 0.05, null));
        return new Checkpoint("softmax 4-2, no bias, ce, init zero", new byte[] {1, 2, 3}, "adam",
                new byte[] {9, 8, 7, 6}, 3, 5, step, 12.5, 640L, 0.025, 1000, 8, 42L, 1, 0.75, 2, 0, history,
                "checkpoint");
    }

    @Test
    void roundTrips(@TempDir Path dir) throws IOException {
        Checkpoint cp = sample(21);
        Path file = cp.write(dir, 3);
        assertEquals("checkpoint-000000000021.ckpt", file.getFileName().toString());
        Checkpoint back = Checkpoint.read(file);
        assertArrayEquals(cp.encode(), back.encode());
        assertEquals(3, back.epoch());
        assertEquals(5, back.batchIndex());
        assertEquals(21, back.globalStep());
        assertEquals(42L, back.seed());
        assertEquals("adam", back.optimizer());
        assertEquals(cp.history(), back.history());
        assertEquals(12.5, back.epochLossSum());
        assertEquals(file.toString(), back.source());
        assertEquals(21, Checkpoint.stepOf(file));
    }

    @Test
    void keepsTheNewestAndFindsTheLatest(@TempDir Path dir) throws IOException {
        for (long s : new long[] {8, 16, 24, 32}) {
            sample(s).write(dir, 2);
        }
        List<Path> files = Checkpoint.list(dir);
        assertEquals(2, files.size());
        assertEquals(32, Checkpoint.stepOf(Checkpoint.latest(dir).orElseThrow()));
        assertEquals(24, Checkpoint.stepOf(files.get(0)));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary files are left behind");
        }
        assertTrue(Checkpoint.latest(dir.resolve("missing")).isEmpty());
    }

    @Test
    void damagedFilesAreNamedInTheError(@TempDir Path dir) throws IOException {
        Path file = sample(4).write(dir, 1);
        byte[] data = Files.readAllBytes(file);
        data[data.length / 2] ^= 0x10;
        Files.write(file, data);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(file));
        assertEquals(file + ": checksum mismatch, the checkpoint is damaged", e.getMessage());

        Path other = dir.resolve("other.ckpt");
        Files.writeString(other, "hello, this is not a checkpoint");
        e = assertThrows(IOException.class, () -> Checkpoint.read(other));
        assertTrue(e.getMessage().startsWith(other + ": not a descent checkpoint"), e.getMessage());

        byte[] good = sample(4).encode();
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 20);
        e = assertThrows(IOException.class, () -> Checkpoint.decode(cut, "cut.ckpt"));
        assertTrue(e.getMessage().startsWith("cut.ckpt: "), e.getMessage());
        assertThrows(IOException.class, () -> Checkpoint.read(dir.resolve("nope.ckpt")));
    }
}

package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        return sample("run-a", step);
    }

    private static Checkpoint sample(String runId, long step) {
        Evaluation eval = new Evaluation(100, 0.5, 0.9, Double.NaN, Double.NaN,
                new ConfusionMatrix(2, new long[] {45, 5, 5, 45}));
        Evaluation val = new Evaluation(40, 0.625, 0.875, Double.NaN, Double.NaN,
                new ConfusionMatrix(2, new long[] {18, 2, 3, 17}));
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 1.25, 1000, 8, 0.1, eval, val),
                new EpochMetrics(2, 0.75, 1000, 16, 0.05, null, null));
        return new Checkpoint(runId, "softmax 4-2, no bias, ce, init zero", new byte[] {1, 2, 3}, "adam",
                new byte[] {9, 8, 7, 6}, 3, 5, step, 12.5, 640L, 0.025, 1000, 8, 42L, 1, 0.625, 1, 1, "val_loss",
                new byte[] {5, 4, 3, 2, 1}, history, "checkpoint");
    }

    /**
     * A version-2 checkpoint written by descent before validation sets (optim/src/test/resources): run "run-v2",
     * epoch 4, batch 5, step 29, best loss 0.5 at epoch 3, three epochs of history (a classifier's test evaluation,
     * none, a regression's).
     */
    private static byte[] versionTwo() throws IOException {
        try (var in = CheckpointFormatTest.class.getResourceAsStream("checkpoint-v2.ckpt")) {
            return in.readAllBytes();
        }
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
        assertEquals("run-a", back.runId());
        assertEquals("run-a", Checkpoint.runIdOf(file));
        assertEquals("val_loss", back.monitor());
        assertEquals(0.625, back.bestLoss());
        assertEquals(1, back.bestEpoch());
        assertEquals(1, back.epochsWithoutImprovement());
        assertArrayEquals(new byte[] {5, 4, 3, 2, 1}, back.bestWeights());
        assertEquals(0.875, back.history().getFirst().validation().accuracy());
        assertEquals(Checkpoint.VERSION, java.nio.ByteBuffer.wrap(Files.readAllBytes(file), 8, 4).getInt());
        assertEquals(3, Checkpoint.VERSION);
    }

    /** Without early stopping there is no monitor and no best-weights copy (an empty block). */
    @Test
    void roundTripsWithoutEarlyStopping() throws IOException {
        Checkpoint cp = new Checkpoint("run-b", "m", new byte[] {1}, "sgd", new byte[0], 2, 0, 4, 0, 0, 0.1, 10, 2,
                1L, 1, Double.POSITIVE_INFINITY, 0, 0, "", null, List.of(new EpochMetrics(1, 1, 10, 2, 0.1, null)),
                "checkpoint");
        Checkpoint back = Checkpoint.decode(cp.encode(), "x");
        assertEquals("", back.monitor());
        assertNull(back.bestWeights());
        assertNull(back.history().getFirst().validation());
        assertArrayEquals(cp.encode(), back.encode());
    }

    /** Files written by the previous format are still read: no monitor, no best weights, no validation. */
    @Test
    void readsVersionTwo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.fileName(29));
        Files.write(file, versionTwo());
        assertEquals("run-v2", Checkpoint.runIdOf(file));
        Checkpoint back = Checkpoint.read(file);
        assertEquals("run-v2", back.runId());
        assertEquals(4, back.epoch());
        assertEquals(5, back.batchIndex());
        assertEquals(29, back.globalStep());
        assertEquals("", back.monitor());
        assertNull(back.bestWeights());
        assertEquals(0.5, back.bestLoss());
        assertEquals(3, back.bestEpoch());
        assertEquals(3, back.history().size());
        assertEquals(0.9, back.history().get(0).test().accuracy());
        assertNull(back.history().get(1).test());
        assertEquals(0.4, back.history().get(2).test().mae());
        for (EpochMetrics m : back.history()) {
            assertNull(m.validation());
        }
        // written again, it is a version-3 file with the same content
        Checkpoint again = Checkpoint.decode(back.encode(), "again");
        assertEquals(back.history(), again.history());
        assertEquals(3, java.nio.ByteBuffer.wrap(back.encode(), 8, 4).getInt());
    }

    @Test
    void refusesANewerVersion() throws IOException {
        byte[] b = sample(3).encode();
        java.nio.ByteBuffer.wrap(b, 8, 4).putInt(Checkpoint.VERSION + 1);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.decode(b, "new.ckpt"));
        assertEquals("new.ckpt: checkpoint format version 4 is not supported (this is version 3)", e.getMessage());
    }

    @Test
    void prunesOnlyItsOwnRunsOlderCheckpoints(@TempDir Path dir) throws IOException {
        // An older, longer run left checkpoints at steps 40 and 48; this run's must neither prune them nor be
        // pruned by them (pruning by step alone deleted the checkpoint just written).
        sample("old", 40).write(dir, 2);
        sample("old", 48).write(dir, 2);
        Path a = sample("new", 8).write(dir, 2);
        Path b = sample("new", 16).write(dir, 2);
        Path c = sample("new", 24).write(dir, 2);
        assertTrue(Files.exists(b) && Files.exists(c), "this run's newest two stay");
        assertTrue(Files.notExists(a), "this run's oldest goes");
        assertEquals(4, Checkpoint.list(dir).size(), "the other run's two stay");
        assertEquals(24, Checkpoint.stepOf(Checkpoint.latest(dir, "new").orElseThrow()));
        assertEquals(48, Checkpoint.stepOf(Checkpoint.latest(dir, "old").orElseThrow()));
        assertTrue(Checkpoint.latest(dir, "third").isEmpty());
    }

    @Test
    void readsVersionOneWithoutARunIdentity(@TempDir Path dir) throws IOException {
        // Version 1 is version 2 without the run identity's UTF field (2-byte length, then the bytes: "run-v2").
        byte[] v2 = versionTwo();
        byte[] v1 = new byte[v2.length - 8];
        System.arraycopy(v2, 0, v1, 0, 12);
        System.arraycopy(v2, 20, v1, 12, v2.length - 28);
        v1[11] = 1;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(v1, 0, v1.length - 8);
        java.nio.ByteBuffer.wrap(v1, v1.length - 8, 8).putLong(crc.getValue());
        Path file = dir.resolve(Checkpoint.fileName(29));
        Files.write(file, v1);
        Checkpoint back = Checkpoint.read(file);
        assertEquals("", back.runId());
        assertEquals("", Checkpoint.runIdOf(file));
        assertEquals(29, back.globalStep());
        assertEquals(Checkpoint.decode(v2, "v2").history(), back.history());
    }

    @Test
    void newRunIdsDiffer() {
        String a = Checkpoint.newRunId();
        assertEquals(16, a.length());
        assertTrue(a.matches("[0-9a-f]{16}"), a);
        assertTrue(!a.equals(Checkpoint.newRunId()));
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

package dev.descent.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader's bookkeeping on a plain heap backend; see the integration tests for the CPU backend. */
class DataLoaderUnitTest {

    /** Row i has features (i, 1000 + i) and label i % classes, so a gathered row names its sample. */
    static Dataset numbered(int n, int classes) {
        float[] f = new float[n * 2];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            f[2 * i] = i;
            f[2 * i + 1] = 1000 + i;
            l[i] = i % classes;
        }
        return Dataset.classification("numbered", f, n, 2, l, classes);
    }

    private static int[] rowsOf(GatherOnlyBackend be, Batch b) {
        float[] f = be.download(b.features());
        int[] l = be.downloadInt(b.labels());
        int[] rows = new int[b.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (int) f[2 * i];
            assertEquals(1000 + rows[i], f[2 * i + 1]);
            assertEquals(rows[i] % 3, l[i]);
        }
        return rows;
    }

    @Test
    void epochVisitsEverySampleOnceInTheDocumentedOrder() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(10, 3).upload(be);
             DataLoader loader = new DataLoader(d, LoaderOptions.batches(4).withSeed(42))) {
            assertEquals(3, loader.batchesPerEpoch());
            assertEquals(0, loader.epoch());
            assertFalse(loader.hasNext());
            assertThrows(IllegalStateException.class, loader::next);
            for (int epoch = 1; epoch <= 3; epoch++) {
                loader.startEpoch(epoch);
                List<Integer> seen = new ArrayList<>();
                int[] sizes = new int[3];
                for (int b = 0; loader.hasNext(); b++) {
                    assertEquals(b, loader.position());
                    Batch batch = loader.next();
                    assertEquals(b, batch.index());
                    assertEquals(batch.size(), batch.globalSize());
                    assertNull(batch.targets());
                    sizes[b] = batch.size();
                    for (int r : rowsOf(be, batch)) {
                        seen.add(r);
                    }
                }
                assertArrayEquals(new int[] {4, 4, 2}, sizes);
                int[] expected = EpochOrder.permutation(42, epoch, 10);
                assertArrayEquals(expected, seen.stream().mapToInt(Integer::intValue).toArray());
                assertThrows(NoSuchElementException.class, loader::next);
            }
        }
    }

    @Test
    void noShuffleIsFileOrderAndUploadsTheOrderOnce() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(7, 3).upload(be);
             DataLoader loader = new DataLoader(d, LoaderOptions.batches(3).withShuffle(false))) {
            for (int epoch = 1; epoch <= 4; epoch++) {
                loader.startEpoch(epoch);
                assertArrayEquals(new int[] {0, 1, 2}, rowsOf(be, loader.next()));
                assertArrayEquals(new int[] {3, 4, 5}, rowsOf(be, loader.next()));
                assertArrayEquals(new int[] {6}, rowsOf(be, loader.next()));
                assertFalse(loader.hasNext());
            }
            assertEquals(1, be.uploadIntCalls);
        }
    }

    @Test
    void dropLastAndFullBatch() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(10, 3).upload(be)) {
            try (DataLoader dl = new DataLoader(d, LoaderOptions.batches(4).withDropLast(true))) {
                assertEquals(2, dl.batchesPerEpoch());
                dl.startEpoch(1);
                assertEquals(4, dl.next().size());
                assertEquals(4, dl.next().size());
                assertFalse(dl.hasNext());
            }
            try (DataLoader dl = new DataLoader(d, LoaderOptions.batches(5).withDropLast(true))) {
                assertEquals(2, dl.batchesPerEpoch()); // exact division: nothing dropped
            }
            long open = be.openTensors();
            int gathers = be.gatherCalls;
            try (DataLoader dl = new DataLoader(d, LoaderOptions.fullBatch())) {
                assertEquals(open, be.openTensors(), "a plain full batch needs no buffers");
                assertEquals(1, dl.batchesPerEpoch());
                for (int e = 1; e <= 2; e++) {
                    dl.startEpoch(e);
                    Batch b = dl.next();
                    assertSame(d.features(), b.features());
                    assertSame(d.labels(), b.labels());
                    assertEquals(10, b.size());
                    assertEquals(10, b.globalSize());
                    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, rowsOf(be, b));
                    assertFalse(dl.hasNext());
                }
                assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, dl.sampleIndices(1, 0));
                assertEquals(gathers, be.gatherCalls);
            }
            assertFalse(d.isClosed(), "closing the loader leaves the data set open");
            try (DataLoader dl = new DataLoader(d, LoaderOptions.fullBatch().withShuffle(true).withSeed(4))) {
                dl.startEpoch(2);
                Batch b = dl.next();
                assertFalse(b.features() == d.features());
                assertArrayEquals(EpochOrder.permutation(4, 2, 10), rowsOf(be, b));
            }
            try (DataLoader dl = new DataLoader(d, LoaderOptions.batches(25))) {
                assertEquals(1, dl.batchesPerEpoch());
                dl.startEpoch(1);
                assertEquals(10, dl.next().size());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DataLoader(d, LoaderOptions.batches(25).withDropLast(true)));
            assertTrue(e.getMessage().contains("no batch"), e.getMessage());
        }
    }

    @Test
    void seekResumesWithIdenticalBatches() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(23, 3).upload(be);
             DataLoader a = new DataLoader(d, LoaderOptions.batches(5).withSeed(7));
             DataLoader b = new DataLoader(d, LoaderOptions.batches(5).withSeed(7))) {
            List<int[]> straight = new ArrayList<>();
            for (int e = 1; e <= 3; e++) {
                a.startEpoch(e);
                while (a.hasNext()) {
                    straight.add(rowsOf(be, a.next()));
                }
            }
            // resume at epoch 2, batch 3 (after a "restart")
            b.seek(2, 3);
            assertEquals(2, b.epoch());
            assertEquals(3, b.position());
            List<int[]> resumed = new ArrayList<>();
            while (b.hasNext()) {
                resumed.add(rowsOf(be, b.next()));
            }
            b.startEpoch(3);
            while (b.hasNext()) {
                resumed.add(rowsOf(be, b.next()));
            }
            List<int[]> tail = straight.subList(5 + 3, straight.size());
            assertEquals(tail.size(), resumed.size());
            for (int i = 0; i < tail.size(); i++) {
                assertArrayEquals(tail.get(i), resumed.get(i));
            }
            b.seek(1, 5);
            assertFalse(b.hasNext());
            assertThrows(IllegalArgumentException.class, () -> b.seek(1, 6));
            assertThrows(IllegalArgumentException.class, () -> b.seek(0, 0));
        }
    }

    @Test
    void shardsConcatenateToTheGlobalBatch() {
        int n = 29;
        for (int world : new int[] {2, 3}) {
            try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(n, 3).upload(be);
                 DataLoader global = new DataLoader(d, LoaderOptions.batches(8).withSeed(3))) {
                DataLoader[] ranks = new DataLoader[world];
                for (int r = 0; r < world; r++) {
                    ranks[r] = new DataLoader(d, LoaderOptions.batches(8).withSeed(3).withShard(r, world));
                }
                for (int e = 1; e <= 2; e++) {
                    global.startEpoch(e);
                    for (DataLoader l : ranks) {
                        l.startEpoch(e);
                    }
                    while (global.hasNext()) {
                        Batch g = global.next();
                        int[] want = rowsOf(be, g);
                        int[] got = new int[0];
                        int min = Integer.MAX_VALUE;
                        int max = 0;
                        for (DataLoader l : ranks) {
                            Batch b = l.next();
                            assertEquals(g.index(), b.index());
                            assertEquals(g.size(), b.globalSize());
                            min = Math.min(min, b.size());
                            max = Math.max(max, b.size());
                            int[] part = rowsOf(be, b);
                            assertArrayEquals(part, l.sampleIndices(e, b.index()));
                            int[] joined = Arrays.copyOf(got, got.length + part.length);
                            System.arraycopy(part, 0, joined, got.length, part.length);
                            got = joined;
                        }
                        assertArrayEquals(want, got);
                        assertTrue(max - min <= 1);
                    }
                    for (DataLoader l : ranks) {
                        assertFalse(l.hasNext());
                    }
                }
                for (DataLoader l : ranks) {
                    l.close();
                }
            }
        }
    }

    @Test
    void shardsNeedARowEach() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(10, 3).upload(be)) {
            // 10 = 4 + 4 + 2: the final batch of 2 cannot feed 3 ranks
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DataLoader(d, LoaderOptions.batches(4).withShard(0, 3)));
            assertTrue(e.getMessage().contains("drop-last"), e.getMessage());
            try (DataLoader ok = new DataLoader(d, LoaderOptions.batches(4).withShard(2, 3).withDropLast(true))) {
                assertEquals(2, ok.batchesPerEpoch());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> new DataLoader(d, LoaderOptions.batches(2).withShard(0, 3).withDropLast(true)));
            assertThrows(IllegalArgumentException.class, () -> LoaderOptions.batches(2).withShard(3, 3));
        }
    }

    @Test
    void batchRecordsAndBuffersAreReused() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(10, 3).upload(be);
             DataLoader loader = new DataLoader(d, LoaderOptions.batches(4))) {
            long tensors = be.openTensors();
            loader.startEpoch(1);
            Batch b0 = loader.next();
            Batch b1 = loader.next();
            Batch b2 = loader.next();
            assertSame(b0.features(), b1.features());
            assertFalse(b0.features() == b2.features());
            loader.startEpoch(2);
            assertSame(b0, loader.next());
            assertEquals(tensors, be.openTensors());
        }
    }

    @Test
    void theNextBatchIsGatheredAheadAndAwaitedBeforeItIsUsedOrTheOrderChanges() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(10, 3).upload(be)) {
            be.deferAsync = true; // gathers "in the background": the loader double-buffers
            long before = be.openTensors();
            DataLoader loader = new DataLoader(d, LoaderOptions.batches(4).withSeed(9));
            // index + 3 buffer sets of features and labels: two for full batches, one for the final partial batch
            assertEquals(before + 1 + 6, be.openTensors());
            int[][] expected = new int[3][];
            for (int b = 0; b < 3; b++) {
                expected[b] = loader.sampleIndices(1, b);
            }
            loader.startEpoch(1);
            Batch b0 = loader.next();
            assertArrayEquals(expected[0], rowsOf(be, b0));
            assertEquals(1, be.inFlight, "batch 1 is on its way while batch 0 is used");
            Batch b1 = loader.next();
            assertFalse(b0.features() == b1.features(), "into the other buffers");
            assertArrayEquals(expected[1], rowsOf(be, b1), "awaited before it is handed out");
            assertEquals(1, be.inFlight, "then batch 2");
            loader.startEpoch(2); // the order changes: the gather in flight is awaited first
            assertEquals(0, be.inFlight);
            assertSame(b0, loader.next());
            assertArrayEquals(loader.sampleIndices(2, 0), rowsOf(be, b0));
            loader.seek(2, 2); // positioned past the prefetched batch 1: batch 2 is gathered afresh
            assertEquals(0, be.inFlight);
            assertArrayEquals(loader.sampleIndices(2, 2), rowsOf(be, loader.next()));
            assertEquals(0, be.inFlight, "nothing after the epoch's last batch");
            loader.startEpoch(3);
            loader.next();
            assertEquals(1, be.inFlight);
            loader.close();
            assertEquals(0, be.inFlight, "close waits for the copy before releasing its buffers");
            assertEquals(before, be.openTensors());
        }
    }

    @Test
    void closeReleasesBuffersButNotTheData() {
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = numbered(10, 3).upload(be)) {
            long before = be.openTensors();
            DataLoader loader = new DataLoader(d, LoaderOptions.batches(4));
            assertEquals(before + 1 + 4, be.openTensors()); // index + 2 buffer sets of features and labels
            loader.close();
            loader.close();
            assertEquals(before, be.openTensors());
            assertFalse(d.isClosed());
            assertThrows(IllegalStateException.class, () -> loader.startEpoch(1));
        }
    }

    @Test
    void regressionTargetsAreGathered() {
        float[] f = {0, 1, 2, 3, 4};
        float[] t = {0, 0.5f, 10, 10.5f, 20, 20.5f, 30, 30.5f, 40, 40.5f};
        Dataset ds = Dataset.regression("reg", f, 5, 1, t, 2);
        try (GatherOnlyBackend be = new GatherOnlyBackend(); DeviceDataset d = ds.upload(be);
             DataLoader loader = new DataLoader(d, LoaderOptions.batches(2).withSeed(11))) {
            loader.startEpoch(1);
            while (loader.hasNext()) {
                Batch b = loader.next();
                assertNull(b.labels());
                float[] x = be.download(b.features());
                float[] y = be.download(b.targets());
                for (int i = 0; i < b.size(); i++) {
                    assertEquals(10 * x[i], y[2 * i]);
                    assertEquals(10 * x[i] + 0.5f, y[2 * i + 1]);
                }
            }
        }
    }
}

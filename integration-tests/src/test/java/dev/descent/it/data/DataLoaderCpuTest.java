package dev.descent.it.data;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.EpochOrder;
import dev.descent.data.LoaderOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data loader on the CPU backend: order, coverage, resume, shards, and no allocation in next(). */
class DataLoaderCpuTest {
    private static Backend one;
    private static Backend two;

    @BeforeAll
    static void open() {
        one = Backends.select("cpu", BackendOptions.threads(1)).backend();
        two = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    /** Feature (i, j) = 1000·i + j and label i mod k: every gathered row names its sample exactly. */
    static Dataset numbered(int n, int d, int k) {
        float[] f = new float[n * d];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                f[i * d + j] = 1000f * i + j;
            }
            l[i] = i % k;
        }
        return Dataset.classification("numbered", f, n, d, l, k);
    }

    /** The sample indices of a gathered batch, after checking every feature and label of the row. */
    static int[] samplesOf(Backend be, Batch b, int d, int k) {
        float[] f = be.download(b.features());
        int[] l = be.downloadInt(b.labels());
        assertEquals(b.size(), b.features().rows());
        assertEquals(b.size(), l.length);
        int[] s = new int[b.size()];
        for (int r = 0; r < s.length; r++) {
            s[r] = (int) (f[r * d] / 1000f);
            for (int j = 0; j < d; j++) {
                assertEquals(1000f * s[r] + j, f[r * d + j]);
            }
            assertEquals(s[r] % k, l[r]);
        }
        return s;
    }

    /** Every batch of epochs 1..epochs, downloaded: features and labels. */
    static List<Object> run(Backend be, Dataset data, LoaderOptions o, int epochs) {
        List<Object> out = new ArrayList<>();
        try (DeviceDataset d = data.upload(be); DataLoader loader = new DataLoader(d, o)) {
            for (int e = 1; e <= epochs; e++) {
                loader.startEpoch(e);
                while (loader.hasNext()) {
                    Batch b = loader.next();
                    out.add(be.download(b.features()));
                    out.add(be.downloadInt(b.labels()));
                }
            }
        }
        return out;
    }

    @Test
    void orderIsAPureFunctionOfSeedAndEpochOnAnyThreadCount() {
        // 500 × 160 = 80,000 elements per batch: large enough for the backend's parallel gather with 2 threads
        Dataset data = numbered(1300, 160, 7);
        LoaderOptions o = LoaderOptions.batches(500).withSeed(2024);
        List<Object> a = run(one, data, o, 3);
        List<Object> b = run(two, data, o, 3);
        List<Object> c = run(two, data, o, 3);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) instanceof float[] fa) {
                assertArrayEquals(fa, (float[]) b.get(i));
                assertArrayEquals(fa, (float[]) c.get(i));
            } else {
                assertArrayEquals((int[]) a.get(i), (int[]) b.get(i));
                assertArrayEquals((int[]) a.get(i), (int[]) c.get(i));
            }
        }
        // and it is the documented order
        try (DeviceDataset d = data.upload(two); DataLoader loader = new DataLoader(d, o)) {
            for (int e = 1; e <= 2; e++) {
                int[] expected = EpochOrder.permutation(2024, e, 1300);
                loader.startEpoch(e);
                int at = 0;
                while (loader.hasNext()) {
                    for (int s : samplesOf(two, loader.next(), 160, 7)) {
                        assertEquals(expected[at++], s);
                    }
                }
                assertEquals(1300, at);
            }
        }
        assertFalse(Arrays.equals((float[]) run(one, data, o.withSeed(2025), 1).getFirst(), (float[]) a.getFirst()));
    }

    @Test
    void anEpochCoversEverySampleOnce() {
        Dataset data = numbered(103, 3, 5);
        try (DeviceDataset d = data.upload(two);
             DataLoader loader = new DataLoader(d, LoaderOptions.batches(10).withSeed(5))) {
            assertEquals(11, loader.batchesPerEpoch());
            for (int e = 1; e <= 4; e++) {
                loader.startEpoch(e);
                boolean[] seen = new boolean[103];
                int count = 0;
                while (loader.hasNext()) {
                    Batch b = loader.next();
                    assertEquals(b.index() == 10 ? 3 : 10, b.size());
                    for (int s : samplesOf(two, b, 3, 5)) {
                        assertFalse(seen[s], "sample " + s + " twice in epoch " + e);
                        seen[s] = true;
                        count++;
                    }
                }
                assertEquals(103, count);
            }
        }
    }

    @Test
    void dropLastAndFullBatch() {
        Dataset data = numbered(103, 3, 5);
        try (DeviceDataset d = data.upload(one)) {
            try (DataLoader loader = new DataLoader(d, LoaderOptions.batches(10).withSeed(5).withDropLast(true))) {
                assertEquals(10, loader.batchesPerEpoch());
                loader.startEpoch(1);
                int[] order = EpochOrder.permutation(5, 1, 103);
                int at = 0;
                while (loader.hasNext()) {
                    Batch b = loader.next();
                    assertEquals(10, b.size());
                    for (int s : samplesOf(one, b, 3, 5)) {
                        assertEquals(order[at++], s);
                    }
                }
                assertEquals(100, at); // the last 3 of the order are dropped
            }
            try (DataLoader loader = new DataLoader(d, LoaderOptions.fullBatch())) {
                assertEquals(1, loader.batchesPerEpoch());
                for (int e = 1; e <= 2; e++) {
                    loader.startEpoch(e);
                    Batch b = loader.next();
                    assertEquals(103, b.size());
                    assertEquals(103, b.globalSize());
                    int[] s = samplesOf(one, b, 3, 5);
                    for (int i = 0; i < 103; i++) {
                        assertEquals(i, s[i]);
                    }
                    assertFalse(loader.hasNext());
                }
            }
            try (DataLoader loader = new DataLoader(d, LoaderOptions.fullBatch().withShuffle(true).withSeed(9))) {
                loader.startEpoch(3);
                assertArrayEquals(EpochOrder.permutation(9, 3, 103), samplesOf(one, loader.next(), 3, 5));
            }
        }
    }

    @Test
    void seekResumesWithIdenticalBatches() {
        Dataset data = numbered(257, 4, 3);
        LoaderOptions o = LoaderOptions.batches(16).withSeed(77);
        List<int[]> straight = new ArrayList<>();
        try (DeviceDataset d = data.upload(one); DataLoader loader = new DataLoader(d, o)) {
            for (int e = 1; e <= 3; e++) {
                loader.startEpoch(e);
                while (loader.hasNext()) {
                    straight.add(samplesOf(one, loader.next(), 4, 3));
                }
            }
        }
        int perEpoch = 17;
        for (int[] at : new int[][] {{1, 0}, {2, 5}, {2, 16}, {3, 17}}) {
            // a fresh loader on another backend, as after a restart
            try (DeviceDataset d = data.upload(two); DataLoader loader = new DataLoader(d, o)) {
                loader.seek(at[0], at[1]);
                int k = (at[0] - 1) * perEpoch + at[1];
                for (int e = at[0]; e <= 3; e++) {
                    if (e > at[0]) {
                        loader.startEpoch(e);
                    }
                    while (loader.hasNext()) {
                        assertEquals(k % perEpoch, loader.position());
                        assertArrayEquals(straight.get(k++), samplesOf(two, loader.next(), 4, 3));
                    }
                }
                assertEquals(straight.size(), k);
            }
        }
    }

    @Test
    void shardsOverTwoAndThreeRanksReproduceTheGlobalBatches() {
        Dataset data = numbered(211, 5, 4);
        for (int world : new int[] {2, 3}) {
            for (LoaderOptions o : List.of(LoaderOptions.batches(20).withSeed(8),
                    LoaderOptions.batches(32).withSeed(8).withDropLast(true), LoaderOptions.fullBatch())) {
                try (DeviceDataset d = data.upload(two); DataLoader global = new DataLoader(d, o)) {
                    DataLoader[] ranks = new DataLoader[world];
                    for (int r = 0; r < world; r++) {
                        ranks[r] = new DataLoader(d, o.withShard(r, world));
                        assertEquals(global.batchesPerEpoch(), ranks[r].batchesPerEpoch());
                    }
                    for (int e = 1; e <= 2; e++) {
                        global.startEpoch(e);
                        for (DataLoader l : ranks) {
                            l.startEpoch(e);
                        }
                        while (global.hasNext()) {
                            Batch g = global.next();
                            float[] want = two.download(g.features());
                            int[] wantLabels = two.downloadInt(g.labels());
                            float[] got = new float[0];
                            int[] gotLabels = new int[0];
                            int smallest = Integer.MAX_VALUE;
                            int largest = 0;
                            for (DataLoader l : ranks) {
                                Batch b = l.next();
                                assertEquals(g.size(), b.globalSize());
                                assertEquals(g.index(), b.index());
                                smallest = Math.min(smallest, b.size());
                                largest = Math.max(largest, b.size());
                                got = concat(got, two.download(b.features()));
                                gotLabels = concat(gotLabels, two.downloadInt(b.labels()));
                            }
                            assertTrue(largest - smallest <= 1, "shard sizes " + smallest + ".." + largest);
                            assertArrayEquals(want, got, "world " + world + ", " + o + ", batch " + g.index());
                            assertArrayEquals(wantLabels, gotLabels);
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
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void regressionTargetsFollowTheirRows() {
        int n = 50;
        float[] x = new float[n];
        float[] t = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            t[2 * i] = 100 - i;
            t[2 * i + 1] = i + 0.5f;
        }
        Dataset data = Dataset.regression("reg", x, n, 1, t, 2);
        try (DeviceDataset d = data.upload(two);
             DataLoader loader = new DataLoader(d, LoaderOptions.batches(8).withSeed(1))) {
            loader.startEpoch(1);
            int rows = 0;
            while (loader.hasNext()) {
                Batch b = loader.next();
                assertEquals(null, b.labels());
                float[] f = two.download(b.features());
                float[] y = two.download(b.targets());
                for (int r = 0; r < b.size(); r++) {
                    assertEquals(100 - f[r], y[2 * r]);
                    assertEquals(f[r] + 0.5f, y[2 * r + 1]);
                }
                rows += b.size();
            }
            assertEquals(n, rows);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * After warm-up, next() allocates nothing. Measured over rounds of 20 epochs (the epoch start, which computes and
     * uploads the order, outside the measured region); the best round must stay under a few hundred bytes, which
     * tolerates a one-off JIT deoptimisation in the backend but not a loader that allocates per call (480 calls).
     */
    @Test
    void nextAllocatesNothing() {
        assertTrue(THREADS.isThreadAllocatedMemorySupported());
        THREADS.setThreadAllocatedMemoryEnabled(true);
        for (Backend be : List.of(one, two)) {
            // batches below the CPU backend's parallel threshold: its single-threaded gather allocates nothing,
            // so whatever is counted here would be the loader's
            Dataset data = numbered(1000, 8, 10);
            try (DeviceDataset d = data.upload(be);
                 DataLoader loader = new DataLoader(d, LoaderOptions.batches(64).withSeed(3))) {
                int epoch = 0;
                for (int i = 0; i < 100; i++) { // warm-up: both batch shapes, JIT
                    loader.startEpoch(++epoch);
                    while (loader.hasNext()) {
                        loader.next();
                    }
                }
                long best = Long.MAX_VALUE;
                List<Long> rounds = new ArrayList<>();
                for (int round = 0; round < 5; round++) {
                    long total = 0;
                    int calls = 0;
                    for (int i = 0; i < 30; i++) {
                        loader.startEpoch(++epoch);
                        long before = THREADS.getCurrentThreadAllocatedBytes();
                        while (loader.hasNext()) {
                            loader.next();
                            calls++;
                        }
                        total += THREADS.getCurrentThreadAllocatedBytes() - before;
                    }
                    assertEquals(30 * 16, calls);
                    rounds.add(total);
                    best = Math.min(best, total);
                }
                assertTrue(best < 256, be.description() + ": rounds of 480 next() calls allocated " + rounds
                        + " bytes");
            }
        }
    }
}

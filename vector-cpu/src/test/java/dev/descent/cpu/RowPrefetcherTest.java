package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Tensor;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link Backend#gatherRowsAsync} on the CPU backend: the same rows as {@link Backend#gatherRows}, checked eagerly. A
 * lost piece would make an await spin for ever: every test has a time limit.
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RowPrefetcherTest {
    /** Asserts that an action fails with the backend's exception. */
    private static final class BackendExceptionCheck {
        static void expect(org.junit.jupiter.api.function.Executable action) {
            assertThrows(dev.descent.backend.BackendException.class, action);
        }
    }

    private static final boolean SPARE_CORE = Runtime.getRuntime().availableProcessors() > 1;

    @Test
    void backgroundGathersEqualSynchronousOnesBitForBit() {
        Random random = new Random(11);
        int n = 3000;
        int d = 97;
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        x[5] = Float.NaN;
        x[6] = -0f;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(24);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = random.nextInt(n);
        }
        try (CpuBackend be = new CpuBackend(BackendOptions.threads(1))) {
            assertEquals(SPARE_CORE, be.gathersInBackground());
            Tensor src = be.upload(x, n, d);
            Tensor srcLabels = be.uploadInt(labels, n);
            Tensor idx = be.uploadInt(order, n);
            Tensor[] dst = {be.allocate(16, d), be.allocate(16, d)};
            Tensor expected = be.allocate(16, d);
            Tensor dstLabels = be.allocateInt(16);
            Tensor expectedLabels = be.allocateInt(16);
            // alternating buffers, as a loader does: the next gather runs while this one is read
            Backend.Pending pending = be.gatherRowsAsync(src, idx, 0, dst[0]);
            for (int b = 0; b + 16 <= n; b += 16) {
                pending.await();
                Tensor now = dst[(b / 16) & 1];
                if (b + 32 <= n) {
                    pending = be.gatherRowsAsync(src, idx, b + 16, dst[((b / 16) + 1) & 1]);
                }
                be.gatherRows(src, idx, b, expected);
                assertArrayEquals(be.download(expected), be.download(now), "batch at " + b);
                be.gatherRowsAsync(srcLabels, idx, b, dstLabels).await();
                be.gatherRows(srcLabels, idx, b, expectedLabels);
                assertArrayEquals(be.downloadInt(expectedLabels), be.downloadInt(dstLabels));
            }
            pending.await();
        }
    }

    @Test
    void aJobTheThreadHasNotStartedIsCopiedByTheAwaitingThread() {
        float[] src = new float[50 * 3];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        int[] idx = {49, 0, 7, 7};
        RowPrefetcher idle = new RowPrefetcher("test-idle", false, -1); // its thread never runs
        for (int round = 0; round < 3; round++) {
            float[] dst = new float[4 * 3];
            idle.submit(src, idx, round, dst, 4 - round, 3).await();
            for (int r = 0; r < 4 - round; r++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(src[idx[round + r] * 3 + c], dst[r * 3 + c]);
                }
            }
        }
        idle.close();
        assertFalse(idle.running());
    }

    /**
     * The thread claims one piece of each job and leaves the rest to the awaiting thread: the pieces land where they
     * belong whoever copies them, over many jobs in both slots, and across the wrap of the job numbers.
     */
    @Test
    void piecesCopiedByBothThreadsLandInPlace() {
        int cols = 1000; // 4 rows a piece
        int n = 300;
        float[] src = new float[n * cols];
        for (int i = 0; i < src.length; i++) {
            src[i] = i * 0.5f;
        }
        Random random = new Random(5);
        RowPrefetcher shared = new RowPrefetcher("test-shared", true, 1);
        try {
            assertEquals(4, Math.max(1, RowPrefetcher.PIECE_FLOATS / cols));
            for (int round = 0; round < 200; round++) {
                if (round == 100) {
                    shared.numberJobsAfter(Integer.MAX_VALUE - 2); // jobs 2^31 - 2, 2^31 - 1, then 2, 3, ...
                }
                int rows = 1 + random.nextInt(41); // 1 to 11 pieces, the last one often partial
                int[] idx = new int[rows + round % 3];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = random.nextInt(n);
                }
                float[] dst = new float[rows * cols];
                java.util.Arrays.fill(dst, Float.NaN);
                int offset = round % 3;
                shared.submit(src, idx, offset, dst, rows, cols).await();
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c += 97) {
                        assertEquals(src[idx[offset + r] * cols + c], dst[r * cols + c], "round " + round + " row " + r);
                    }
                    assertEquals(src[idx[offset + r] * cols + cols - 1], dst[r * cols + cols - 1]);
                }
            }
        } finally {
            shared.close();
        }
        assertFalse(shared.running());
    }

    @Test
    void aFailedPieceFailsTheAwaitAndTheNextJobStillWorks() {
        float[] src = new float[10 * 2000];
        RowPrefetcher p = new RowPrefetcher("test-fail", false, -1);
        float[] small = new float[2 * 2000];
        // row index 99 is out of range: the piece that holds it fails, the await reports it
        BackendExceptionCheck.expect(() -> p.submit(src, new int[] {0, 99}, 0, small, 2, 2000).await());
        p.submit(src, new int[] {3, 4}, 0, small, 2, 2000).await();
        p.close();
    }

    @Test
    void badArgumentsFailAtTheCallNotLater() {
        try (CpuBackend be = new CpuBackend(BackendOptions.threads(1))) {
            Tensor src = be.upload(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
            Tensor idx = be.uploadInt(new int[] {0, 7}, 2);
            Tensor dst = be.allocate(2, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.gatherRowsAsync(src, idx, 0, dst));
            assertTrue(e.getMessage().contains("7"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.gatherRowsAsync(src, idx, 0, be.allocate(2, 3)));
            // and the backend still works afterwards
            Tensor ok = be.uploadInt(new int[] {2, 0}, 2);
            be.gatherRowsAsync(src, ok, 0, dst).await();
            assertArrayEquals(new float[] {5, 6, 1, 2}, be.download(dst));
        }
    }

    @Test
    void allCoresBusyMeansGatheringAtOnce() {
        try (CpuBackend be = new CpuBackend(BackendOptions.threads(Runtime.getRuntime().availableProcessors()))) {
            assertFalse(be.gathersInBackground());
            Tensor src = be.upload(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor idx = be.uploadInt(new int[] {1}, 1);
            Tensor dst = be.allocate(1, 2);
            assertSame(Backend.Pending.DONE, be.gatherRowsAsync(src, idx, 0, dst));
            assertArrayEquals(new float[] {3, 4}, be.download(dst));
        }
    }

    @Test
    void closingTheBackendStopsItsPrefetchThread() {
        CpuBackend be = new CpuBackend(BackendOptions.threads(1));
        Tensor src = be.upload(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor idx = be.uploadInt(new int[] {1}, 1);
        Tensor dst = be.allocate(1, 2);
        be.gatherRowsAsync(src, idx, 0, dst).await();
        RowPrefetcher p = be.prefetcherIfStarted();
        assertEquals(SPARE_CORE, p != null);
        be.close();
        if (p != null) {
            assertFalse(p.running(), "prefetch thread still running after close");
        }
        assertThrows(IllegalStateException.class, () -> be.gatherRowsAsync(src, idx, 0, dst));
    }
}

package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.BackendException;
import dev.descent.backend.Tensor;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What the CUDA backend does beyond the shared contract: deferred device-side checks, memory, threads, timing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaBackendTest {
    private CudaBackend cuda;
    private final Random random = new Random(7);

    @BeforeAll
    void open() {
        cuda = CudaTests.open();
    }

    @AfterAll
    void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    private float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** Int32 labels computed on the device (argmax), so the host does not know them. */
    private Tensor deviceLabels(int rows, int cols, int hotColumn, int hotRow) {
        float[] x = new float[rows * cols];
        x[hotRow * cols + hotColumn] = 1f;
        try (Tensor tx = cuda.upload(x, rows, cols)) {
            Tensor labels = cuda.allocateInt(rows);
            cuda.argmaxRows(tx, labels);
            return labels;
        }
    }

    @Test
    void labelsOnlyTheDeviceKnowsAreCheckedThereAndReportedAtTheNextSync() {
        try (Tensor labels = deviceLabels(4, 10, 7, 1);
                Tensor logits = cuda.upload(randn(12), 4, 3);
                Tensor grad = cuda.allocate(4, 3);
                Tensor loss = cuda.allocate(2)) {
            cuda.softmaxCrossEntropy(logits, labels, grad, 4, loss, 0); // queued: no exception, no wait
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.get(loss, 0));
            assertTrue(e.getMessage().startsWith("softmaxCrossEntropy: label 7 in row 1 is outside [0, 3) "
                    + "(found on the device; reported by get"), e.getMessage());
            // reported once; the backend goes on
            cuda.fill(loss, 1f);
            assertEquals(1f, cuda.get(loss, 1));
        }
    }

    @Test
    void gatherIndicesOnlyTheDeviceKnowsAreCheckedThere() {
        try (Tensor idx = deviceLabels(3, 50, 40, 2);
                Tensor src = cuda.upload(randn(20 * 4), 20, 4);
                Tensor dst = cuda.allocate(3, 4)) {
            cuda.gatherRows(src, idx, 0, dst);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cuda::synchronize);
            assertTrue(e.getMessage().startsWith("gatherRows: index 40 at position 2 of indices is outside [0, 20)"),
                    e.getMessage());
            cuda.synchronize();
        }
    }

    @Test
    void hostKnownIntsFollowGathersSoBadLabelsFailAtTheCall() {
        int[] all = {0, 1, 2, 9, 1};
        try (Tensor labels = cuda.uploadInt(all, 5, 1);
                Tensor order = cuda.uploadInt(new int[] {4, 3, 0}, 3);
                Tensor batch = cuda.allocateInt(2, 1);
                Tensor logits = cuda.upload(randn(6), 2, 3);
                Tensor loss = cuda.allocate(1)) {
            cuda.gatherRows(labels, order, 0, batch); // labels 1, 9
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda.softmaxCrossEntropy(logits, batch, null, 2, loss, 0));
            assertEquals("softmaxCrossEntropy: label 9 at row 1 is outside [0, 3) for logits [2, 3]", e.getMessage());
            cuda.gatherRows(labels, order, 1, batch); // labels 9, 0
            assertArrayEquals(new int[] {9, 0}, cuda.downloadInt(batch));
        }
    }

    @Test
    void runningOutOfMemoryNamesTheTensor() {
        long total = cuda.memoryInfo().total();
        int cols = 1 << 20;
        int rows = (int) Math.min(Integer.MAX_VALUE, total / (4L * cols) + 16);
        long before = cuda.bytesAllocated();
        BackendException e = assertThrows(BackendException.class, () -> cuda.allocate(rows, cols));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("cuda: cannot allocate tensor [" + rows + ", " + cols + "] ("
                + DeviceMemory.formatBytes(4L * rows * cols) + "): cudaErrorMemoryAllocation (2): out of memory"), msg);
        assertTrue(msg.contains("free on device 0"), msg);
        assertEquals(before, cuda.bytesAllocated());
        try (Tensor ok = cuda.upload(new float[] {1, 2}, 2)) {
            assertArrayEquals(new float[] {1, 2}, cuda.download(ok), "the backend still works");
        }
    }

    @Test
    void memoryIsAccountedPerTensor() {
        long before = cuda.bytesAllocated();
        int live = cuda.liveTensors();
        Tensor a = cuda.allocate(100, 10);
        Tensor b = cuda.allocateInt(7);
        assertEquals(before + 4000 + 28, cuda.bytesAllocated());
        assertEquals(live + 2, cuda.liveTensors());
        a.close();
        a.close();
        assertEquals(before + 28, cuda.bytesAllocated());
        b.close();
        assertEquals(before, cuda.bytesAllocated());
        assertEquals(live, cuda.liveTensors());
        assertTrue(cuda.overheadBytes() > 0);
    }

    @Test
    void largeCopiesGoThroughTheStagingBuffersInChunks() {
        int n = 20_000_000; // 80 MB, more than one 64 MiB staging buffer
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i * 0.5f;
        }
        try (Tensor t = cuda.upload(data, n)) {
            float[] back = cuda.download(t);
            assertArrayEquals(data, back);
            assertEquals(data[n - 1], cuda.get(t, n - 1));
        }
    }

    @Test
    void emptyTensorsWork() {
        try (Tensor e = cuda.upload(new float[0], 0); Tensor f = cuda.allocate(0, 5)) {
            assertEquals(0.0, cuda.sum(e));
            assertEquals(0f, cuda.maxAbs(f));
            assertTrue(cuda.allFinite(e));
            assertArrayEquals(new float[0], cuda.download(f));
            cuda.axpy(2f, e, e);
        }
    }

    @Test
    void anotherThreadCanUseTheBackend() throws Exception {
        float[] x = randn(1000);
        try (Tensor t = cuda.upload(x, 1000)) {
            double want = cuda.sum(t);
            AtomicReference<Object> got = new AtomicReference<>();
            Thread th = new Thread(() -> {
                try {
                    cuda.scale(2f, t);
                    got.set(cuda.sum(t));
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            th.start();
            th.join();
            assertEquals(2 * want, (double) got.get(), 1e-9 * Math.abs(want) + 1e-9, String.valueOf(got.get()));
            assertEquals(2 * want, cuda.sum(t), 1e-9 * Math.abs(want) + 1e-9);
        }
    }

    @Test
    void timesWorkWithEventsAndDescribesTheDevice() {
        try (Tensor a = cuda.upload(randn(64 * 64), 64, 64); Tensor c = cuda.allocate(64, 64)) {
            float ms = cuda.time(() -> cuda.gemm(false, false, 1f, a, a, 0f, c));
            assertTrue(ms >= 0f && Float.isFinite(ms), "ms " + ms);
        }
        assertTrue(cuda.description().startsWith("cuda: " + cuda.deviceInfo().name()), cuda.description());
        assertEquals(1, cuda.threads());
    }
}

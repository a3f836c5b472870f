package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Tensor;
import org.junit.jupiter.api.Test;

/** Creating, using and closing backends over and over leaks no device memory. */
class CudaMemoryTest {
    private static final int CYCLES = Integer.getInteger("descent.test.cuda.cycles", 1000);
    /** Allowance for the driver's own bookkeeping; a leak of one tensor per cycle would be CYCLES x 800 KB. */
    private static final long SLACK = 16L << 20;

    @Test
    void aThousandCreateUseCloseCyclesLeaveDeviceMemoryWhereItStarted() {
        CudaTests.assumeCuda();
        long first = -1;
        long last = -1;
        float[] x = new float[256 * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 13) * 0.25f;
        }
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            CudaBackend cuda = CudaTests.open();
            try {
                long free = cuda.memoryInfo().free();
                if (cycle == 1) {
                    first = free; // after the first cycle's one-time set-up (kernels JIT, cuBLAS)
                }
                last = free;
                Tensor a = cuda.upload(x, 256, 784);
                Tensor w = cuda.allocate(784, 10);
                cuda.fill(w, 0.5f);
                Tensor out = cuda.allocate(256, 10);
                cuda.gemm(false, false, 1f, a, w, 0f, out);
                Tensor labels = cuda.uploadInt(new int[256], 256);
                Tensor loss = cuda.allocate(1);
                cuda.softmaxCrossEntropy(out, labels, out, 256, loss, 0);
                if (cycle % 250 == 0) {
                    assertEquals((float) Math.log(10), cuda.get(loss, 0), 1e-5f, "cycle " + cycle);
                }
                a.close(); // the rest is closed by the backend
            } finally {
                cuda.close();
            }
            assertEquals(0, cuda.liveTensors());
            assertEquals(0, cuda.bytesAllocated());
        }
        long drift = first - last;
        assertTrue(Math.abs(drift) <= SLACK, "free device memory moved by " + drift + " bytes over " + CYCLES
                + " cycles (" + first + " -> " + last + ")");
        if (CudaTests.emulated()) {
            assertEquals(first, last, "the emulator counts exactly");
        }
    }
}

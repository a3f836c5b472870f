package dev.descent.cpu;

import dev.descent.backend.BackendOptions;

import org.junit.jupiter.api.Test;

/** {@link AllocationFreeTest}'s check with the scalar twin (it runs in the main test JVM; see that class). */
class ScalarAllocationFreeTest {

    @Test
    void scalarKernelsTwoThreads() {
        // Smaller shapes (still past PARALLEL_MIN where it matters): scalar kernels are slow, and the driver code
        // the lecture-sized shapes run is covered by AllocationFreeTest.
        AllocationFreeTest.check(new CpuBackend(BackendOptions.threads(2), ScalarKernels.INSTANCE), false);
    }
}

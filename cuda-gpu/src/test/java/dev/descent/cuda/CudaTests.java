package dev.descent.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.backend.Availability;
import dev.descent.backend.BackendOptions;

/** Shared helpers for the tests that need a CUDA device (real, or the host emulator of the cuda-emulator run). */
final class CudaTests {
    private CudaTests() {
    }

    /** Skips the calling test, with the reason, unless the CUDA backend is available. */
    static void assumeCuda() {
        Availability a = new CudaBackendProvider().availability();
        assumeTrue(a.available(), () -> "CUDA backend " + a);
    }

    /** A new CUDA backend on device 0, or a skip with the reason. */
    static CudaBackend open() {
        assumeCuda();
        return (CudaBackend) new CudaBackendProvider().create(BackendOptions.defaults());
    }

    /** True in the surefire run against the host emulator (src/test/emulator). */
    static boolean emulated() {
        return System.getProperty("descent.test.cuda.emulator") != null;
    }
}

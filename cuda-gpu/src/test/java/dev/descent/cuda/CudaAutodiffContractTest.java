package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.testkit.AutodiffContractTest;

/**
 * Reverse-mode differentiation on CUDA, against finite differences. Skips, with the reason, where no CUDA device is
 * usable; the cuda-emulator surefire run also runs it against the host emulator.
 */
class CudaAutodiffContractTest extends AutodiffContractTest {
    @Override
    protected Backend createBackend() {
        return CudaTests.open();
    }
}

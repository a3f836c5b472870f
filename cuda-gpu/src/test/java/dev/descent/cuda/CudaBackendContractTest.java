package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.testkit.BackendContractTest;

/**
 * The backend contract on CUDA. Skips, with the reason, where no CUDA device is usable; the cuda-emulator surefire
 * run also runs it against the host emulator.
 */
class CudaBackendContractTest extends BackendContractTest {
    @Override
    protected Backend createBackend() {
        return CudaTests.open();
    }
}

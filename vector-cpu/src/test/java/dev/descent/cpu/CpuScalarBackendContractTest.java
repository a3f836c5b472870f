package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.testkit.BackendContractTest;
import dev.descent.backend.BackendOptions;

/** The backend contract on the CPU backend running its scalar reference kernels, with three threads. */
class CpuScalarBackendContractTest extends BackendContractTest {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(BackendOptions.threads(3), ScalarKernels.INSTANCE);
    }
}

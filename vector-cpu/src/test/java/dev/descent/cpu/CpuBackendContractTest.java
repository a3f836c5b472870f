package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.testkit.BackendContractTest;
import dev.descent.backend.BackendOptions;

/** The backend contract on the CPU backend with the JVM's kernel selection and two worker threads. */
class CpuBackendContractTest extends BackendContractTest {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(BackendOptions.threads(2));
    }
}

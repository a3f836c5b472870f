package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.testkit.AutodiffContractTest;

/** Reverse-mode differentiation on the CPU backend (the JVM's kernel selection, two worker threads). */
class CpuAutodiffContractTest extends AutodiffContractTest {
    @Override
    protected Backend createBackend() {
        return new CpuBackend(BackendOptions.threads(2));
    }
}

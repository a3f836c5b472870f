package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Availability;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;

import org.junit.jupiter.api.Test;

/** The kernel-selection ladder on made-up platforms, and the provider as ServiceLoader finds it. */
class KernelSelectionTest {

    private static KernelSelection.Platform platform(String bits, String vmName, String vmInfo, String tier,
            String useCompiler, String jvmci, boolean module, int preferred) {
        return new KernelSelection.Platform(bits, vmName, vmInfo, tier, useCompiler, jvmci, module, () -> preferred);
    }

    private static KernelSelection.Platform good() {
        return platform(null, "OpenJDK 64-Bit Server VM", "mixed mode, sharing", "4", "true", "false", true, 256);
    }

    @Test
    void aCapableHotSpotUsesTheVectorApi() {
        assertNull(KernelSelection.refusal(good()));
        assertNull(KernelSelection.refusal(platform("128", "Java HotSpot(TM) 64-Bit Server VM", "mixed mode", null,
                null, null, true, 512)));
    }

    @Test
    void eachRungRefusesWithItsReason() {
        assertTrue(KernelSelection.refusal(platform("0", "OpenJDK", "", "4", "true", "false", true, 256))
                .contains("=0"));
        assertTrue(KernelSelection.refusal(platform("300", "OpenJDK", "", "4", "true", "false", true, 256))
                .contains("not one of"));
        assertTrue(KernelSelection.refusal(platform(null, "Eclipse OpenJ9 VM", "", "4", "true", "false", true, 256))
                .contains("not HotSpot"));
        assertTrue(KernelSelection.refusal(platform(null, "OpenJDK", "interpreted mode, sharing", "4", "true",
                "false", true, 256)).contains("-Xint"));
        assertTrue(KernelSelection.refusal(platform(null, "OpenJDK", "mixed mode", "1", "true", "false", true, 256))
                .contains("TieredStopAtLevel=1"));
        assertTrue(KernelSelection.refusal(platform(null, "OpenJDK", "mixed mode", "4", "false", "false", true, 256))
                .contains("UseCompiler"));
        assertTrue(KernelSelection.refusal(platform(null, "OpenJDK", "mixed mode", "4", "true", "true", true, 256))
                .contains("JVMCI"));
        assertTrue(KernelSelection.refusal(platform(null, "OpenJDK", "mixed mode", "4", "true", "false", false, 256))
                .contains("--add-modules"));
        assertTrue(KernelSelection.refusal(platform(null, "OpenJDK", "mixed mode", "4", "true", "false", true, 64))
                .contains("64 bits"));
    }

    @Test
    void thisJvmChoseAndSaysWhy() {
        // Surefire runs with --add-modules=jdk.incubator.vector on HotSpot with C2.
        String bits = System.getProperty(KernelSelection.BITS_PROPERTY);
        if (bits == null || !bits.equals("0")) {
            assertTrue(KernelSelection.kernels() == VectorKernels.INSTANCE, KernelSelection.reason());
            assertTrue(KernelSelection.reason().startsWith("Vector API"), KernelSelection.reason());
        }
    }

    @Test
    void theProviderIsFoundAndCreatesBackends() {
        BackendProvider p = Backends.provider("cpu");
        assertTrue(p instanceof CpuBackendProvider);
        assertEquals(10, p.priority());
        Availability a = p.availability();
        assertTrue(a.available());
        assertTrue(a.reason().startsWith("ok: "), a.reason());
        assertTrue(a.reason().contains(KernelSelection.kernels().describe()), a.reason());
        try (Backend b = p.create(BackendOptions.threads(3))) {
            assertEquals("cpu", b.name());
            assertEquals(3, b.threads());
            assertTrue(b.description().contains("3 threads"), b.description());
        }
        Backends.Selection sel = Backends.select("cpu", BackendOptions.threads(1));
        try (Backend b = sel.backend()) {
            assertEquals(1, b.threads());
            assertTrue(sel.explanation().contains("cpu"));
        }
        try (Backend b = new CpuBackend(BackendOptions.defaults())) {
            assertEquals(Runtime.getRuntime().availableProcessors(), b.threads());
        }
    }
}

package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.backend.Availability;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.BackendUnavailableException;
import dev.descent.backend.Backends;
import dev.descent.cuda.bindings.CudaLibraries;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The refusal ladder of {@link CudaAvailability}, on the machine as it is: on descent's CPU build machines the CUDA
 * 13 runtime is installed without a driver, so the real libcudart answers cudaGetDeviceCount with error 35.
 */
class CudaAvailabilityTest {

    @Test
    void theProviderIsRegisteredAsCudaWithPriority100() {
        BackendProvider p = Backends.provider("cuda");
        assertTrue(p instanceof CudaBackendProvider, String.valueOf(p));
        assertEquals(100, p.priority());
        assertSame(p.availability(), p.availability(), "computed once");
    }

    @Test
    void withoutADriverTheRealRuntimeSaysInsufficientDriver() {
        CudaLibraries.Result cudart = CudaLibraries.cudartResult();
        assumeTrue(cudart.ok(), () -> "no CUDA runtime here: " + cudart.failure());
        assumeFalse(CudaLibraries.driverResult().ok(), "a CUDA driver is installed here");
        Availability a = new CudaBackendProvider().availability();
        assertFalse(a.available());
        String reason = a.reason();
        assertTrue(reason.startsWith("cudaGetDeviceCount: cudaErrorInsufficientDriver (35): "
                + "CUDA driver version is insufficient for CUDA runtime version"), reason);
        assertTrue(reason.contains("CUDA runtime 13.0 from " + cudart.loaded().location()), reason);
        assertTrue(reason.contains("no CUDA driver: libcuda.so.1 is not installed"), reason);
        assertEquals("unavailable: " + reason, a.toString());
    }

    @Test
    void aMissingRuntimeListsWhereItLooked() {
        Path bogus = Path.of("/nonexistent/descent-cuda-libdir");
        try (Arena arena = Arena.ofConfined()) {
            CudaLibraries.Result r = CudaLibraries.load(CudaLibraries.Library.CUDART,
                    CudaLibraries.SearchPath.onlyDirs(List.of(bogus), CudaLibraries.LIBDIR_PROPERTY + "=" + bogus),
                    null, arena);
            Availability a = CudaAvailability.probe(r).availability();
            assertFalse(a.available());
            assertTrue(a.reason().startsWith("CUDA runtime library (libcudart) not found: looked for "
                    + "libcudart.so.13, libcudart.so.12, libcudart.so (override descent.cuda.libdir=" + bogus + ") in "
                    + bogus), a.reason());
        }
    }

    @Test
    void creatingAnUnavailableBackendSaysWhy() {
        CudaBackendProvider p = new CudaBackendProvider();
        assumeFalse(p.availability().available(), "CUDA is available here");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> p.create(BackendOptions.defaults()));
        assertEquals("backend 'cuda' is " + p.availability(), e.getMessage());
        BackendUnavailableException named = assertThrows(BackendUnavailableException.class,
                () -> Backends.select("cuda", BackendOptions.defaults()));
        assertTrue(named.getMessage().contains(p.availability().reason()), named.getMessage());
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() {
        CudaBackendProvider p = new CudaBackendProvider();
        assumeFalse(p.availability().available(), "CUDA is available here");
        Backends.Selection s = Backends.select("auto", BackendOptions.threads(1));
        try (var backend = s.backend()) {
            assertEquals("cpu", backend.name());
            assertTrue(s.explanation().contains("cuda unavailable: " + p.availability().reason()), s.explanation());
        }
    }

    @Test
    void versionsAndSizesAreSpelledOut() {
        assertEquals("13.0", DeviceInfo.version(13000));
        assertEquals("12.4", DeviceInfo.version(12040));
        assertEquals("none", DeviceInfo.version(0));
        assertEquals("86 MB", DeviceMemory.formatBytes(27455L * 784 * 4));
        assertEquals("512 bytes", DeviceMemory.formatBytes(512));
        assertEquals("4 KB", DeviceMemory.formatBytes(4096));
        assertEquals("1.1 GB", DeviceMemory.formatBytes(1L << 30));
        assertEquals("86 GB", DeviceMemory.formatBytes(86_000_000_000L));
        DeviceInfo d = new DeviceInfo(0, 2, "NVIDIA H100 80GB HBM3", 9, 0, 85_045_346_304L, 132, 13000, 13000,
                "13.0.2");
        assertEquals("NVIDIA H100 80GB HBM3 (device 0 of 2), compute capability 9.0, 79.2 GiB, 132 SMs, "
                + "driver CUDA 13.0, runtime 13.0, cuBLAS 13.0.2", d.summary());
        assertEquals("softmaxCrossEntropy: label 12 in row 3 is outside [0, 10)",
                DeviceStatus.message(1, 3, 12, 10));
        assertEquals("gatherRows: index -1 at position 7 of indices is outside [0, 100)",
                DeviceStatus.message(2, 7, -1, 100));
    }
}

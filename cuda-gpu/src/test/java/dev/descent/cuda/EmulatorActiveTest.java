package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.backend.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Guards the cuda-emulator run: when the emulator was built, the CUDA backend must be available in that run, or the
 * emulated GPU tests would all skip silently.
 */
class EmulatorActiveTest {
    @Test
    void theEmulatedRunReallyHasABackend() {
        String dir = System.getProperty("descent.test.cuda.emulator");
        assumeTrue(dir != null, "not the cuda-emulator run");
        assumeTrue(Files.exists(Path.of(dir, "libcudart.so.13")), "emulator not built (no g++?) in " + dir);
        Availability a = new CudaBackendProvider().availability();
        assertTrue(a.available(), a.toString());
        assertTrue(a.reason().contains("descent CUDA emulator (host)"), a.reason());
    }
}

package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fair peer refuses to run on anything but OpenBLAS: on a machine with python3-torch but without
 * libopenblas0-pthread, torch-ob1 loaded the reference BLAS and the comparison reported 24× where OpenBLAS gives 3×.
 */
class TorchPeerBlasTest {
    private static final String REFERENCE = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0";

    @Test
    void onlyTheOpenBlasPeerRequiresOpenBlas() {
        assertTrue(TorchPeer.openBlasOneThread().requiresOpenBlas());
        assertFalse(TorchPeer.defaults().requiresOpenBlas());
        assertFalse(TorchPeer.cuda().requiresOpenBlas());
    }

    @Test
    void theReferenceBlasIsRefusedInOneLineThatSaysWhatToInstall() {
        TorchPeer.UnavailableException e = assertThrows(TorchPeer.UnavailableException.class,
                () -> TorchPeer.checkBlas(TorchPeer.openBlasOneThread(), Map.of("libs", REFERENCE)));
        assertTrue(e.getMessage().contains(REFERENCE), e.getMessage());
        assertTrue(e.getMessage().contains("libopenblas0-pthread"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void openBlasPassesAndOtherPeersAreNotChecked() {
        assertDoesNotThrow(() -> TorchPeer.checkBlas(TorchPeer.openBlasOneThread(),
                Map.of("libs", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so",
                        "openblas_core", "Zen")));
        assertDoesNotThrow(() -> TorchPeer.checkBlas(TorchPeer.defaults(), Map.of("libs", REFERENCE)));
    }
}

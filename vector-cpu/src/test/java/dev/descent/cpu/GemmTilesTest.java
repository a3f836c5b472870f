package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which GEMM tiles the Vector API kernels use ({@link VectorKernels#WIDE_TILES}): 8 rows with 32 vector registers,
 * 4 with 16, {@code descent.cpu.wideTiles} overriding; and what {@code describe()} says of it. (That both tiles give
 * the scalar twin's bits is GemmTest's and the contract suite's: the build runs them with each tile.)
 */
class GemmTilesTest {

    @Test
    void registersDecideUnlessThePropertySays() {
        assertTrue(VectorKernels.wideTiles(null, 32));
        assertFalse(VectorKernels.wideTiles(null, 16));
        assertFalse(VectorKernels.wideTiles("false", 32));
        assertTrue(VectorKernels.wideTiles(" TRUE ", 16));
        assertTrue(VectorKernels.wideTiles("yes", 32), "an unknown value leaves the choice to the registers");
        assertFalse(VectorKernels.wideTiles("", 16));
    }

    @Test
    void thisJvmsChoiceAndItsDescription() {
        String property = System.getProperty(VectorKernels.WIDE_TILES_PROPERTY);
        int registers = VectorKernels.vectorRegisters();
        assertEquals(VectorKernels.wideTiles(property, registers), VectorKernels.WIDE_TILES);
        String d = VectorKernels.INSTANCE.describe();
        assertTrue(d.contains("GEMM tiles of " + (VectorKernels.WIDE_TILES ? 8 : 4) + " rows"), d);
        assertTrue(property != null || d.contains(registers + " vector registers"), d);
        assertEquals(VectorKernels.WIDE_TILES ? 8 : 4, VectorKernels.INSTANCE.gemmTileRows(3 * VectorKernels.L));
        assertEquals(VectorKernels.WIDE_TILES ? 8 : 4, VectorKernels.INSTANCE.gemmTileRows(2 * VectorKernels.L));
        assertEquals(8, VectorKernels.INSTANCE.gemmTileRows(VectorKernels.L));
    }

    @Test
    void registerCountFollowsTheJit() {
        String arch = System.getProperty("os.arch");
        int registers = VectorKernels.vectorRegisters();
        if (arch.equals("aarch64")) {
            assertEquals(32, registers);
        } else if (arch.equals("amd64") || arch.equals("x86_64")) {
            String useAvx = dev.descent.backend.HostCpu.hotSpotOption("UseAVX");
            assertEquals("3".equals(useAvx) ? 32 : 16, registers, "UseAVX=" + useAvx);
        } else {
            assertEquals(16, registers);
        }
    }
}

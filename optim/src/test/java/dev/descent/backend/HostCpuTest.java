package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostCpuTest {
    private static Set<String> flags(String line) {
        return HostCpu.flags(List.of("processor\t: 0", line, "bugs\t\t: spectre_v1"));
    }

    @Test
    void namesAvx512WithItsExtensionsAndTheJvmCap() {
        Set<String> f = flags("flags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl avx512_bf16");
        assertEquals("AVX-512 (F BW DQ VL BF16), JVM UseAVX=3", HostCpu.vectorIsa(f, "3"));
        Set<String> fp16 = flags("flags : avx2 fma avx512f avx512bw avx512vl avx512_fp16");
        assertEquals("AVX-512 (F BW VL FP16)", HostCpu.vectorIsa(fp16, null));
        // the JVM may be capped below what the CPU offers: both are named
        assertEquals("AVX-512 (F BW VL FP16), JVM UseAVX=2", HostCpu.vectorIsa(fp16, "2"));
    }

    @Test
    void namesAvx2ArmAndOlderSets() {
        assertEquals("AVX2+FMA, JVM UseAVX=2", HostCpu.vectorIsa(flags("flags : sse2 avx avx2 fma"), "2"));
        assertEquals("AVX2", HostCpu.vectorIsa(flags("flags : sse2 avx avx2"), null));
        assertEquals("AVX", HostCpu.vectorIsa(flags("flags : sse2 avx"), null));
        assertEquals("SSE", HostCpu.vectorIsa(flags("flags : sse2 sse4_2"), null));
        assertEquals("NEON/ASIMD", HostCpu.vectorIsa(flags("Features\t: fp asimd evtstrm aes"), null));
        assertEquals("NEON/ASIMD, SVE", HostCpu.vectorIsa(flags("Features\t: fp asimd sve sve2"), null));
        assertEquals("unknown (no CPU flags)", HostCpu.vectorIsa(Set.of(), null));
    }

    @Test
    void readsTheModelFromX86OrOtherLines() {
        assertEquals("AMD EPYC 9R14 96-Core Processor", HostCpu.model(List.of("processor : 0",
                "model name\t: AMD EPYC 9R14 96-Core Processor", "model name\t: second")));
        assertEquals("ICE", HostCpu.model(List.of("cpu model : ICE")));
        assertNull(HostCpu.model(List.of("processor : 0", "model name :   ")));
    }

    @Test
    void thisHostIsNamed() {
        assertFalse(HostCpu.model().isBlank());
        assertFalse(HostCpu.vectorIsa().isBlank());
        assertTrue(HostCpu.describe().startsWith(HostCpu.model() + ", "), HostCpu.describe());
    }
}

package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Compare's command line: the CUDA options and the existing ones they must leave alone. */
class CompareOptionsTest {
    private static Compare.Options parse(String... args) {
        return Compare.Options.parse(args);
    }

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaultsKeepTheCpuSidesAndTryCudaBesideThem() {
        Compare.Options o = parse();
        assertEquals(Compare.CudaMode.AUTO, o.cuda());
        assertEquals(List.of("ob1", "default"), o.peers());
        assertFalse(o.peersGiven());
        assertEquals(List.of("ob1", "default", "cuda"), o.peersToStart());
        assertEquals(List.of(1, 0), o.threads());
        assertEquals(Path.of("results", "benchmarks"), o.out());
        assertFalse(o.quick());
    }

    @Test
    void cudaValues() {
        assertEquals(Compare.CudaMode.AUTO, parse("--cuda", "auto").cuda());
        assertEquals(Compare.CudaMode.ON, parse("--cuda", "on").cuda());
        assertEquals(Compare.CudaMode.OFF, parse("--cuda", "off").cuda());
        assertEquals(Compare.CudaMode.ON, parse("--cuda", "ON").cuda());
        assertEquals(List.of("ob1", "default"), parse("--cuda", "off").peersToStart(), "off never starts torch-cuda");
        assertEquals(List.of("ob1", "default", "cuda"), parse("--cuda", "on").peersToStart());
    }

    @Test
    void badCudaValueNamesTheOption() {
        String m = error("--cuda", "maybe");
        assertTrue(m.startsWith("--cuda: "), m);
        assertTrue(m.contains("'maybe'") && m.contains("auto, on or off"), m);
        assertEquals("--cuda needs a value", error("--quick", "--cuda"));
    }

    @Test
    void peersAcceptCuda() {
        Compare.Options o = parse("--peers", "cuda");
        assertEquals(List.of("cuda"), o.peers());
        assertTrue(o.peersGiven());
        assertEquals(List.of("cuda"), o.peersToStart());
        assertEquals(List.of("cuda", "ob1"), parse("--peers", "cuda,ob1", "--cuda", "on").peersToStart(),
                "an explicit list is taken as given, in its order");
        assertEquals(List.of("ob1"), parse("--peers", "ob1").peersToStart(), "an explicit list gets no cuda peer");
        assertEquals(List.of("ob1", "default"), parse("--peers", "ob1,default,ob1").peers(), "duplicates once");
        assertEquals(List.of(), parse("--peers", "none").peersToStart(), "none means none, CUDA or not");
        assertEquals(List.of("cuda"), parse("--peers", "cuda", "--cuda", "off").peersToStart(),
                "torch-cuda can run without descent-cuda when named");
    }

    @Test
    void settlePause() {
        assertEquals(300, parse().settleMillis(), "default pause before each run");
        assertEquals(0, parse("--settle-ms", "0").settleMillis());
        assertEquals(1000, parse("--settle-ms", "1000").settleMillis());
        assertEquals("--settle-ms: -5 is negative", error("--settle-ms", "-5"));
        assertTrue(error("--settle-ms", "soon").startsWith("--settle-ms: 'soon' is not a whole number"));
    }

    @Test
    void badPeerNamesTheOption() {
        String m = error("--peers", "ob1,gpu");
        assertTrue(m.startsWith("--peers: unknown peer 'gpu'"), m);
        assertTrue(m.contains("cuda"), m);
    }

    @Test
    void numbersNameTheirOption() {
        assertEquals("--threads: 'x' is not a whole number", error("--threads", "1,x"));
        assertEquals("--threads: '-1' is negative (0 = all cores)", error("--threads", "-1"));
        assertEquals("--probe-mb: 'big' is not a whole number", error("--probe-mb", "big"));
        assertTrue(error("--frobnicate").startsWith("unknown option '--frobnicate'"));
    }

    @Test
    void existingOptionsUnchanged() {
        Compare.Options o = parse("--quick", "--only", "w2,W4-x", "--out", "/tmp/x", "--threads", "1", "--no-probe",
                "--python", "/p", "--script", "s.py", "--fashion-dir", "/f", "--jfr", "/tmp/j");
        assertTrue(o.quick());
        assertEquals(Set.of("W2", "W4-X"), o.only());
        assertEquals(Path.of("/tmp/x"), o.out());
        assertEquals(List.of(1), o.threads());
        assertFalse(o.probe());
        assertEquals("/p", o.python());
        assertEquals(Path.of("s.py"), o.script());
        assertEquals(Path.of("/f"), o.fashionDir());
        assertEquals(Path.of("/tmp/j"), o.jfrPrefix());
        assertTrue(o.wanted("W2", "W2-b8"));
        assertFalse(o.wanted("W3", "W3"));
    }
}

package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link HeapAlignment}: the tests run with native access enabled (as the launcher runs descent), so the addresses are
 * known; the offsets it returns put an element on a cache line, and asking leaves the array as it was.
 */
class HeapAlignmentTest {

    @Test
    void addressesAreKnownWithNativeAccess() {
        assertTrue(HeapAlignment.class.getModule().isNativeAccessEnabled(), "the tests run with native access");
        assertTrue(HeapAlignment.available(), "memchr through a critical downcall");
    }

    @Test
    void theOffsetPutsAnElementOnACacheLine() {
        // Arrays of several sizes: small ones in a thread-local buffer at 8-byte granularity, large ones (over half a
        // G1 region) at a region's start; every start is 4-byte aligned, so some index in [0, 16) is on a line.
        for (int len : new int[] {17, 100, 1000, 3 * 1024 * 1024}) {
            for (int rep = 0; rep < 8; rep++) {
                float[] a = new float[len + HeapAlignment.PAD_FLOATS];
                a[0] = 42.5f;
                java.lang.foreign.MemorySegment view = HeapAlignment.segment(a);
                long addr = HeapAlignment.address(a, view);
                int off = HeapAlignment.lineOffset(a, view);
                assertEquals(42.5f, a[0], "the first element is restored");
                assertTrue(addr > 0 && addr % Float.BYTES == 0, "address " + addr);
                assertTrue(off >= 0 && off < HeapAlignment.PAD_FLOATS, "offset " + off);
                // Nothing allocated between the two questions that could have moved a: the same address.
                long again = HeapAlignment.address(a, view);
                if (again == addr) {
                    assertEquals(0, (addr + (long) Float.BYTES * off) % HeapAlignment.LINE_BYTES,
                            "element " + off + " of an array at " + Long.toHexString(addr));
                }
            }
        }
    }

    @Test
    void emptyArraysHaveNoAddress() {
        float[] none = new float[0];
        assertEquals(-1, HeapAlignment.address(none, HeapAlignment.segment(none)));
        assertEquals(0, HeapAlignment.lineOffset(none, HeapAlignment.segment(none)));
    }
}

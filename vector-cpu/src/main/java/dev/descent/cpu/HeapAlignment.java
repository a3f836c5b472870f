package dev.descent.cpu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Where a float array's elements start in memory, modulo a cache line, so that the CPU backend can place its own work
 * copies of GEMM panels on a line boundary.
 *
 * <p><b>Why.</b> The GEMM micro-kernel loads each k step's 3 vectors of a panel row (24 floats, 96 bytes): a vector
 * load that straddles two 64-byte lines costs two. Java places an array's elements wherever the allocator puts the
 * object (8-byte granularity, then the array header), so a panel's loads straddle lines in one JVM and not in the
 * next: the lecture's full-batch pass measured 5–6 % slower per GEMM with a badly placed panel. The backend therefore
 * copies the panels it reads most (the weights, a block of the softmax gradient) into buffers it owns, starting at
 * the element that sits on a line boundary.
 *
 * <p><b>How.</b> Java has no address of an array. This class asks the C library: a critical downcall (which may take a
 * heap array, pinned for the call) to {@code memchr(p, 0, 1)} on an array whose first element is zero returns
 * {@code p} itself. The answer holds until the garbage collector next moves the array, so callers ask again on every
 * call (some 100 ns); a stale answer only costs speed, never changes a result (the copies are exact).
 *
 * <p>Used only when the JVM allows this code native access ({@code --enable-native-access=ALL-UNNAMED}, which the
 * {@code descent} launcher and the benchmarks pass); otherwise, and wherever the lookup fails, {@link #lineOffset}
 * returns 0 and nothing is printed: the JVM would otherwise warn about the restricted call.
 */
final class HeapAlignment {
    /** The boundary aimed at: a cache line (also the widest vector, 512 bits). */
    static final int LINE_BYTES = 64;
    /** Floats to add to a buffer's length so that a line-aligned start always fits. */
    static final int PAD_FLOATS = LINE_BYTES / Float.BYTES;

    private static final MethodHandle MEMCHR = lookup();

    private HeapAlignment() {
    }

    private static MethodHandle lookup() {
        try {
            if (!HeapAlignment.class.getModule().isNativeAccessEnabled()) {
                return null;
            }
            Linker linker = Linker.nativeLinker();
            if (ValueLayout.ADDRESS.byteSize() != Long.BYTES) {
                return null; // the pointer memchr returns is read as a long below
            }
            // The result is declared a long (a pointer is returned in the same register on 64-bit platforms), so that a
            // call allocates no segment for it.
            return linker.defaultLookup().find("memchr")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), Linker.Option.critical(true)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // no native access, no C library, or no linker on this platform: unaligned copies
        }
    }

    /** Whether addresses can be asked for here (native access is enabled and the C library answered). */
    static boolean available() {
        return MEMCHR != null;
    }

    /**
     * The segment to pass to {@link #address} and {@link #lineOffset} for {@code a}: made once per array, when the
     * array is allocated (a call then allocates nothing); null where addresses cannot be asked for.
     */
    static MemorySegment segment(float[] a) {
        return MEMCHR == null ? null : MemorySegment.ofArray(a);
    }

    /**
     * The address of {@code a[0]} now, or -1 when it cannot be asked for. {@code view} is {@link #segment}{@code (a)}.
     * {@code a[0]} is zeroed for the call and restored; {@code a} must not be in use by another thread meanwhile.
     */
    static long address(float[] a, MemorySegment view) {
        if (MEMCHR == null || view == null || a.length == 0) {
            return -1;
        }
        float saved = a[0];
        a[0] = 0f; // every byte zero: memchr(p, 0, 1) finds the first and returns p
        try {
            return (long) MEMCHR.invokeExact(view, 0, 1L);
        } catch (Throwable e) {
            return -1;
        } finally {
            a[0] = saved;
        }
    }

    /**
     * The first index of {@code a} whose element starts a cache line, in {@code [0, }{@link #PAD_FLOATS}{@code )}; 0
     * when the address is unknown. Float arrays are 4-byte aligned, so some index in that range always does.
     * {@code view} is {@link #segment}{@code (a)}.
     */
    static int lineOffset(float[] a, MemorySegment view) {
        long addr = address(a, view);
        if (addr < 0 || addr % Float.BYTES != 0) {
            return 0;
        }
        return (int) (Math.floorMod(-addr, (long) LINE_BYTES) / Float.BYTES);
    }
}

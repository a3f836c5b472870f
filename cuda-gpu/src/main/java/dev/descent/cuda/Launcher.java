package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.descent.backend.BackendException;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cuda_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Launches descent's kernels ({@link ModuleCache}) with {@code cuLaunchKernel} on the backend's stream. Arguments are
 * appended in order into one native block of 8-byte slots that lives as long as the backend, with the {@code void*[]}
 * of slot addresses the driver wants written once: a launch allocates nothing. The driver copies the arguments when
 * the launch is queued, so the block can be reused at once.
 *
 * <pre>{@code launcher.i64(n).f32(alpha).ptr(x).ptr(y).launch(Kernel.AXPY, blocks);}</pre>
 * With assertions on (tests), each launch checks the kinds appended against the kernel's parameter list.
 *
 * <p>While a training step is recorded or patched ({@link StepGraphs}, found through {@link StreamState#recorder()}),
 * {@link #launch} hands the launch to it instead: it reads the arguments back as one {@code long} per parameter
 * ({@link #readArgs}) and either issues them into the capture or compares them with the recorded graph.
 */
final class Launcher {
    static final int BLOCK = 256;
    static final int MAX_ARGS = 20;

    private final MemorySegment values;
    private final MemorySegment pointers;
    private final DeviceContext context;
    private final StreamState state;
    private final char[] kinds = new char[MAX_ARGS];
    private MemorySegment[] functions;
    private int count;

    Launcher(Arena arena, DeviceContext context, StreamState state) {
        this.values = arena.allocate(8L * MAX_ARGS, 8);
        this.pointers = arena.allocate(ADDRESS.byteSize() * MAX_ARGS, 8);
        for (int i = 0; i < MAX_ARGS; i++) {
            pointers.setAtIndex(ADDRESS, i, values.asSlice(8L * i, 8));
        }
        this.context = context;
        this.state = state;
    }

    /** Loads the kernels into the device's primary context, which must be current (once per device and process). */
    void open() {
        functions = ModuleCache.functions(context.device());
    }

    Launcher i64(long v) {
        values.set(JAVA_LONG, slot('L'), v);
        return this;
    }

    Launcher i32(int v) {
        values.set(JAVA_INT, slot('I'), v);
        return this;
    }

    Launcher u32(int bits) {
        values.set(JAVA_INT, slot('U'), bits);
        return this;
    }

    Launcher f32(float v) {
        values.set(JAVA_FLOAT, slot('F'), v);
        return this;
    }

    Launcher f64(double v) {
        values.set(JAVA_DOUBLE, slot('D'), v);
        return this;
    }

    /** A device pointer (0 for C's NULL). */
    Launcher ptr(long address) {
        values.set(JAVA_LONG, slot('P'), address);
        return this;
    }

    Launcher ptr(DeviceTensor t) {
        return ptr(t == null ? 0L : t.address);
    }

    private long slot(char kind) {
        if (count == MAX_ARGS) {
            count = 0;
            throw new IllegalStateException("too many kernel arguments");
        }
        kinds[count] = kind;
        return 8L * count++;
    }

    /** Queues {@code kernel} on {@code blocks} blocks of {@link #BLOCK} threads with the arguments appended. */
    void launch(Kernel kernel, int blocks) {
        int n = count;
        count = 0;
        assert matches(kernel, n) : kernel.entry + " takes (" + kernel.params + "), got (" + new String(kinds, 0, n)
                + ")";
        StepGraphs recorder = state.recorder();
        if (recorder != null) {
            recorder.kernel(kernel, blocks, n);
            return;
        }
        check(tryIssue(kernel, blocks), kernel, blocks);
    }

    /** {@code cuLaunchKernel} with the arguments now in the block; the driver's status. */
    int tryIssue(Kernel kernel, int blocks) {
        return cuda_h.cuLaunchKernel(functions[kernel.ordinal()], blocks, 1, 1, BLOCK, 1, 1, 0, context.stream(),
                pointers, MemorySegment.NULL);
    }

    static void check(int rc, Kernel kernel, int blocks) {
        if (rc != 0) {
            var e = CudaErrors.driver(rc, "cuLaunchKernel(" + kernel.entry + ", " + blocks + " x " + BLOCK + ")");
            throw new BackendException("cuda: " + e.getMessage(), e);
        }
    }

    /**
     * The first {@code n} arguments in the block as one {@code long} each: 4-byte kinds zero-extended, 8-byte kinds
     * (pointers, long long, the bits of a double) as they are.
     */
    void readArgs(Kernel kernel, long[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = wide(kernel.params.charAt(i)) ? values.get(JAVA_LONG, 8L * i)
                    : Integer.toUnsignedLong(values.get(JAVA_INT, 8L * i));
        }
    }

    /** Writes arguments read by {@link #readArgs} back into the block (then {@link #tryIssue} or a node update). */
    void writeArgs(Kernel kernel, long[] src, int n) {
        count = 0;
        for (int i = 0; i < n; i++) {
            if (wide(kernel.params.charAt(i))) {
                values.set(JAVA_LONG, 8L * i, src[i]);
            } else {
                values.set(JAVA_INT, 8L * i, (int) src[i]);
            }
        }
    }

    private static boolean wide(char kind) {
        return kind == 'L' || kind == 'P' || kind == 'D';
    }

    /** The loaded function of {@code kernel}. */
    MemorySegment function(Kernel kernel) {
        return functions[kernel.ordinal()];
    }

    /** The {@code void*[]} of argument slots the driver reads ({@code kernelParams}). */
    MemorySegment pointers() {
        return pointers;
    }

    private boolean matches(Kernel kernel, int n) {
        if (n != kernel.params.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char want = kernel.params.charAt(i);
            char got = kinds[i];
            if (want != got && !(want == 'U' && got == 'I') && !(want == 'I' && got == 'U')) {
                return false;
            }
        }
        return true;
    }

    /** Blocks for an elementwise kernel over n elements (grid-stride beyond 4096 blocks). */
    static int elementwiseBlocks(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, 4096));
    }

    /**
     * Blocks for a reduction over n elements: a function of n only (never of the device), so the partial sums and
     * their order, and hence the result, are the same on every GPU. At most {@link Scratch#MAX_PARTIALS} = 1024.
     */
    static int reductionBlocks(long n) {
        return (int) Math.max(1, Math.min((n + 4L * BLOCK - 1) / (4L * BLOCK), 1024));
    }

    /**
     * Blocks for a kernel that gives each of {@code lines} rows (or tiles of columns) one block, grid-stride beyond
     * 4096. Each line is reduced by one block in a fixed tree, so the grid does not change the result.
     */
    static int lineBlocks(long lines) {
        return (int) Math.max(1, Math.min(lines, 4096));
    }

    /** Columns per block of the kernels that reduce down columns ({@code TILE} in the kernels). */
    static final int TILE = 32;

    /** Blocks for a kernel that reduces down the columns, one block per tile of {@link #TILE} columns. */
    static int tileBlocks(long cols) {
        return lineBlocks((cols + TILE - 1) / TILE);
    }

    /** Blocks for a one-thread-per-row kernel (also a reduction: at most 1024 partials). */
    static int rowBlocks(long rows) {
        return (int) Math.max(1, Math.min((rows + BLOCK - 1) / BLOCK, 1024));
    }
}

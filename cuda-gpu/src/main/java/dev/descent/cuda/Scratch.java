package dev.descent.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Device scratch for reductions and the fused losses: up to {@value #MAX_PARTIALS} per-block partial sums (doubles),
 * as many more doubles (a maximum's per-block indices, {@code partials + MAX_PARTIALS} in the kernels), then the final
 * result. The grid of a reduction depends only on the element count ({@link Launcher#reductionBlocks}), so the partial
 * sums, their order and the result are the same on every GPU.
 */
final class Scratch {
    static final int MAX_PARTIALS = 1024;
    static final long BYTES = 16L * MAX_PARTIALS + 64;

    private long partials;
    private MemorySegment result;

    /** Allocates the scratch buffer. */
    void open(DeviceMemory memory) {
        MemorySegment scratch = memory.buffer(BYTES, "reduction scratch");
        partials = scratch.address();
        result = MemorySegment.ofAddress(partials + 16L * MAX_PARTIALS);
    }

    /** Device address of the partial sums. */
    long partials() {
        return partials;
    }

    /**
     * The final result (8 bytes), as a segment for the copy back and as an address for the kernels (also the index
     * of a maximum between two kernels of a gradient).
     */
    MemorySegment result() {
        return result;
    }
}

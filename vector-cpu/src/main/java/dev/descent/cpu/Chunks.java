package dev.descent.cpu;

/**
 * How the CPU backend cuts work into chunks, and from what size it hands work to the pool. Chunk boundaries depend
 * only on the shapes, never on the thread count: a reduction adds one partial per chunk in chunk order, so its result
 * is the same for any number of threads, and an elementwise result does not depend on the cut at all. Below the
 * thresholds an operation runs on the calling thread (a hand-off costs more than it saves).
 */
final class Chunks {
    /** Elements per chunk of elementwise work and reductions. */
    static final int ELEMENT_CHUNK = 1 << 14;
    /** Below this many elements an operation runs on the calling thread. */
    static final int PARALLEL_MIN = 1 << 16;
    /**
     * Below this many parameters an optimizer update runs on the calling thread. Updates are bound by division and
     * square root (Adam: two divisions and a root per element, some 2 cycles each), so even a small tensor (the 7,840
     * weights of a 784×10 softmax regression) is worth splitting.
     */
    static final int OPT_PARALLEL_MIN = 1 << 12;
    /** Elements per chunk of a parallel optimizer update (a multiple of every vector width). */
    static final int OPT_CHUNK = 1 << 12;
    /**
     * Below this many elements a gather runs on the calling thread. A gather waits on memory (rows at random
     * addresses), not on arithmetic: several threads each copying a few rows keep more cache misses in flight, so it
     * is split sooner, and finer, than other row-wise work.
     */
    static final int GATHER_PARALLEL_MIN = 1 << 13;
    /** Elements per chunk of a parallel gather. */
    static final int GATHER_CHUNK = 1 << 12;
    /** Columns per chunk of a column sum. */
    static final int COLUMN_CHUNK = 64;

    private Chunks() {
    }

    /** Chunks of {@code size} covering {@code n} items. */
    static int count(int n, int size) {
        return (n + size - 1) / size;
    }

    /** Chunks of {@link #ELEMENT_CHUNK} elements covering {@code n}. */
    static int elements(int n) {
        return count(n, ELEMENT_CHUNK);
    }

    /** Rows per chunk of row-wise work on rows of {@code cols} elements: about {@code chunkElements} elements. */
    static int rows(int cols, int chunkElements) {
        return Math.max(1, chunkElements / cols);
    }

    /**
     * Rows per chunk of the softmax cross-entropy (its loss is the in-order sum of per-chunk sums): about
     * {@link #ELEMENT_CHUNK} logits, rounded down to a power of two and at most {@link Gemm#ROW_CHUNK}, so that the
     * chunks nest in the GEMM's reduction chunks and {@link FusedSoftmaxRegression} can form the same sums.
     */
    static int softmaxRows(int k) {
        return Math.min(Gemm.ROW_CHUNK, Integer.highestOneBit(Math.max(1, ELEMENT_CHUNK / Math.max(1, k))));
    }
}

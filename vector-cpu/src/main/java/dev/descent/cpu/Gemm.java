package dev.descent.cpu;

import java.util.Arrays;

/**
 * The GEMM driver of one {@link CpuBackend}: {@code C ← alpha·op(A)·op(B) + beta·C}, row-major, over heap arrays.
 *
 * <p><b>Result definition</b> (what makes it deterministic and identical for both kernel twins): k is cut into fixed
 * reduction chunks of {@link #K_CHUNK}; within a chunk each element of C is one fma chain in k order starting at +0;
 * chunk partial sums are added in chunk order; then {@code c = alpha·s} ({@code beta == 0}: old C ignored) or
 * {@code c = alpha·s + beta·c}. None of this depends on the thread count, the cache blocking or the vector width.
 *
 * <p><b>Plain A</b> ({@code C = A·op(B)}, the forward pass {@code logits = X·W}): op(B) is packed into strips of 1–3
 * {@link CpuKernels#gemmLanes() vector widths} (zero-padded, k-major per strip); when B is not transposed and exactly
 * one strip wide (the lecture's n = 24 with 8-lane vectors) B already has that layout and is used in place. A is
 * read in place: it is the big operand, used once per strip, and copying it would cost as much as the multiply. Work
 * items are blocks of {@link #MB} rows × reduction chunks; a 4-row × 3-vector micro-kernel keeps 12 accumulators in
 * registers for the whole chunk.
 *
 * <p><b>Transposed A</b> ({@code C = A^T·op(B)}, the weight gradient {@code X^T·G} with k = batch): computed as
 * {@code C^T = op(B)^T·A}, so that the vectors run along A's contiguous rows (X's features) and op(B)'s values are
 * broadcast. A is used in place as the "B" panel (row stride m); only its last {@code m mod lanes} columns are copied,
 * zero-padded, into a small edge panel. The chunk partials of C^T are transposed into C when they are combined.
 * Work items are row blocks of C^T × reduction chunks, each covering whole rows of A (or column blocks of
 * {@link #STRIPS_PER_BLOCK} strips when there are too few items for the threads). An item walks k in sub-blocks of
 * {@link #KC_T} rows of A, continuing the fma chains from the stored partials (exact): it first reads the sub-block
 * once in address order (one load per cache line), which streams it into L2 — the strips then walk A down its
 * columns, a stride of a whole row that hardware prefetchers do not follow — and then runs the 4×3 micro-kernel over
 * each strip. On the lecture's shape this took the weight-gradient GEMM from about 38 to 50 GFLOP/s per core.
 *
 * <p>Buffers (packed B, edge panel, partial sums) are owned by the driver, grown when a larger shape first appears
 * and reused. Not thread-safe: the backend serialises calls.
 */
final class Gemm {
    /** Reduction chunk along k: fixed, so that the order of the sum never depends on the thread count. */
    static final int K_CHUNK = 2048;
    /** k sub-block of the transposed-A path (does not change results). */
    static final int KC_T = 48;
    /** Rows of the output per work item. */
    static final int MB = 64;
    /** Strips (of three vectors) per column block of the transposed-A path. */
    static final int STRIPS_PER_BLOCK = 8;

    private final WorkerPool pool;
    private final CpuKernels kernels;
    private final int lanes;
    private float[] packedB = new float[0];
    private float[] edge = new float[0];
    private float[] partial = new float[0];

    Gemm(WorkerPool pool, CpuKernels kernels) {
        this.pool = pool;
        this.kernels = kernels;
        this.lanes = kernels.gemmLanes();
    }

    /** Bytes of work buffers currently held. */
    long bufferBytes() {
        return 4L * ((long) packedB.length + edge.length + partial.length);
    }

    void gemm(boolean transA, boolean transB, float alpha, float[] a, float[] b, float beta, float[] c, int m, int n,
            int k) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scaleC(beta, c, m * n);
            return;
        }
        if (transA) {
            transposedA(transB, alpha, a, b, beta, c, m, n, k);
        } else {
            plainA(transB, alpha, a, b, beta, c, m, n, k);
        }
    }

    // ------------------------------------------------------------------ C = A·op(B)

    private void plainA(boolean transB, float alpha, float[] a, float[] b, float beta, float[] c, int m, int n,
            int k) {
        final int npad = roundUp(n, lanes);
        final int chunks = chunks(k);
        final boolean direct = chunks == 1 && alpha == 1f && beta == 0f && npad == n;

        final float[] pb;
        if (!transB && npad == n && n <= 3 * lanes) {
            pb = b; // a single strip as wide as B: B's row-major layout already is the packed layout
        } else {
            float[] buf = packedB = ensure(packedB, Math.multiplyExact(k, npad));
            pool.forEach(chunks, ch -> packB(b, transB, n, k, npad, ch * K_CHUNK, Math.min(k, (ch + 1) * K_CHUNK),
                    buf));
            pb = buf;
        }
        final float[] d;
        final int ldd;
        final int chunkStride;
        if (direct) {
            d = c;
            ldd = n;
            chunkStride = 0;
        } else {
            chunkStride = Math.multiplyExact(m, npad);
            d = partial = ensure(partial, Math.multiplyExact(chunkStride, chunks));
            ldd = npad;
        }
        final int rowBlocks = (m + MB - 1) / MB;
        pool.forEach(rowBlocks * chunks, item -> {
            int ch = item / rowBlocks;
            int r0 = (item - ch * rowBlocks) * MB;
            int rows = Math.min(MB, m - r0);
            int k0 = ch * K_CHUNK;
            int kLen = Math.min(k, k0 + K_CHUNK) - k0;
            int dBase = ch * chunkStride + r0 * ldd;
            for (int j0 = 0; j0 < npad; j0 += stripWidth(npad - j0)) {
                int w = stripWidth(npad - j0);
                kernels.gemmPanel(a, r0 * k + k0, k, 1, rows, kLen, pb, k * j0 + k0 * w, w, w, d, dBase + j0, ldd,
                        false);
            }
        });
        if (!direct) {
            pool.forEach(rowBlocks, rb -> {
                int r1 = Math.min(m, (rb + 1) * MB);
                for (int r = rb * MB; r < r1; r++) {
                    for (int j = 0; j < n; j++) {
                        int idx = r * npad + j;
                        float s = d[idx];
                        for (int ch = 1; ch < chunks; ch++) {
                            s += d[idx + ch * chunkStride];
                        }
                        int ci = r * n + j;
                        c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
                    }
                }
            });
        }
    }

    // ------------------------------------------------------------------ C = A^T·op(B), computed as C^T = op(B)^T·A

    private void transposedA(boolean transB, float alpha, float[] a, float[] b, float beta, float[] c, int m, int n,
            int k) {
        // C^T is n × m: its rows are op(B)'s columns (broadcast), its columns A's columns (vectors, in place).
        final int rs = transB ? k : 1;
        final int ks = transB ? 1 : n;
        final int mFull = m - m % lanes;
        final int mpad = roundUp(m, lanes);
        final int chunks = chunks(k);
        final float[] e;
        if (mFull < m) {
            int width = m - mFull;
            float[] buf = edge = ensure(edge, Math.multiplyExact(k, lanes));
            for (int kk = 0; kk < k; kk++) {
                System.arraycopy(a, kk * m + mFull, buf, kk * lanes, width);
                Arrays.fill(buf, kk * lanes + width, (kk + 1) * lanes, 0f);
            }
            e = buf;
        } else {
            e = null;
        }
        final int chunkStride = Math.multiplyExact(n, mpad);
        final float[] d = partial = ensure(partial, Math.multiplyExact(chunkStride, chunks));
        final int rowBlocks = (n + MB - 1) / MB;
        // Whole rows of A per item (sequential sub-blocks, see touch) when there are enough (row block, chunk) items to
        // keep the threads busy; otherwise narrower column blocks. Column blocks never change the results.
        final int colBlock = rowBlocks * chunks >= 2 * pool.threads() ? mpad : STRIPS_PER_BLOCK * 3 * lanes;
        final int colBlocks = (mpad + colBlock - 1) / colBlock;
        final int perChunk = rowBlocks * colBlocks;
        pool.forEach(perChunk * chunks, item -> {
            int ch = item / perChunk;
            int rest = item - ch * perChunk;
            int rb = rest / colBlocks;
            int i0 = (rest - rb * colBlocks) * colBlock;
            int i1 = Math.min(mpad, i0 + colBlock);
            int r0 = rb * MB;
            int rows = Math.min(MB, n - r0);
            int kStart = ch * K_CHUNK;
            int kEnd = Math.min(k, kStart + K_CHUNK);
            int dBase = ch * chunkStride + r0 * mpad;
            for (int k0 = kStart; k0 < kEnd; k0 += KC_T) {
                int kLen = Math.min(KC_T, kEnd - k0);
                boolean accumulate = k0 > kStart;
                int aOff = r0 * rs + k0 * ks;
                touch(a, k0 * m + i0, k0 * m + Math.min(m, i1) + (kLen - 1) * m);
                for (int j0 = i0; j0 < i1; j0 += stripWidth(Math.min(i1, mFull) - j0)) {
                    if (j0 >= mFull) { // the copied edge columns
                        kernels.gemmPanel(b, aOff, rs, ks, rows, kLen, e, k0 * lanes, lanes, lanes, d, dBase + j0,
                                mpad, accumulate);
                        break;
                    }
                    int w = stripWidth(Math.min(i1, mFull) - j0);
                    kernels.gemmPanel(b, aOff, rs, ks, rows, kLen, a, k0 * m + j0, m, w, d, dBase + j0, mpad,
                            accumulate);
                }
            }
        });
        pool.forEach((m + MB - 1) / MB, rb -> {
            int r1 = Math.min(m, (rb + 1) * MB);
            for (int i = rb * MB; i < r1; i++) {
                for (int j = 0; j < n; j++) {
                    int idx = j * mpad + i;
                    float s = d[idx];
                    for (int ch = 1; ch < chunks; ch++) {
                        s += d[idx + ch * chunkStride];
                    }
                    int ci = i * n + j;
                    c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
                }
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    /** Keeps the prefetch loads of {@link #touch} observable, so that the JIT cannot drop them. */
    @SuppressWarnings("unused")
    private static volatile float sink;

    /**
     * Reads one float per cache line of {@code a[from, to)} in address order. The transposed-A panels walk A down its
     * columns, with a stride of a whole row, which hardware prefetchers do not follow across pages; one sequential
     * pass first brings the sub-block into L2 at streaming speed.
     */
    private static void touch(float[] a, int from, int to) {
        float s = 0;
        for (int i = from; i < to; i += 16) {
            s += a[i];
        }
        sink = s;
    }

    /** Width of the next strip when {@code remaining} (a multiple of the lane count) columns are left. */
    private int stripWidth(int remaining) {
        return Math.min(3 * lanes, remaining);
    }

    private static int chunks(int k) {
        return (k + K_CHUNK - 1) / K_CHUNK;
    }

    /**
     * Packs op(B) rows [kFrom, kTo) into the strip layout: the strip at column j0 of width w holds (kk, jj) at
     * {@code k·j0 + kk·w + jj}, zero beyond column n.
     */
    private void packB(float[] b, boolean transB, int n, int k, int npad, int kFrom, int kTo, float[] pb) {
        for (int j0 = 0; j0 < npad; j0 += stripWidth(npad - j0)) {
            int w = stripWidth(npad - j0);
            int valid = Math.min(w, n - j0);
            int base = k * j0;
            for (int kk = kFrom; kk < kTo; kk++) {
                int dst = base + kk * w;
                if (transB) {
                    for (int jj = 0; jj < valid; jj++) {
                        pb[dst + jj] = b[(j0 + jj) * k + kk];
                    }
                } else {
                    System.arraycopy(b, kk * n + j0, pb, dst, valid);
                }
                Arrays.fill(pb, dst + valid, dst + w, 0f);
            }
        }
    }

    private static void scaleC(float beta, float[] c, int len) {
        if (beta == 0f) {
            Arrays.fill(c, 0, len, 0f);
        } else if (beta != 1f) {
            for (int i = 0; i < len; i++) {
                c[i] = beta * c[i];
            }
        }
    }

    private static float[] ensure(float[] buf, int size) {
        return buf.length >= size ? buf : new float[size];
    }

    private static int roundUp(int x, int unit) {
        return Math.multiplyExact((x + unit - 1) / unit, unit);
    }
}

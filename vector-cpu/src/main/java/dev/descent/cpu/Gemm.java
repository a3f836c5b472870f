package dev.descent.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The GEMM driver of one {@link CpuBackend}: {@code C ← alpha·op(A)·op(B) + beta·C}, row-major, over heap arrays.
 *
 * <p><b>Result definition</b> (what makes it deterministic and identical for both kernel twins): k is cut into fixed
 * reduction chunks, of {@link #ROW_CHUNK} for transposed A with {@code k >} {@link #SMALL_K_T} (a weight gradient's sum
 * over the rows of a batch or data set) and of {@link #K_CHUNK} otherwise; within a chunk each element of C is one fma
 * chain in k order starting at +0; chunk partial sums are added in chunk order; then {@code c = alpha·s}
 * ({@code beta == 0}: old C ignored) or {@code c = alpha·s + beta·c}. None of this depends on the thread count, the
 * cache blocking or the vector width.
 *
 * <p><b>Plain A</b> ({@code C = A·op(B)}, the forward pass {@code logits = X·W}): op(B) is packed into strips of 1–3
 * {@link CpuKernels#gemmLanes() vector widths} (zero-padded, k-major per strip); when B is not transposed and exactly
 * one strip wide (the lecture's n = 24 with 8-lane vectors) B already has that layout and is used in place, and so is
 * a B narrower than one strip for a minibatch (n = 24 with 16-lane vectors: see {@link #plainPanel}). A is
 * read in place: it is the big operand, used once per strip, and copying it would cost as much as the multiply. Work
 * items are blocks of {@link #MB} rows × reduction chunks; a 4-row × 3-vector micro-kernel keeps 12 accumulators in
 * registers for the whole chunk (8 rows × 3 vectors, 24 accumulators, on hosts with 32 vector registers; 8 rows × 1
 * vector when op(B) is one vector wide, e.g. 10 classes at 512 bits: 4 chains would leave half of the FMA throughput
 * unused). When that gives fewer items than twice the threads (a
 * minibatch: 16 or 64 rows are one row block), items are also cut into column blocks of whole strips, and if still too
 * few into row blocks of whole 4-row tiles; op(B)'s strips are packed in parallel, with vector copies.
 *
 * <p><b>Transposed A, small k</b> ({@code k ≤} {@link #SMALL_K_T}: the minibatch weight gradient {@code X^T·G} with
 * k = batch): the plain-A path with op(A) = A^T read in place through strides (row r of op(A) is column r of A, one k
 * step is a row of A, so the 4 broadcast values of a k step are adjacent). The 4×3 micro-kernel keeps 4 rows of C ×
 * 3 vectors of its columns in registers over all of k; op(B) is used in place or packed as above (n tails are
 * zero-padded; the last vector of each row of C is stored under a mask, straight into C). The large-k scheme below
 * pays for its C^T partials and transpose, which a k as small as a minibatch does not amortise.
 *
 * <p><b>Transposed A, large k</b> ({@code C = A^T·op(B)}, the weight gradient over a whole data set): computed as
 * {@code C^T = op(B)^T·A}, so that the vectors run along A's contiguous rows (X's features) and op(B)'s values are
 * broadcast. A is used in place as the "B" panel (row stride m); only its last {@code m mod lanes} columns are copied,
 * zero-padded, into a small edge panel. The chunk partials of C^T are transposed into C when they are combined.
 * Work items are row blocks of C^T × reduction chunks, each covering whole rows of A (or column blocks of
 * {@link #STRIPS_PER_BLOCK} strips when there are too few items for the threads). An item walks k in sub-blocks of
 * {@link #KC_T} rows of A, continuing the fma chains from the stored partials (exact): it first reads the sub-block
 * once in address order (one load per cache line), which streams it into L2 — the strips then walk A down its
 * columns, a stride of a whole row that hardware prefetchers do not follow — and then runs the 4×3 micro-kernel over
 * each strip.
 *
 * <p>Buffers (packed B, edge panel, partial sums) are owned by the driver, grown when a larger shape first appears
 * and reused; the pool tasks are created once and read the call's arguments from fields, so that a GEMM allocates
 * nothing. Calls are serialised on the driver's lock.
 */
final class Gemm {
    /** Reduction chunk along k: fixed, so that the order of the sum never depends on the thread count. */
    static final int K_CHUNK = 2048;
    /**
     * Reduction chunk of the transposed-A path with large k: a weight gradient summed over the rows of a batch or data
     * set. These chunks are also the work items the threads share (here and in {@link FusedSoftmaxRegression}): the
     * lecture's 27,455 rows are 14 of them, 7 for one thread and 6 and a partial one for the other. Smaller chunks
     * would balance 2 threads better, but each chunk's partial sums (75 KB of a 784 × 24 gradient) are written to
     * memory and read back, which costs one thread more than the balance gains two.
     */
    static final int ROW_CHUNK = 2048;
    /** k sub-block of the transposed-A path (does not change results). */
    static final int KC_T = 48;
    /** Rows of the output per work item. */
    static final int MB = 64;
    /** Strips (of three vectors) per column block of the transposed-A path. */
    static final int STRIPS_PER_BLOCK = 8;
    /** Largest k for which transposed A takes the small-k path (A read in place with strides 1 and m). */
    static final int SMALL_K_T = 256;

    private final WorkerPool pool;
    private final CpuKernels kernels;
    private final int lanes;
    private float[] packedB = new float[0];
    private MemorySegment packedView;
    private float[] edge = new float[0];
    private float[] partial = new float[0];

    // The call in progress, read by the tasks below on every pool thread (the pool publishes these fields to its
    // workers under its monitor). Set by gemm(), cleared of array references when it returns.
    private float[] a;
    private float[] b;
    private float[] c;
    /** op(B) in strips (plain A), or the zero-padded edge columns of A (transposed A, null when m is a multiple). */
    private float[] panel;
    /** Where the chunk partials go: C itself (plain A, one chunk, alpha 1, beta 0) or {@link #partial}. */
    private float[] d;
    /** Whether {@link #panel} is B itself (rows n apart) rather than packed strips. */
    private boolean panelInPlace;
    /** Where the packed strips start in {@link #packedB}: on a cache line ({@link HeapAlignment}). */
    private int panelOff;
    private int strips;
    private boolean transB;
    private float alpha;
    private float beta;
    private int m;
    private int n;
    private int k;
    private int chunks;
    /** The reduction chunk of the call in progress ({@link #K_CHUNK} or {@link #ROW_CHUNK}). */
    private int chunkLen;
    private int chunkStride;
    private int rowBlocks;
    // plain A (and transposed A with small k): A's element (row r, reduction index kk) is a[r·aRs + kk·aKs]
    private int aRs;
    private int aKs;
    private int npad;
    private int ldd;
    // transposed A
    private int rs;
    private int ks;
    private int mFull;
    private int mpad;
    private int colBlock;
    /** Rows of C per work item of the plain-A path ({@link #MB}, or less when there are too few items). */
    private int rowBlock;
    private int colBlocks;
    private int perChunk;

    // Reusable pool tasks (created once: a GEMM allocates nothing).
    private final WorkerPool.ChunkTask packTask = this::packChunk;
    private final WorkerPool.ChunkTask plainTask = this::plainItem;
    private final WorkerPool.ChunkTask plainCombineTask = this::plainCombine;
    private final WorkerPool.ChunkTask transposedTask = this::transposedItem;
    private final WorkerPool.ChunkTask transposedCombineTask = this::transposedCombine;

    Gemm(WorkerPool pool, CpuKernels kernels) {
        this.pool = pool;
        this.kernels = kernels;
        this.lanes = kernels.gemmLanes();
    }

    /** Bytes of work buffers currently held. */
    long bufferBytes() {
        return 4L * ((long) packedB.length + edge.length + partial.length);
    }

    synchronized void gemm(boolean transA, boolean transB, float alpha, float[] a, float[] b, float beta, float[] c,
            int m, int n, int k) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scaleC(beta, c, m * n);
            return;
        }
        this.a = a;
        this.b = b;
        this.c = c;
        this.transB = transB;
        this.alpha = alpha;
        this.beta = beta;
        this.m = m;
        this.n = n;
        this.k = k;
        this.chunkLen = transA && k > SMALL_K_T ? ROW_CHUNK : K_CHUNK;
        this.chunks = (k + chunkLen - 1) / chunkLen;
        try {
            if (!transA) {
                aRs = k;
                aKs = 1;
                plainA();
            } else if (k <= SMALL_K_T) {
                aRs = 1; // op(A) = A^T: row r of op(A) is column r of A, k steps down A's rows
                aKs = m;
                plainA();
            } else {
                transposedA();
            }
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
            this.panel = null;
            this.d = null;
        }
    }

    // ------------------------------------------------------------------ C = op(A)·op(B), op(A) = A or small-k A^T

    private void plainA() {
        npad = roundUp(n, lanes);
        strips = (npad + 3 * lanes - 1) / (3 * lanes);
        planPlainItems();
        plainPanel();
        // One chunk, no scaling: the chains are the result and go straight into C; a last strip wider than C's last
        // columns (n not a multiple of the lanes: 10 or 24 classes at 512 bits) is stored under a mask.
        boolean direct = chunks == 1 && alpha == 1f && beta == 0f;
        if (direct) {
            d = c;
            ldd = n;
            chunkStride = 0;
        } else {
            chunkStride = Math.multiplyExact(m, npad);
            d = partial = ensure(partial, Math.multiplyExact(chunkStride, chunks));
            ldd = npad;
        }
        perChunk = rowBlocks * colBlocks;
        pool.forEach(perChunk * chunks, plainTask);
        if (!direct) {
            pool.forEach((m + MB - 1) / MB, plainCombineTask);
        }
    }

    /**
     * The work items of the plain-A path: blocks of {@link #rowBlock} rows × {@link #colBlock} columns (whole strips)
     * × reduction chunks, enough of them to keep the threads busy. Blocking never changes the results.
     */
    private void planPlainItems() {
        rowBlocks = (m + MB - 1) / MB;
        // Column blocks of whole strips when row blocks × chunks are too few to keep the threads busy (the forward pass
        // of a minibatch: 64 rows are one row block).
        int threads = pool.threads();
        int blocksWanted = threads == 1 || rowBlocks * chunks >= 2 * threads
                ? 1 : Math.min(strips, (2 * threads + rowBlocks * chunks - 1) / (rowBlocks * chunks));
        int stripsPerBlock = (strips + blocksWanted - 1) / blocksWanted;
        rowBlock = MB;
        if (blocksWanted > 1) {
            // Items of one strip × a thread's share of the rows: many equal items keep the threads equally busy, though
            // each strip's panel is then read once per share of the rows. (The MLP's 64 × 784 · 784 × 256 has 11
            // strips, the last two thirds wide; blocks of 3 strips would give one thread 6 strips and the other 4.7.)
            stripsPerBlock = 1;
            if (m >= 8 * threads) {
                rowBlock = Math.min(MB, roundUp((m + threads - 1) / threads, 4));
                rowBlocks = (m + rowBlock - 1) / rowBlock;
            }
        }
        colBlock = stripsPerBlock * 3 * lanes;
        colBlocks = (npad + colBlock - 1) / colBlock;
        // Still too few items (a narrow B, e.g. 16 rows × 10 classes: one row block, one strip): smaller row blocks,
        // whole 4-row tiles, one or two per thread.
        if (threads > 1 && rowBlocks * chunks * colBlocks < 2 * threads && m > 4) {
            int items = 2 * threads / (chunks * colBlocks);
            rowBlock = Math.min(MB, Math.max(4, roundUp((m + items - 1) / Math.max(1, items), 4)));
            rowBlocks = (m + rowBlock - 1) / rowBlock;
        }
    }

    /**
     * op(B) as the micro-kernel reads it: B itself when it is one strip wide, else packed into strips. A B narrower
     * than its strip (24 columns in a strip of 32 at 512 bits) is read in place too for a minibatch, when B's array
     * reaches a strip's width past its last row (a tensor's slack, {@link CpuTensor#SLACK_FLOATS}): each row's last
     * vector then also reads the start of the next row, in lanes that are never stored.
     */
    private void plainPanel() {
        boolean oneStrip = !transB && n <= 3 * lanes;
        boolean narrowInPlace = oneStrip && npad != n && m <= MB && (long) (k - 1) * n + npad <= b.length;
        if (oneStrip && npad == n || narrowInPlace) {
            // A single strip as wide as B: B's rows already are the packed layout. (Wider B is packed: strips read in
            // place, rows n apart, stream worse than packed ones.) A narrower B in place: for a minibatch of at most
            // MB rows, packing B every call cost as much as reading it (a batch-16 step of 24 classes at 512 bits
            // spent 10 % of its time packing W).
            panel = b;
            panelInPlace = true;
        } else {
            int size = Math.addExact(Math.multiplyExact(k, npad), HeapAlignment.PAD_FLOATS);
            if (packedB.length < size) {
                packedB = new float[size];
                packedView = HeapAlignment.segment(packedB);
            }
            panel = packedB;
            panelInPlace = false;
            panelOff = HeapAlignment.lineOffset(packedB, packedView); // the strips' rows then start on cache lines
            pool.forEach(chunks * strips, packTask);
        }
    }

    /** Packs one strip of op(B)'s rows of one reduction chunk. */
    private void packChunk(int item) {
        int ch = item / strips;
        int j0 = (item - ch * strips) * 3 * lanes;
        packStrip(b, transB, n, k, j0, stripWidth(npad - j0), ch * K_CHUNK, Math.min(k, (ch + 1) * K_CHUNK), panel,
                panelOff);
    }

    /** Work item: a block of {@link #rowBlock} rows of C × a column block × one reduction chunk. */
    private void plainItem(int item) {
        int ch = item / perChunk;
        int rest = item - ch * perChunk;
        int rb = rest / colBlocks;
        int jStart = (rest - rb * colBlocks) * colBlock;
        int jEnd = Math.min(npad, jStart + colBlock);
        int r0 = rb * rowBlock;
        int rows = Math.min(rowBlock, m - r0);
        int k0 = ch * K_CHUNK;
        int kLen = Math.min(k, k0 + K_CHUNK) - k0;
        int dBase = ch * chunkStride + r0 * ldd;
        for (int j0 = jStart; j0 < jEnd; j0 += stripWidth(npad - j0)) {
            int w = stripWidth(npad - j0);
            int valid = Math.min(w, ldd - j0); // ldd: n when writing C directly, npad for the partials
            int pbOff = panelInPlace ? k0 * n + j0 : panelOff + k * j0 + k0 * w;
            int ldb = panelInPlace ? n : w;
            if (aKs == 1) { // plain A: rows of A from memory, in a stream per row of a tile
                streamedRows(kernels, a, r0 * aRs + k0, aRs, rows, kLen, panel, pbOff, ldb, w, valid, d, dBase + j0,
                        ldd);
            } else {
                kernels.gemmPanel(a, r0 * aRs + k0 * aKs, aRs, aKs, rows, kLen, panel, pbOff, ldb, w, valid, d,
                        dBase + j0, ldd, false);
            }
        }
    }

    /** Adds the chunk partials of a block of rows in chunk order and applies alpha and beta. */
    private void plainCombine(int rb) {
        int r1 = Math.min(m, (rb + 1) * MB);
        if (chunks > 1) { // the chunk sums of these rows, in chunk order, into the first chunk's partial
            kernels.addChunks(d, rb * MB * npad, chunkStride, chunks, d, rb * MB * npad, (r1 - rb * MB) * npad);
        }
        for (int r = rb * MB; r < r1; r++) {
            for (int j = 0; j < n; j++) {
                float s = d[r * npad + j];
                int ci = r * n + j;
                c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
            }
        }
    }

    // ------------------------------------------------------------------ C = A^T·op(B), computed as C^T = op(B)^T·A

    private void transposedA() {
        // C^T is n × m: its rows are op(B)'s columns (broadcast), its columns A's columns (vectors, in place).
        rs = transB ? k : 1;
        ks = transB ? 1 : n;
        mFull = m - m % lanes;
        mpad = roundUp(m, lanes);
        if (mFull < m) {
            int width = m - mFull;
            float[] buf = edge = ensure(edge, Math.multiplyExact(k, lanes));
            for (int kk = 0; kk < k; kk++) {
                System.arraycopy(a, kk * m + mFull, buf, kk * lanes, width);
                Arrays.fill(buf, kk * lanes + width, (kk + 1) * lanes, 0f);
            }
            panel = buf;
        } else {
            panel = null;
        }
        chunkStride = Math.multiplyExact(n, mpad);
        d = partial = ensure(partial, Math.multiplyExact(chunkStride, chunks));
        rowBlocks = (n + MB - 1) / MB;
        // Whole rows of A per item (sequential sub-blocks, see touch) when there are enough (row block, chunk) items to
        // keep the threads busy; otherwise narrower column blocks. Column blocks never change the results.
        colBlock = rowBlocks * chunks >= 2 * pool.threads() ? mpad : STRIPS_PER_BLOCK * 3 * lanes;
        colBlocks = (mpad + colBlock - 1) / colBlock;
        perChunk = rowBlocks * colBlocks;
        pool.forEach(perChunk * chunks, transposedTask);
        pool.forEach((m + MB - 1) / MB, transposedCombineTask);
    }

    /** Work item: a block of {@link #MB} rows of C^T × a column block × one reduction chunk. */
    private void transposedItem(int item) {
        int ch = item / perChunk;
        int rest = item - ch * perChunk;
        int rb = rest / colBlocks;
        int i0 = (rest - rb * colBlocks) * colBlock;
        int i1 = Math.min(mpad, i0 + colBlock);
        int r0 = rb * MB;
        int rows = Math.min(MB, n - r0);
        int kStart = ch * chunkLen;
        int kEnd = Math.min(k, kStart + chunkLen);
        int dBase = ch * chunkStride + r0 * mpad;
        for (int k0 = kStart; k0 < kEnd; k0 += KC_T) {
            int kLen = Math.min(KC_T, kEnd - k0);
            boolean accumulate = k0 > kStart;
            int aOff = r0 * rs + k0 * ks;
            touch(a, k0 * m + i0, k0 * m + Math.min(m, i1) + (kLen - 1) * m);
            for (int j0 = i0; j0 < i1; j0 += stripWidth(Math.min(i1, mFull) - j0)) {
                if (j0 >= mFull) { // the copied edge columns
                    kernels.gemmPanel(b, aOff, rs, ks, rows, kLen, panel, k0 * lanes, lanes, lanes, d, dBase + j0,
                            mpad, accumulate);
                    break;
                }
                int w = stripWidth(Math.min(i1, mFull) - j0);
                kernels.gemmPanel(b, aOff, rs, ks, rows, kLen, a, k0 * m + j0, m, w, d, dBase + j0, mpad,
                        accumulate);
            }
        }
    }

    /** Adds the chunk partials of C^T in chunk order into a block of rows of C, applying alpha and beta. */
    private void transposedCombine(int rb) {
        int r0 = rb * MB;
        int r1 = Math.min(m, (rb + 1) * MB);
        if (chunks > 1) { // the chunk sums of these columns of C^T, in chunk order, into the first chunk's partial
            for (int j = 0; j < n; j++) {
                kernels.addChunks(d, j * mpad + r0, chunkStride, chunks, d, j * mpad + r0, r1 - r0);
            }
        }
        for (int i = r0; i < r1; i++) {
            for (int j = 0; j < n; j++) {
                float s = d[j * mpad + i];
                int ci = i * n + j;
                c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * {@link CpuKernels#gemmPanel} over {@code rows} rows of a row-major A ({@code ks = 1}, rows {@code rs} apart, from
     * +0), with the rows of each tile of t rows ({@link CpuKernels#gemmTileRows}, 4 or 8) taken q = rows / t rows apart:
     * with 4, tile i computes rows i, q + i, 2q + i and 3q + i; the remaining {@code rows mod t} rows come last. Every
     * element is the same chain as with adjacent rows; only the order of the tiles changes. When A comes from memory (a
     * block of a data set), the micro-kernel then reads t long sequential streams of q rows each, which the hardware
     * prefetchers follow, instead of t rows of one tile after the other (with A in cache the order makes no
     * difference).
     */
    static void streamedRows(CpuKernels kernels, float[] a, int aOff, int rs, int rows, int kLen, float[] pb,
            int pbOff, int ldb, int width, int valid, float[] d, int dOff, int ldd) {
        // The micro-kernel's rows at a time (8 when one vector wide, or two or three with 32 vector registers; else 4):
        // as many streams.
        int tileRows = kernels.gemmTileRows(width);
        int q = rows / tileRows;
        for (int t = 0; t < q; t++) {
            kernels.gemmPanel(a, aOff + t * rs, q * rs, 1, tileRows, kLen, pb, pbOff, ldb, width, valid, d,
                    dOff + t * ldd, q * ldd, false);
        }
        int done = tileRows * q;
        if (done < rows) {
            kernels.gemmPanel(a, aOff + done * rs, rs, 1, rows - done, kLen, pb, pbOff, ldb, width, valid, d,
                    dOff + done * ldd, ldd, false);
        }
    }

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

    /**
     * Packs op(B) rows [kFrom, kTo) of the strip at column j0, of width w, into the strip layout: (kk, jj) at
     * {@code off + k·j0 + kk·w + jj}, zero beyond column n.
     */
    private void packStrip(float[] b, boolean transB, int n, int k, int j0, int w, int kFrom, int kTo, float[] pb,
            int off) {
        int valid = Math.min(w, n - j0);
        int base = off + k * j0;
        if (!transB) {
            kernels.packRows(b, kFrom * n + j0, n, kTo - kFrom, valid, pb, base + kFrom * w, w);
            return;
        }
        for (int kk = kFrom; kk < kTo; kk++) {
            int dst = base + kk * w;
            for (int jj = 0; jj < valid; jj++) {
                pb[dst + jj] = b[(j0 + jj) * k + kk];
            }
            Arrays.fill(pb, dst + valid, dst + w, 0f);
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

package dev.descent.cpu;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fused forward and backward pass of a dense layer with softmax cross-entropy ({@link
 * CpuBackend#linearSoftmaxCrossEntropy}): {@code logits = X·W (+ b)}, the softmax cross-entropy and its gradient G,
 * and {@code ∂W = Xᵀ·G}, computed block by block of rows so that each block of X is read from memory once and used
 * for both GEMMs while it is in cache. The composed calls read X twice, and their weight-gradient GEMM walks X down its
 * columns over all rows of a reduction chunk, from L2 or memory at every step; here it walks a block of
 * {@value #BLOCK} rows that the forward pass has just brought in.
 *
 * <p><b>Same results as the composed calls, bit for bit.</b> Work items are the weight-gradient GEMM's reduction chunks
 * of {@link Gemm#ROW_CHUNK} rows. Within an item, for each block of rows: the forward micro-kernel forms each logit as
 * one fma chain over the features from +0 (the GEMM's definition when the features fit one reduction chunk of {@link
 * Gemm#K_CHUNK}), the bias is added as {@code addRowVector} adds it, the softmax kernel writes G and continues its
 * chunk's loss sum row by row (the blocks nest in {@link Chunks#softmaxRows}'s chunks), and the
 * weight-gradient micro-kernel continues each element's fma chain over the chunk's rows, from +0 at the chunk's first
 * row. The chunk partials of ∂W are then added in chunk order, as the GEMM adds them. None of this depends on the
 * thread count.
 *
 * <p><b>Threads.</b> Each thread claims reduction chunks, the partial last one first, and runs each alone, block by
 * block. When a thread finds no chunk left to claim, the others stop at their next block boundary, and the threads
 * then share each remaining block: the forward pass and the softmax cut by rows (the row losses are then added in row
 * order, as the kernel adds them), the weight gradient by features. Where a chunk changes hands changes nothing: every
 * element still gets the same chain. So no thread idles for more than a block's time, also when the other is slowed
 * down (another process on its core), and only the blocks at the end pay for sharing (each thread then reads rows the
 * other brought in). For the lecture's 27,455 rows on 2 threads, some 1,000 of them are shared; a batch of one partial
 * chunk (minibatches under 2048 rows on 2 threads) is shared throughout.
 * One reduction chunk writes its chains straight into ∂W. When the classes are not a whole number of vectors (10
 * classes), the weight gradient is formed as ∂Wᵀ, with vectors along the features (every lane useful), and transposed
 * into ∂W when the chunks are combined: the same chains, so the same bits.
 *
 * <p>Used when the features fit one reduction chunk, the classes fit one strip of 1–3 vectors (any count: the
 * panels are padded to whole vectors and the last vector of each row is stored under a mask), and the batch has
 * at least a block of rows ({@value #COOPERATIVE_MIN_ROWS} when the threads share blocks); otherwise the composed
 * calls, whose GEMMs split small batches more finely. Buffers are owned and reused; the pool tasks are created once:
 * a call allocates nothing.
 */
final class FusedSoftmaxRegression {
    /** Rows per block: 64 rows of 784 features are 200 KB, which stay in L2 between the two GEMMs. */
    static final int BLOCK = 64;
    /** Fewest rows for the cooperative mode (smaller batches: the composed calls, whose GEMMs split finely). */
    static final int COOPERATIVE_MIN_ROWS = 512;

    /**
     * Adds the chunk partials of ∂W (the same bits as any {@link CpuKernels#addChunks}): the scalar kernels' plain loop
     * on purpose. A full-batch run does this once per step, some 40 calls an epoch, so it reaches C2 only after many
     * epochs; until then Vector API code runs as C1-compiled fallbacks that allocate a vector per operation, and the
     * vector kernel took 3-6 % of epochs 3-12 of W1 (JFR execution samples). The plain loop runs well in C1.
     */
    private static final CpuKernels CHUNK_SUMS = ScalarKernels.INSTANCE;

    private final WorkerPool pool;
    private final CpuKernels kernels;
    private final int lanes;
    private float[] partial = new float[0];
    private MemorySegment partialView;
    /** Where the chunk partials start in {@link #partial}: its first element on a cache line. */
    private int partialOff;
    /**
     * The weights, copied for the call so that the forward micro-kernel's panel rows start on cache-line boundaries
     * ({@link HeapAlignment}); they begin at {@link #wOff}.
     */
    private float[] wPanel = new float[0];
    private MemorySegment wPanelView;
    private int wOff;
    /**
     * Per thread: the softmax gradient of the block in progress, copied from G so that the weight-gradient
     * micro-kernel's panel rows start on cache-line boundaries; they begin at {@link #gOffs}.
     */
    private final float[][] gBlocks;
    private final MemorySegment[] gBlockViews;
    private final int[] gOffs;
    /** Shared blocks: the two terms each row of the block in progress adds to the loss ({@link CpuKernels}). */
    private final double[] rowLoss = new double[2 * BLOCK];
    /**
     * Per thread: where the softmax kernel writes the row terms of a block that a thread runs alone, which nothing
     * reads. The kernel is then never given a null {@code rowLoss} here, as it is in the shared blocks: a full-batch
     * run whose first epoch happened to share no block otherwise has C2 compile the kernel with the row-loss stores as
     * an uncommon trap, and the first shared block deoptimises it and waits for it to be compiled again (72-130 ms of
     * C2 in epoch 2, seen in 2 of 12 W1 runs on 2 threads).
     */
    private final double[][] rowLossUnread;

    // The call in progress, read by the task on every pool thread (published by the pool).
    private float[] x;
    private float[] w;
    private float[] b;
    private int[] labels;
    private float[] logits;
    private float[] grad;
    private double[] lossPartials;
    private int rows;
    private int features;
    private int classes;
    /** The classes rounded up to whole vectors: the row length of the padded panels {@link #wPanel} and gBlocks. */
    private int kpad;
    /**
     * Whether the weight-gradient chains are formed as ∂Wᵀ (classes × features, vectors along X's rows): when the
     * classes are not whole vectors (10 classes: 10 of 16 lanes would do work) and the features are.
     */
    private boolean transposedGrad;
    private int chunks;
    private int lossChunkRows;
    private int block;
    private float gradScale;
    private float[] gradW;
    /** Where the weight-gradient chains go: {@link #gradW} itself for one reduction chunk, else the partials. */
    private float[] dst;
    private final WorkerPool.ChunkTask combineTask = this::combine;
    private int combineRows;
    // cooperative mode: the block in progress and its cut among the threads
    private int blockRow;
    private int blockRows;
    private int blockChunkRow;
    private int blockDst;
    private int pieceRows;
    private int pieceFeatures;
    private final WorkerPool.ChunkTask forwardPieceTask = this::forwardPiece;
    // Scheduling (see runner): the next chunk to claim, and per chunk the row its own thread reached and the chunk's
    // loss sum there.
    private final AtomicInteger nextChunk = new AtomicInteger();
    private int[] chunkRow = new int[0];
    private double[] chunkLoss = new double[0];
    /** Set when a thread finds no chunk left to claim: the others stop at their next block boundary. */
    private volatile boolean stop;
    private final WorkerPool.WorkerTask runnerTask = this::runner;
    /** Tests: a chunk's own thread stops after this many blocks at most (negative: no limit). */
    int stopAfterBlocks = -1;
    private final WorkerPool.ChunkTask gradientPieceTask = this::gradientPiece;

    FusedSoftmaxRegression(WorkerPool pool, CpuKernels kernels) {
        this.pool = pool;
        this.kernels = kernels;
        this.lanes = kernels.gemmLanes();
        this.gBlocks = new float[pool.threads()][0];
        this.gBlockViews = new MemorySegment[pool.threads()];
        this.gOffs = new int[pool.threads()];
        this.rowLossUnread = new double[pool.threads()][2 * BLOCK];
    }

    /** Whether the fused pass applies to this shape (otherwise the caller composes the calls). */
    boolean applies(int rows, int features, int classes) {
        if (rows < BLOCK || features > Gemm.K_CHUNK || classes > 3 * lanes) {
            return false;
        }
        return pool.threads() == 1 || !cooperative(rows) || rows >= COOPERATIVE_MIN_ROWS;
    }

    /**
     * Whether the threads may share blocks for much of the batch (too few reduction chunks to give each thread its own
     * several times: minibatches of up to 8191 rows on two threads); below {@value #COOPERATIVE_MIN_ROWS} rows such
     * batches take the composed calls, whose GEMMs split small batches more finely.
     */
    private boolean cooperative(int rows) {
        int chunks = (rows + Gemm.ROW_CHUNK - 1) / Gemm.ROW_CHUNK;
        return pool.threads() > 1 && chunks < 2 * pool.threads();
    }

    /** The vector width (in floats): the classes must fit three of them. */
    int lanes() {
        return lanes;
    }

    /** Bytes of work buffers currently held. */
    long bufferBytes() {
        long bytes = 4L * (partial.length + wPanel.length);
        for (float[] g : gBlocks) {
            bytes += 4L * g.length;
        }
        return bytes;
    }

    /**
     * Runs the fused pass. The loss sums per softmax chunk go into {@code lossPartials[0 .. ceil(rows /
     * lossChunkRows))}; the caller adds them in order. Labels are already checked.
     */
    void run(float[] x, float[] w, float[] b, int[] labels, float[] logits, float[] grad, float[] gradW,
            double[] lossPartials, int rows, int features, int classes, int lossChunkRows, float gradScale) {
        this.x = x;
        this.w = w;
        this.b = b;
        this.labels = labels;
        this.logits = logits;
        this.grad = grad;
        this.gradW = gradW;
        this.lossPartials = lossPartials;
        this.rows = rows;
        this.features = features;
        this.classes = classes;
        this.kpad = (classes + lanes - 1) / lanes * lanes;
        this.transposedGrad = kpad != classes && features % lanes == 0;
        this.lossChunkRows = lossChunkRows;
        this.block = Math.min(BLOCK, lossChunkRows);
        this.gradScale = gradScale;
        this.chunks = (rows + Gemm.ROW_CHUNK - 1) / Gemm.ROW_CHUNK;
        try {
            prepareBuffers();
            runChunks();
            if (chunks > 1 || transposedGrad) {
                combineRows = Math.max(1, (features + 2 * pool.threads() - 1) / (2 * pool.threads()));
                pool.forEach((features + combineRows - 1) / combineRows, combineTask);
            }
        } finally {
            this.dst = null;
            this.x = null;
            this.w = null;
            this.b = null;
            this.labels = null;
            this.logits = null;
            this.grad = null;
            this.gradW = null;
            this.lossPartials = null;
        }
    }

    /**
     * Where the chains of ∂W go ({@link #dst}: ∂W itself for one chunk, else the chunk partials), and line-aligned
     * work copies of the panels the micro-kernels read at every step, their rows zero-padded to whole vectors (exact
     * copies: the results do not depend on where they start; the padding columns are computed and never stored, see
     * CpuKernels.gemmPanel's valid columns).
     */
    private void prepareBuffers() {
        int panel = Math.multiplyExact(features, classes);
        if (chunks == 1 && !transposedGrad) {
            dst = gradW; // one chunk: the chains are the result (the GEMM's combine would copy them unchanged)
            partialOff = 0;
        } else {
            int size = Math.addExact(Math.multiplyExact(panel, chunks), HeapAlignment.PAD_FLOATS);
            if (partial.length < size) {
                partial = new float[size];
                partialView = HeapAlignment.segment(partial);
            }
            dst = partial;
            partialOff = HeapAlignment.lineOffset(partial, partialView);
        }
        int paddedPanel = Math.multiplyExact(features, kpad);
        if (wPanel.length < paddedPanel + HeapAlignment.PAD_FLOATS) {
            wPanel = new float[paddedPanel + HeapAlignment.PAD_FLOATS];
            wPanelView = HeapAlignment.segment(wPanel);
        }
        wOff = HeapAlignment.lineOffset(wPanel, wPanelView);
        if (kpad == classes) {
            System.arraycopy(w, 0, wPanel, wOff, panel);
        } else {
            kernels.packRows(w, 0, classes, features, classes, wPanel, wOff, kpad);
        }
        int gSize = BLOCK * kpad + HeapAlignment.PAD_FLOATS;
        for (int t = 0; t < gBlocks.length; t++) {
            if (gBlocks[t].length < gSize) {
                gBlocks[t] = new float[gSize];
                gBlockViews[t] = HeapAlignment.segment(gBlocks[t]);
            }
            gOffs[t] = HeapAlignment.lineOffset(gBlocks[t], gBlockViews[t]);
        }
    }

    /** Every reduction chunk: claimed by one thread each ({@link #runner}), then what is left of them shared. */
    private void runChunks() {
        if (chunkRow.length < chunks) {
            chunkRow = new int[chunks];
            chunkLoss = new double[chunks];
        }
        for (int ch = 0; ch < chunks; ch++) {
            chunkRow[ch] = ch * Gemm.ROW_CHUNK;
            chunkLoss[ch] = 0;
        }
        nextChunk.set(0);
        stop = false;
        pool.forEach(pool.threads(), runnerTask);
        for (int ch = 0; ch < chunks; ch++) {
            if (chunkRow[ch] < chunkEnd(ch)) {
                runCooperative(ch, chunkRow[ch], chunkLoss[ch]);
            }
        }
    }

    /**
     * One thread's share: it claims chunks, the partial last one first, and runs each alone, block by block, until none
     * is left to claim; it then sets {@link #stop}, and each chunk still in progress on another thread is left at its
     * next block boundary for the threads to share ({@link #runCooperative}).
     */
    private void runner(int task, int worker) {
        while (!stop) {
            int i = nextChunk.getAndIncrement();
            if (i >= chunks) {
                stop = true;
                return;
            }
            int ch = (chunks - 1 + i) % chunks; // the last chunk (the partial one, if any) first
            blocks(ch, worker);
        }
    }

    /**
     * Chunk {@code ch}'s blocks on one thread: forward, softmax and weight-gradient partial, one block after the other,
     * until the chunk is done or {@link #stop} is set; {@link #chunkRow} and {@link #chunkLoss} then say where it is.
     */
    private void blocks(int ch, int worker) {
        int c0 = ch * Gemm.ROW_CHUNK;
        int c1 = chunkEnd(ch);
        int pOff = chunkOffset(ch);
        float[] gb = gBlocks[worker];
        int gOff = gOffs[worker];
        double loss = 0;
        for (int r0 = c0; r0 < c1; r0 += block) {
            if (stop || (stopAfterBlocks >= 0 && (r0 - c0) / block >= stopAfterBlocks)) {
                chunkRow[ch] = r0;
                chunkLoss[ch] = loss;
                return;
            }
            int n = Math.min(block, c1 - r0);
            forward(r0, n);
            loss = softmax(r0, n, loss, worker);
            copyGradBlock(r0, n, gb, gOff);
            gradient(r0, n, gb, gOff, pOff, 0, features, r0 > c0);
        }
        chunkRow[ch] = c1;
    }

    /** The end of chunk {@code ch}'s rows. */
    private int chunkEnd(int ch) {
        return Math.min(rows, (ch + 1) * Gemm.ROW_CHUNK);
    }

    /**
     * The blocks of chunk {@code ch} from row {@code from} (a block boundary), one after the other, each shared by the
     * threads (same operations, same order per element), continuing the chunk's loss sum {@code loss}.
     */
    private void runCooperative(int ch, int from, double loss) {
        int threads = pool.threads();
        // Cut at whole strips of ∂Wᵀ (or whole 4-row tiles of ∂W), so that the pieces run the tiles the blocks of
        // one thread run, and only those: cut at single vectors, the last strip of the first piece was one vector
        // wide, a tile that only these few blocks run (two per block on 2 threads, at 256 bits), which stayed in
        // C1-compiled Vector API code for the first ~15 epochs of a full-batch run.
        pieceFeatures = roundUp((features + threads - 1) / threads, transposedGrad ? 3 * lanes : 4);
        int c0 = ch * Gemm.ROW_CHUNK;
        int c1 = chunkEnd(ch);
        for (int r0 = from; r0 < c1; r0 += block) {
            int n = Math.min(block, c1 - r0);
            blockRow = r0;
            blockRows = n;
            blockChunkRow = c0;
            blockDst = chunkOffset(ch);
            // rows cut at multiples of the softmax's log groups, so that each piece's groups are the block's
            pieceRows = roundUp((n + threads - 1) / threads, CpuKernels.LOG_GROUP);
            pool.forEach((n + pieceRows - 1) / pieceRows, forwardPieceTask);
            // The pieces' row losses, added in row order: the sum the softmax kernel forms over the block.
            for (int r = r0; r < r0 + n; r++) {
                if (r % lossChunkRows == 0) {
                    loss = 0;
                }
                loss += rowLoss[2 * (r - r0)];
                loss += rowLoss[2 * (r - r0) + 1];
                storeLossIfChunkEnds(r + 1, loss);
            }
            copyGradBlock(r0, n, gBlocks[0], gOffs[0]); // read by both pieces
            pool.forEach((features + pieceFeatures - 1) / pieceFeatures, gradientPieceTask);
        }
    }

    /**
     * Cooperative mode: the logits (and bias) of a piece of the block's rows, then their softmax: G, and each row's
     * loss into {@link #rowLoss} (the caller adds them in row order).
     */
    private void forwardPiece(int piece) {
        int r0 = blockRow + piece * pieceRows;
        int n = Math.min(pieceRows, blockRow + blockRows - r0);
        forward(r0, n);
        kernels.softmaxCrossEntropy(logits, labels, grad, classes, r0, r0 + n, gradScale, 0, rowLoss,
                2 * (r0 - blockRow));
    }

    /**
     * The logits of rows [r0, r0 + n): one fma chain per logit over the features, then the bias. The tiles read the
     * block in a stream per row of a tile ({@link Gemm#streamedRows}): X comes from memory here.
     */
    private void forward(int r0, int n) {
        Gemm.streamedRows(kernels, x, r0 * features, features, n, features, wPanel, wOff, kpad, kpad, classes,
                logits, r0 * classes, classes);
        if (b != null) {
            kernels.addRowVector(logits, b, classes, r0, r0 + n);
        }
    }

    /**
     * G and the loss of rows [r0, r0 + n), continuing {@code loss} within a softmax chunk (restarting at 0 where one
     * begins); the chunk's sum is stored once its last row is done. Returns the running sum.
     */
    private double softmax(int r0, int n, double loss, int worker) {
        double start = r0 % lossChunkRows == 0 ? 0 : loss;
        double sum = kernels.softmaxCrossEntropy(logits, labels, grad, classes, r0, r0 + n, gradScale, start,
                rowLossUnread[worker], 0);
        storeLossIfChunkEnds(r0 + n, sum);
        return sum;
    }

    /** Stores a softmax chunk's loss sum when row {@code end - 1} is the chunk's last (or the batch's). */
    private void storeLossIfChunkEnds(int end, double sum) {
        if (end % lossChunkRows == 0 || end == rows) {
            lossPartials[(end - 1) / lossChunkRows] = sum;
        }
    }

    /** Cooperative mode: the weight-gradient chains of a piece of the features, over the block's rows. */
    private void gradientPiece(int piece) {
        int f0 = piece * pieceFeatures;
        int fn = Math.min(pieceFeatures, features - f0);
        gradient(blockRow, blockRows, gBlocks[0], gOffs[0], blockDst, f0, fn, blockRow > blockChunkRow);
    }

    /**
     * The weight-gradient chains of features [f0, f0 + fn) over rows [r0, r0 + n), continued from the partial at
     * {@code dOff} ({@code accumulate}) or from +0. Each element is one fma chain over the rows in order, either way:
     * <ul>
     *   <li>∂W (features × classes) += X[r0 .. r0+n)ᵀ · G: the features are the output rows (4 adjacent ones broadcast
     *   per row of X), the classes the vectors, G read from the aligned copy;</li>
     *   <li>{@link #transposedGrad}: ∂Wᵀ (classes × features) += Gᵀ · X[r0 .. r0+n): the classes are the output rows
     *   (G's values broadcast), the vectors run along X's rows in strips of up to 3 vectors, read in place.</li>
     * </ul>
     */
    private void gradient(int r0, int n, float[] gb, int gOff, int dOff, int f0, int fn, boolean accumulate) {
        if (!transposedGrad) {
            kernels.gemmPanel(x, r0 * features + f0, 1, features, fn, n, gb, gOff, kpad, kpad, classes, dst,
                    dOff + f0 * classes, classes, accumulate);
            return;
        }
        int strip = 3 * lanes;
        for (int j0 = f0; j0 < f0 + fn; j0 += strip) {
            int w = Math.min(strip, f0 + fn - j0);
            kernels.gemmPanel(gb, gOff, 1, kpad, classes, n, x, r0 * features + j0, features, w, w, dst, dOff + j0,
                    features, accumulate);
        }
    }

    /** G's rows [r0, r0 + n), copied into a block panel of rows {@link #kpad} wide (zero-padded). */
    private void copyGradBlock(int r0, int n, float[] gb, int gOff) {
        if (kpad == classes) {
            System.arraycopy(grad, r0 * classes, gb, gOff, n * classes);
        } else {
            kernels.packRows(grad, r0 * classes, classes, n, classes, gb, gOff, kpad);
        }
    }

    /** Where chunk {@code ch}'s weight-gradient chains go in {@link #dst}. */
    private int chunkOffset(int ch) {
        return partialOff + ch * features * classes;
    }

    private static int roundUp(int v, int unit) {
        return (v + unit - 1) / unit * unit;
    }

    /**
     * Adds the chunk partials of a block of ∂W's rows in chunk order; with {@link #transposedGrad}, adds those of ∂Wᵀ's
     * columns (into the first chunk's partial) and transposes them into ∂W.
     */
    private void combine(int item) {
        int stride = features * classes;
        if (transposedGrad) {
            int f0 = item * combineRows;
            int f1 = Math.min(features, f0 + combineRows);
            for (int c = 0; c < classes; c++) {
                int off = partialOff + c * features + f0;
                CHUNK_SUMS.addChunks(partial, off, stride, chunks, partial, off, f1 - f0);
            }
            for (int f = f0; f < f1; f++) {
                for (int c = 0; c < classes; c++) {
                    gradW[f * classes + c] = partial[partialOff + c * features + f];
                }
            }
            return;
        }
        int from = item * combineRows * classes;
        int to = Math.min(features, (item + 1) * combineRows) * classes;
        CHUNK_SUMS.addChunks(partial, partialOff + from, stride, chunks, gradW, from, to - from);
    }
}

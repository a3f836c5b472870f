package dev.descent.data;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The minibatch {@link Loader} over a {@link DeviceDataset}: gathers each batch on the backend into reusable buffers.
 *
 * <h2>Epochs and batches</h2>
 * Epoch {@code e} (from 1) visits the samples in the order {@link EpochOrder#fill EpochOrder(seed, e)} (the identity
 * without shuffling) and cuts it into consecutive global batches of {@code batchSize} rows: global batch {@code b}
 * holds positions {@code [b·batchSize, min(n, (b+1)·batchSize))} of the order. The final batch may be smaller; with
 * drop-last it is skipped. So {@link #batchesPerEpoch()} is {@code ceil(n / batchSize)}, or {@code floor} with
 * drop-last; a full-batch loader has one batch of all {@code n} samples. The batches are a pure function of
 * {@code (seed, epoch, batch index)}: the same on every backend and thread count, and {@link #seek} reproduces them
 * exactly after a restart.
 *
 * <h2>Data-parallel shards</h2>
 * With {@code (rank, worldSize)} every process loads the whole data set and takes a disjoint, contiguous share of each
 * global batch: of a global batch of {@code m} rows, rank {@code r} gets rows {@code [⌊r·m/N⌋, ⌊(r+1)·m/N⌋)}, so the
 * shares of ranks {@code 0..N−1}, concatenated, are exactly the single-process batch, and their sizes differ by at most
 * one. {@link Batch#size()} is the local share, {@link Batch#globalSize()} the global batch's rows (the loss
 * normalizer). Every rank must get at least one row of every batch: the batch size, and the final partial batch unless
 * dropped, must be at least {@code worldSize}.
 *
 * <h2>Memory</h2>
 * The constructor allocates everything: an int32 index tensor of {@code n} entries holding the epoch's order (uploaded
 * once per epoch), batch buffers for the full batch shape (two sets when prefetching, see below) and one for the final
 * partial batch, and the {@link Batch} records. {@link #next()} only gathers and allocates nothing. The returned
 * batch's tensors are overwritten by a later {@code next()}; use a batch before asking for the next one. A full-batch
 * loader without shuffling in a single process gathers nothing: its batch holds the data set's own tensors (which the
 * caller must not modify).
 *
 * <h2>Prefetch</h2>
 * When the backend {@linkplain Backend#gathersInBackground gathers in the background} (the CPU backend with a core its
 * worker pool leaves free) and a minibatch has at most {@value #PREFETCH_MAX_FLOATS} floats, minibatches alternate
 * between two sets of buffers, and {@link #next()}, having handed out batch {@code b}, starts gathering batch
 * {@code b + 1} of the same epoch into the other set through {@link Backend#gatherRowsAsync} while batch {@code b}
 * trains. The rows are the same bits either way; the next {@code next()} (or {@link #seek}, {@link #close}) waits for
 * the copy. Other backends keep one set of buffers (a CUDA step graph, keyed by the batch's buffers, is captured once
 * per batch shape) and gather in stream order.
 *
 * <pre>{@code
 * try (DeviceDataset train = dataset.upload(backend);
 *      DataLoader loader = new DataLoader(train, LoaderOptions.batches(128).withSeed(7))) {
 *     for (int epoch = 1; epoch <= epochs; epoch++) {
 *         loader.startEpoch(epoch);
 *         while (loader.hasNext()) {
 *             Batch batch = loader.next();
 *             // forward on batch.features(), loss against batch.labels() normalised by batch.globalSize() ...
 *         }
 *     }
 * }
 * }</pre>
 *
 * Not thread-safe: one loader per training loop.
 */
public final class DataLoader implements Loader {
    /** Largest minibatch (rows × features) that gets a second set of buffers and is gathered ahead: 4 MB. */
    static final int PREFETCH_MAX_FLOATS = 1 << 20;

    private final DeviceDataset data;
    private final Backend backend;
    private final LoaderOptions options;
    private final int n;
    private final int batchSize;
    private final int batches;
    private final int[] order;
    private final Tensor indices;
    private final Tensor[] buffers;
    private final Batch[] batchRecords;
    private final int[] localOffset;
    private final boolean direct;
    /** Whether the next batch is gathered ahead (two buffer sets for full batches). */
    private final boolean prefetch;
    /** The gather in flight (of batch {@link #pendingBatch}'s features), or {@link Backend.Pending#DONE}. */
    private Backend.Pending pending = Backend.Pending.DONE;
    /** The batch of the current epoch whose rows are gathered or being gathered ahead; -1: none. */
    private int pendingBatch = -1;

    private int epoch;
    private int position;
    private int loadedEpoch = -1;
    private boolean closed;

    /**
     * Creates a loader and all of its buffers.
     *
     * @param data    the data set on the backend; not owned (closing the loader leaves it open)
     * @param options batch size, shuffle, drop-last, seed and shard
     * @throws IllegalArgumentException when the batch size exceeds the data set with drop-last (no batch at all), or a
     *                                  rank would get no row of some batch
     */
    public DataLoader(DeviceDataset data, LoaderOptions options) {
        this.data = Objects.requireNonNull(data, "data");
        this.options = Objects.requireNonNull(options, "options");
        if (data.isClosed()) {
            throw new IllegalArgumentException("data set " + data.source() + " is closed");
        }
        this.backend = data.backend();
        this.n = data.samples();
        this.batchSize = options.isFullBatch() ? n : options.batchSize();
        int full = n / batchSize;
        int last = n % batchSize;
        boolean keepLast = last != 0 && !options.dropLast();
        this.batches = full + (keepLast ? 1 : 0);
        if (batches == 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + n
                    + " samples of " + data.source() + " and drop-last is on: an epoch would have no batch");
        }
        int world = options.worldSize();
        int rank = options.rank();
        if (world > 1) {
            if (full > 0 && batchSize < world) {
                throw new IllegalArgumentException("batch size " + batchSize + " cannot be split over " + world
                        + " processes: each needs at least one row");
            }
            if (keepLast && last < world) {
                throw new IllegalArgumentException("the final batch of " + last + " rows (" + n + " samples, batch size "
                        + batchSize + ") cannot be split over " + world + " processes; turn on drop-last or pick "
                        + "another batch size");
            }
        }

        this.batchRecords = new Batch[batches];
        this.localOffset = new int[batches];
        this.direct = options.isFullBatch() && !options.shuffle() && world == 1;
        if (direct) {
            // the one batch is the data set itself, in file order: nothing to gather
            this.order = null;
            this.buffers = new Tensor[0];
            this.indices = null;
            this.prefetch = false;
            batchRecords[0] = new Batch(data.features(), data.labels(), data.targets(), n, n, 0);
            return;
        }
        this.order = new int[n];
        this.prefetch = backend.gathersInBackground() && batches > 1
                && (long) share(batchSize, rank, world) * data.featureCount() <= PREFETCH_MAX_FLOATS;
        int shapes = (full > 0 ? (prefetch ? 2 : 1) : 0) + (keepLast ? 1 : 0);
        this.buffers = new Tensor[shapes * 2];
        Tensor idx = null;
        try {
            idx = backend.allocateInt(n);
            int slot = 0;
            Batch fullTemplate = null;
            Batch otherTemplate = null; // full batches alternate between the two when prefetching
            if (full > 0) {
                int local = share(batchSize, rank, world);
                fullTemplate = makeTemplate(local, batchSize, slot);
                slot += 2;
                if (prefetch) {
                    otherTemplate = makeTemplate(local, batchSize, slot);
                    slot += 2;
                }
            }
            Batch lastTemplate = null;
            if (keepLast) {
                int local = share(last, rank, world);
                lastTemplate = makeTemplate(local, last, slot);
            }
            for (int b = 0; b < batches; b++) {
                Batch t = b >= full ? lastTemplate : prefetch && (b & 1) == 1 ? otherTemplate : fullTemplate;
                batchRecords[b] = new Batch(t.features(), t.labels(), t.targets(), t.size(), t.globalSize(), b);
                int global = t.globalSize();
                localOffset[b] = b * batchSize + (int) ((long) rank * global / world);
            }
        } catch (RuntimeException e) {
            if (idx != null) {
                idx.close();
            }
            for (Tensor t : buffers) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        this.indices = idx;
    }

    /** Rows of a global batch of {@code m} rows that rank {@code r} of {@code world} takes. */
    static int share(int m, int r, int world) {
        return (int) ((long) (r + 1) * m / world - (long) r * m / world);
    }

    private Batch makeTemplate(int local, int global, int slot) {
        Tensor f = backend.allocate(local, data.featureCount());
        buffers[slot] = f;
        Tensor l = null;
        Tensor t = null;
        if (data.isClassification()) {
            l = backend.allocateInt(local);
            buffers[slot + 1] = l;
        } else {
            t = backend.allocate(local, data.targetCount());
            buffers[slot + 1] = t;
        }
        return new Batch(f, l, t, local, global, -1);
    }

    /** The options this loader was made with. */
    public LoaderOptions options() {
        return options;
    }

    /** The data set it reads. */
    public DeviceDataset data() {
        return data;
    }

    /** Rows of a full global batch ({@code n} for a full-batch loader). */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int samples() {
        return n;
    }

    @Override
    public int batchesPerEpoch() {
        return batches;
    }

    /** Starts epoch {@code epoch} (from 1): computes and uploads its order, positions at batch 0. */
    @Override
    public void startEpoch(int epoch) {
        seek(epoch, 0);
    }

    @Override
    public boolean hasNext() {
        return epoch > 0 && position < batches;
    }

    /**
     * Gathers the next batch of the current epoch into this loader's buffers and returns it; allocates nothing.
     *
     * @throws IllegalStateException  before the first {@link #startEpoch} or after {@link #close}
     * @throws NoSuchElementException when the epoch has no further batch
     */
    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("loader is closed");
        }
        if (epoch == 0) {
            throw new IllegalStateException("call startEpoch(epoch) or seek(epoch, batch) before next()");
        }
        int b = position;
        if (b >= batches) {
            throw new NoSuchElementException("epoch " + epoch + " has only " + batches + " batches");
        }
        Batch batch = batchRecords[b];
        if (direct) {
            position = b + 1;
            return batch;
        }
        if (pendingBatch == b) {
            pending.await(); // its labels or targets were gathered when it started
            pending = Backend.Pending.DONE;
        } else {
            settle();
            gather(b, false);
        }
        pendingBatch = -1;
        position = b + 1;
        if (prefetch && b + 1 < batches) {
            gather(b + 1, true); // into the other buffers, while the caller trains on this batch
            pendingBatch = b + 1;
        }
        return batch;
    }

    /** Gathers batch {@code b} of the current epoch into its buffers; the features in the background if asked. */
    private void gather(int b, boolean ahead) {
        Batch batch = batchRecords[b];
        int offset = localOffset[b];
        if (batch.labels() != null) {
            backend.gatherRows(data.labels(), indices, offset, batch.labels());
        } else {
            backend.gatherRows(data.targets(), indices, offset, batch.targets());
        }
        if (ahead) {
            pending = backend.gatherRowsAsync(data.features(), indices, offset, batch.features());
        } else {
            backend.gatherRows(data.features(), indices, offset, batch.features());
        }
    }

    /** Waits for a gather in flight and forgets it (before the order or the buffers change). */
    private void settle() {
        Backend.Pending p = pending;
        pending = Backend.Pending.DONE;
        pendingBatch = -1;
        p.await();
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public int position() {
        return position;
    }

    /**
     * Positions the loader at batch {@code batchIndex} of epoch {@code epoch}, loading that epoch's order when it is
     * not the one already loaded. {@code batchIndex == batchesPerEpoch()} means the epoch is finished.
     */
    @Override
    public void seek(int epoch, int batchIndex) {
        if (closed) {
            throw new IllegalStateException("loader is closed");
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs are counted from 1, got " + epoch);
        }
        if (batchIndex < 0 || batchIndex > batches) {
            throw new IllegalArgumentException("batch index " + batchIndex + " outside [0, " + batches + "]");
        }
        settle();
        if (!direct && (loadedEpoch < 0 || (options.shuffle() && loadedEpoch != epoch))) {
            EpochOrder.fill(options.seed(), epoch, options.shuffle(), order, n);
            backend.uploadInt(order, 0, indices);
            loadedEpoch = epoch;
        }
        this.epoch = epoch;
        this.position = batchIndex;
    }

    /**
     * The sample indices (rows of the data set) of this rank's share of batch {@code batchIndex} in epoch
     * {@code epoch}: what {@link #next()} gathers, computed on the host. For tests and diagnostics; allocates.
     */
    public int[] sampleIndices(int epoch, int batchIndex) {
        if (batchIndex < 0 || batchIndex >= batches) {
            throw new IllegalArgumentException("batch index " + batchIndex + " outside [0, " + batches + ")");
        }
        int[] o = new int[n];
        EpochOrder.fill(options.seed(), epoch, options.shuffle(), o, n);
        if (direct) {
            return o;
        }
        Batch b = batchRecords[batchIndex];
        int[] out = new int[b.size()];
        System.arraycopy(o, localOffset[batchIndex], out, 0, out.length);
        return out;
    }

    /** Closes the index tensor and the batch buffers (not the data set). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            settle();
        } catch (RuntimeException e) {
            // closing anyway: the buffers are released below
        }
        if (indices != null) {
            indices.close();
        }
        for (Tensor t : buffers) {
            if (t != null) {
                t.close();
            }
        }
    }

    @Override
    public String toString() {
        return "DataLoader[" + data.source() + ", " + n + " samples, "
                + (options.isFullBatch() ? "full batch" : "batch " + batchSize) + ", " + batches + " batches/epoch"
                + (options.shuffle() ? ", shuffled (seed " + options.seed() + ")" : "")
                + (options.dropLast() ? ", drop-last" : "")
                + (options.worldSize() > 1 ? ", rank " + options.rank() + "/" + options.worldSize() : "") + "]";
    }
}

package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendException;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The background gathers of one {@link CpuBackend} ({@link Backend#gatherRowsAsync}): one thread of its own, on the core
 * that the worker pool leaves free (a minibatch step runs fastest on one thread on small machines, see
 * {@link WidthPlan#threadsFor}), copies the next minibatch's rows while the current one trains. A batch of 16 rows of
 * 784 features is 16 scattered reads of 3 KB from a data set larger than the caches: some 6 µs, a fifth of the step.
 *
 * <p>One gather is in flight at a time; {@link #submit} first awaits the previous one. The thread spins between jobs
 * for {@link #SPIN_NANOS} (a warm training loop submits one every 15–30 µs, and waking a parked thread costs about as
 * much as the copy), then parks until the next one: while the JIT is still compiling, steps take milliseconds, and a
 * longer spin would take the core from the compiler threads (2 ms made the first epoch of a batch-16 run 0.4 s
 * slower on 2 cores).
 *
 * <p><b>Shared copies.</b> A job is copied in pieces of about {@value #PIECE_FLOATS} floats (whole rows: 5 rows of 784),
 * claimed one at a time, by the thread and by {@link #await}: the awaiting thread copies every piece that the thread
 * has not claimed yet, and then waits only for the pieces in progress. So when the spare core is not running the
 * thread (the JIT's compiler threads, another process, or a virtual machine's host has it), a gather costs no more than
 * a synchronous one plus at most a piece's wait, instead of the whole copy. The claims go through one word that holds
 * the job's number (high 32 bits) and its next piece (low 32 bits), so a claim of a finished job can never succeed on
 * the next one; jobs alternate between two slots, so a thread that read a slot just before a claim that then fails
 * never acts on the other job's fields.
 *
 * <p>Submitting and awaiting allocate nothing: the slots are reused, and volatile writes hand them over (each side's
 * writes before its volatile write are visible to the other after its volatile read). The copy is {@link RowOps}' own,
 * so the rows are the same bits as a synchronous gather's, whoever copies which piece.
 */
final class RowPrefetcher implements Backend.Pending {
    /** How long the thread spins for the next job before it parks. */
    static final long SPIN_NANOS = 100_000L;
    /** How long {@link #await} spins for a piece the thread is copying before it yields the core to it. */
    static final long YIELD_AFTER_NANOS = 20_000L;
    /** Floats per claimed piece (rounded to whole rows, at least one): 16 KB, a couple of microseconds to copy. */
    static final int PIECE_FLOATS = 4096;

    /** One job's fields; written by the submitting thread only while no one can claim a piece of it. */
    private static final class Slot {
        Object src;
        Object dst;
        int[] indices;
        int offset;
        int rows;
        int cols;
        int pieceRows;
        int pieces;
        /** Pieces finished (copied or failed). */
        final AtomicInteger done = new AtomicInteger();
    }

    private final Thread thread;
    private final Slot[] slots = {new Slot(), new Slot()};
    /** Job number (high 32 bits) and its next unclaimed piece (low 32 bits); job 0 is none. */
    private final AtomicLong cursor = new AtomicLong();
    /** The number of the last job submitted (0: none yet). */
    private volatile long submitted;
    private volatile RuntimeException failure;
    private volatile boolean parked;
    private volatile boolean stopped;
    /** Tests: the most pieces the thread claims of one job (negative: no limit). */
    private final int threadPieceLimit;

    RowPrefetcher(String name) {
        this(name, true, -1);
    }

    /**
     * {@code start} false: the thread never runs, so every job is copied by {@link #await} (tests).
     * {@code threadPieceLimit}: the thread claims at most that many pieces of a job, leaving the rest to {@link #await}
     * (tests; negative: no limit).
     */
    RowPrefetcher(String name, boolean start, int threadPieceLimit) {
        this.threadPieceLimit = threadPieceLimit;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        if (start) {
            thread.start();
        }
    }

    /** Starts gathering {@code rows} rows of {@code cols} into {@code dst}; awaits the previous gather first. */
    Backend.Pending submit(Object src, int[] indices, int offset, Object dst, int rows, int cols) {
        await();
        if (stopped) {
            throw new BackendException("gatherRowsAsync: the backend is closed");
        }
        long job = submitted + 1;
        if (job > Integer.MAX_VALUE) {
            job = 2; // the cursor holds 31 bits of it; 2^31 - 1 is odd, so the slots still alternate
        }
        Slot s = slots[(int) (job & 1)];
        s.src = src;
        s.dst = dst;
        s.indices = indices;
        s.offset = offset;
        s.rows = rows;
        s.cols = cols;
        s.pieceRows = Math.max(1, PIECE_FLOATS / Math.max(1, cols));
        s.pieces = (rows + s.pieceRows - 1) / s.pieceRows;
        s.done.set(0);
        submitted = job;
        cursor.set(job << 32); // publishes the slot: claims of this job start here
        if (parked) {
            LockSupport.unpark(thread);
        }
        return this;
    }

    @Override
    public void await() {
        long job = submitted;
        if (job == 0) {
            return;
        }
        Slot s = slots[(int) (job & 1)];
        copyPieces(job, s, -1); // whatever the thread has not claimed
        long yieldAfter = 0;
        while (s.done.get() < s.pieces) {
            // A piece takes a few microseconds. Longer, and the thread copying it is likely not running, for
            // instance because the scheduler woke it on this core after an idle pause and has not yet moved it: it
            // then runs only when this thread gives the core up, which spinning does not. (Inferred from timings:
            // after 300 ms pauses, 3 of 12 batch-16 epochs took 62-64 ms instead of 43-47 before this yield, none
            // over 51 after; an ad hoc harness, 1 thread, 256 bits.)
            if (yieldAfter == 0) {
                yieldAfter = System.nanoTime() + YIELD_AFTER_NANOS;
            } else if (System.nanoTime() > yieldAfter) {
                Thread.yield();
            }
            Thread.onSpinWait();
        }
        s.src = null;
        s.dst = null;
        s.indices = null;
        RuntimeException e = failure;
        if (e != null) {
            failure = null;
            throw new BackendException("gatherRowsAsync failed: " + e, e);
        }
    }

    /**
     * Claims and copies pieces of job {@code job} (slot {@code s}) until none is left, the job has been replaced, or
     * {@code limit} pieces are done (negative: no limit).
     */
    private void copyPieces(long job, Slot s, int limit) {
        int claimedHere = 0;
        while (limit < 0 || claimedHere < limit) {
            long c = cursor.get();
            if (c >>> 32 != job) {
                return;
            }
            int piece = (int) c;
            if (piece >= s.pieces || !cursor.compareAndSet(c, c + 1)) {
                if (piece >= s.pieces) {
                    return;
                }
                continue;
            }
            // The claim succeeded on this job's word: the slot is this job's until its pieces are all done.
            claimedHere++;
            try {
                int r0 = piece * s.pieceRows;
                RowOps.copyRows(s.src, s.dst, s.indices, s.offset, s.cols, r0, Math.min(s.rows, r0 + s.pieceRows));
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                s.done.incrementAndGet();
            }
        }
    }

    /** Tests: numbers the next job {@code last + 1} (wrapping as after 2^31 - 1 jobs); call between jobs only. */
    void numberJobsAfter(long last) {
        await();
        submitted = last;
    }

    /** Whether the thread is alive (tests). */
    boolean running() {
        return thread.isAlive();
    }

    /** Stops the thread after any gather in flight. */
    void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (submitted == seen && !stopped) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (submitted == seen && !stopped) { // re-checked after announcing: no lost wake-up
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
            }
            long job = submitted;
            if (job == seen) { // stopped, nothing pending
                return;
            }
            copyPieces(job, slots[(int) (job & 1)], threadPieceLimit);
            seen = job;
        }
    }
}

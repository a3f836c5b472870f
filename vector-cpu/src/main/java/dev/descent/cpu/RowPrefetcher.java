package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendException;

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
 * slower on 2 cores). A job that the thread has not claimed when {@link #await} is called (the thread is not running:
 * the JIT's compiler threads or another process have its core) is copied by the awaiting thread itself, so a busy
 * second core costs no more than gathering without prefetch. Submitting and awaiting allocate nothing: the job's
 * fields are reused, and a volatile sequence number hands them over (each side's writes before its volatile write are
 * visible to the other after its volatile read). The copy is {@link RowOps}' own, so the rows are the same bits as a synchronous
 * gather's.
 */
final class RowPrefetcher implements Backend.Pending {
    /** How long the thread spins for the next job before it parks. */
    static final long SPIN_NANOS = 100_000L;

    private final Thread thread;
    // The job: written by the submitting thread before it publishes `submitted`, read by the copy thread after.
    private Object src;
    private Object dst;
    private int[] indices;
    private int offset;
    private int rows;
    private int cols;
    private volatile long submitted;
    /** The last job claimed, by the thread or by {@link #await}: whoever moves it to a job's number copies it. */
    private final AtomicLong claimed = new AtomicLong();
    private volatile long completed;
    private volatile RuntimeException failure;
    private volatile boolean parked;
    private volatile boolean stopped;

    RowPrefetcher(String name) {
        this(name, true);
    }

    /** {@code start} false: the thread never runs, so every job is copied by {@link #await} (tests). */
    RowPrefetcher(String name, boolean start) {
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
        this.src = src;
        this.dst = dst;
        this.indices = indices;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
        submitted = submitted + 1;
        if (parked) {
            LockSupport.unpark(thread);
        }
        return this;
    }

    @Override
    public void await() {
        long want = submitted;
        if (completed != want && claimed.compareAndSet(want - 1, want)) {
            copy(); // not started: the thread is not running, copy it here
            completed = want;
        }
        while (completed != want) {
            Thread.onSpinWait();
        }
        RuntimeException e = failure;
        if (e != null) {
            failure = null;
            throw new BackendException("gatherRowsAsync failed: " + e, e);
        }
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
        long done = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (submitted == done && !stopped) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (submitted == done && !stopped) { // re-checked after announcing: no lost wake-up
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
            }
            if (submitted == done) { // stopped, nothing pending
                return;
            }
            long job = done + 1;
            if (claimed.compareAndSet(done, job)) {
                copy();
                completed = job;
            }
            done = job;
        }
    }

    /** Runs the job (on whichever thread claimed it) and drops its references. */
    private void copy() {
        try {
            RowOps.copyRows(src, dst, indices, offset, cols, 0, rows);
        } catch (RuntimeException e) {
            failure = e;
        }
        src = null;
        dst = null;
        indices = null;
    }
}

package dev.descent.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads owned by one {@link CpuBackend}. Work is always described as a number of chunks whose
 * boundaries the caller fixes independently of the thread count; threads (the calling thread included) take chunk
 * indices from a shared counter. Each chunk writes only its own outputs (or its own slot of a partial-result array that
 * the caller then combines in chunk order), so results are bit-identical for any thread count.
 *
 * <p>One job runs at a time. A job submitted from inside a job (or from a worker thread) runs inline on the calling
 * thread, in chunk order.
 *
 * <p><b>Hand-off.</b> A training step is a few dozen kernels of tens of microseconds each, so the cost of handing a job
 * to the workers matters as much as the kernels: waking a thread blocked in {@code Object.wait} takes some 10–15 µs
 * on this kind of machine, every job. Workers therefore spin on the job word for {@link #spinNanos()} after their last
 * job (property {@code descent.cpu.spinMicros}, default {@value #DEFAULT_SPIN_MICROS}; 0 parks at once) before they
 * park, yielding the processor between checks after the first 20 µs (a spinning worker must not starve the JIT's
 * compiler threads on a small machine); a job then starts on all threads within a fraction of a microsecond. The job word is one {@link AtomicLong}
 * holding the job's generation (high 32 bits) and the next unclaimed chunk (low 32 bits): a thread claims a chunk
 * with a compare-and-set that also checks the generation, so a late worker can never run a chunk of a job that has
 * already been replaced. The caller returns once every chunk is done, not once every worker has woken up.
 *
 * <p>Memory visibility: the caller writes the task's fields, then the job word (volatile); a worker reads the job word,
 * then the fields. A worker finishes its chunk's writes before it counts the chunk done (volatile); the caller reads
 * the count before it returns.
 */
final class WorkerPool implements AutoCloseable {

    /** The work of one chunk. */
    @FunctionalInterface
    interface ChunkTask {
        void run(int chunk);
    }

    /** The work of one chunk, told which thread runs it (0 = the calling thread), e.g. to pick a scratch buffer. */
    @FunctionalInterface
    interface WorkerTask {
        void run(int chunk, int worker);
    }

    /** Default spin of an idle worker before it parks, in microseconds. */
    static final int DEFAULT_SPIN_MICROS = 200;
    /** Low half of the job word while a job is being published: no chunk can be claimed. */
    private static final int LOCKED = Integer.MAX_VALUE;
    /** How long an idle worker spins without yielding, before it spins with {@link Thread#yield()}. */
    private static final long PURE_SPIN_NANOS = 20_000;
    /** How long the caller spins on the done count before it yields the processor between checks. */
    private static final long CALLER_SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    private final long spinNanos;
    private final ReentrantLock jobLock = new ReentrantLock();
    /** Generation (high 32 bits) and next chunk (low 32 bits) of the current job. */
    private final AtomicLong job = new AtomicLong(LOCKED);
    private final AtomicInteger done = new AtomicInteger();

    // Written by the caller before the job word is published (see the class comment).
    private Object task;
    private int chunkCount;
    private int generation;

    private volatile Throwable failure;
    private volatile boolean closed;

    /**
     * @param threads total threads working on a job, the calling thread included (so {@code threads - 1} workers)
     */
    WorkerPool(int threads, String name) {
        this(threads, name, configuredSpinNanos());
    }

    WorkerPool(int threads, String name, long spinNanos) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.spinNanos = Math.max(0, spinNanos);
        this.workers = new Worker[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            Worker t = new Worker(this, name + "-worker-" + (w + 1), w + 1);
            t.setDaemon(true);
            workers[w] = t;
        }
        for (Worker t : workers) {
            t.start();
        }
    }

    private static long configuredSpinNanos() {
        String v = System.getProperty("descent.cpu.spinMicros");
        if (v == null || v.isBlank()) {
            return DEFAULT_SPIN_MICROS * 1000L;
        }
        try {
            long micros = Long.parseLong(v.trim());
            if (micros < 0) {
                throw new NumberFormatException();
            }
            return micros * 1000L;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "descent.cpu.spinMicros: expected a non-negative whole number of microseconds, got '" + v + "'");
        }
    }

    int threads() {
        return threads;
    }

    /** How long an idle worker spins before it parks, in nanoseconds. */
    long spinNanos() {
        return spinNanos;
    }

    /** Runs {@code task.run(c)} for each {@code c} in {@code [0, chunks)} on all threads; returns when all are done. */
    void forEach(int chunks, ChunkTask task) {
        run(chunks, task);
    }

    /**
     * Like {@link #forEach(int, ChunkTask)}, also passing the index of the running thread, in {@code [0, threads)}.
     * Two chunks never run at the same time with the same index.
     */
    void forEach(int chunks, WorkerTask task) {
        run(chunks, task);
    }

    private void run(int chunks, Object task) {
        if (chunks <= 0) {
            return;
        }
        if (workers.length == 0 || chunks == 1 || jobLock.isHeldByCurrentThread()
                || Thread.currentThread() instanceof Worker) {
            // Inline: in a nested job the caller's own index is the one in use, so it is kept.
            int index = Thread.currentThread() instanceof Worker w ? w.index : 0;
            for (int c = 0; c < chunks; c++) {
                runChunk(task, c, index);
            }
            return;
        }
        jobLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the CPU backend's worker pool is closed");
            }
            int gen = ++generation;
            long base = (long) gen << 32;
            // Publish: lock the word under the new generation, write the fields, open the word, wake sleepers.
            job.set(base | LOCKED);
            done.set(0);
            failure = null;
            this.task = task;
            this.chunkCount = chunks;
            job.set(base);
            for (Worker w : workers) {
                if (w.sleeping) {
                    w.sleeping = false;
                    LockSupport.unpark(w);
                }
            }
            Throwable own = null;
            try {
                work(gen, 0);
            } catch (Throwable e) {
                own = e;
            }
            awaitDone(chunks);
            this.task = null;
            Throwable theirs = failure;
            failure = null;
            Throwable t = own != null ? own : theirs;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException("worker failed", t);
            }
        } finally {
            jobLock.unlock();
        }
    }

    /** Waits until every chunk of the current job is done (the workers finish the chunks they claimed). */
    private void awaitDone(int chunks) {
        if (done.get() >= chunks) {
            return;
        }
        long start = System.nanoTime();
        while (done.get() < chunks) {
            if (System.nanoTime() - start < CALLER_SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * Claims and runs chunks of job {@code gen} until none is left (or the job word has moved on). Every claimed chunk
     * is counted done, also when it throws (the first failure is kept for the caller).
     */
    private void work(int gen, int worker) {
        Throwable first = null;
        while (true) {
            long s = job.get();
            if ((int) (s >>> 32) != gen) {
                break;
            }
            int c = (int) s;
            Object t = task;
            int n = chunkCount;
            if (c >= n || t == null) {
                break;
            }
            if (!job.compareAndSet(s, s + 1)) {
                continue;
            }
            // The CAS succeeded on an unchanged word of generation gen: t and n are that job's.
            try {
                runChunk(t, c, worker);
            } catch (Throwable e) {
                if (first == null) {
                    first = e;
                    if (failure == null) {
                        failure = e;
                    }
                }
            } finally {
                done.incrementAndGet();
            }
        }
        if (first != null && worker == 0) {
            failure = null; // the caller rethrows its own
            throwUnchecked(first);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void throwUnchecked(Throwable t) throws T {
        throw (T) t;
    }

    private static void runChunk(Object t, int chunk, int worker) {
        if (t instanceof WorkerTask wt) {
            wt.run(chunk, worker);
        } else {
            ((ChunkTask) t).run(chunk);
        }
    }

    private void workerLoop(Worker self) {
        int seen = 0;
        while (!closed) {
            long s = job.get();
            int gen = (int) (s >>> 32);
            if (gen != seen && (int) s != LOCKED) {
                seen = gen;
                work(gen, self.index);
                continue;
            }
            idle(self, seen);
        }
    }

    /** Spins until a new job is published or the spin time is over, then parks until the caller unparks it. */
    private void idle(Worker self, int seen) {
        long start = System.nanoTime();
        while (!closed) {
            long s = job.get();
            if ((int) (s >>> 32) != seen && (int) s != LOCKED) {
                return;
            }
            long idleFor = System.nanoTime() - start;
            if (idleFor < spinNanos) {
                // Pure spinning first; later yield between checks, so that a runnable thread (a JIT compiler thread
                // above all, on a machine with few cores) is not kept off the processor.
                if (idleFor < PURE_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
                continue;
            }
            // Announce, then re-check: either this thread sees the new job word, or the caller sees the flag.
            self.sleeping = true;
            s = job.get();
            if (closed || ((int) (s >>> 32) != seen && (int) s != LOCKED)) {
                self.sleeping = false;
                return;
            }
            LockSupport.park(this);
            self.sleeping = false;
            start = System.nanoTime();
        }
    }

    /** Stops the workers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** A pool thread: nested submissions from it run inline, under its own index. */
    private static final class Worker extends Thread {
        private final WorkerPool pool;
        private final int index;
        /** Set while the worker is about to park or parked; the caller clears it and unparks. */
        volatile boolean sleeping;

        private Worker(WorkerPool pool, String name, int index) {
            super(name);
            this.pool = pool;
            this.index = index;
        }

        @Override
        public void run() {
            pool.workerLoop(this);
        }
    }
}

package dev.descent.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads owned by one {@link CpuBackend}. Work is always described as a number of chunks whose
 * boundaries the caller fixes independently of the thread count; threads (the calling thread included) take chunk
 * indices from a shared counter. Each chunk writes only its own outputs (or its own slot of a partial-result array that
 * the caller then combines in chunk order), so results are bit-identical for any thread count.
 *
 * <p>One job runs at a time. A job submitted from inside a job (or from a worker thread) runs inline on the calling
 * thread, in chunk order.
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

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock jobLock = new ReentrantLock();
    private final Object monitor = new Object();
    private final AtomicInteger nextChunk = new AtomicInteger();

    // Guarded by monitor.
    private Object task;
    private int chunkCount;
    private long generation;
    private int busy;
    private Throwable failure;
    private boolean closed;

    /**
     * @param threads total threads working on a job, the calling thread included (so {@code threads - 1} workers)
     */
    WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int index = w + 1;
            Thread t = new Worker(() -> workerLoop(index), name + "-worker-" + index, index);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    int threads() {
        return threads;
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
            synchronized (monitor) {
                if (closed) {
                    throw new IllegalStateException("the CPU backend's worker pool is closed");
                }
                this.task = task;
                this.chunkCount = chunks;
                this.failure = null;
                this.nextChunk.set(0);
                this.busy = workers.length;
                this.generation++;
                monitor.notifyAll();
            }
            Throwable own = null;
            try {
                drain(task, chunks, 0);
            } catch (Throwable e) {
                own = e;
            }
            boolean interrupted = false;
            Throwable theirs;
            synchronized (monitor) {
                while (busy > 0) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                this.task = null;
                theirs = failure;
                failure = null;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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

    private void drain(Object t, int chunks, int worker) {
        for (int c = nextChunk.getAndIncrement(); c < chunks; c = nextChunk.getAndIncrement()) {
            runChunk(t, c, worker);
        }
    }

    private static void runChunk(Object t, int chunk, int worker) {
        if (t instanceof WorkerTask wt) {
            wt.run(chunk, worker);
        } else {
            ((ChunkTask) t).run(chunk);
        }
    }

    private void workerLoop(int index) {
        long seen = 0;
        while (true) {
            Object t;
            int n;
            synchronized (monitor) {
                while (!closed && generation == seen) {
                    try {
                        monitor.wait();
                    } catch (InterruptedException e) {
                        // Only close() ends a worker.
                    }
                }
                if (closed) {
                    return;
                }
                seen = generation;
                t = task;
                n = chunkCount;
            }
            try {
                drain(t, n, index);
            } catch (Throwable e) {
                synchronized (monitor) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            } finally {
                synchronized (monitor) {
                    if (--busy == 0) {
                        monitor.notifyAll();
                    }
                }
            }
        }
    }

    /** Stops the workers. Idempotent. */
    @Override
    public void close() {
        synchronized (monitor) {
            if (closed) {
                return;
            }
            closed = true;
            monitor.notifyAll();
        }
    }

    /** A pool thread: nested submissions from it run inline, under its own index. */
    private static final class Worker extends Thread {
        private final int index;

        private Worker(Runnable r, String name, int index) {
            super(r, name);
            this.index = index;
        }
    }
}

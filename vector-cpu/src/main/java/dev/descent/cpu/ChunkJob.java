package dev.descent.cpu;

/**
 * A reusable pool task of the CPU backend, created with the part that runs it. The calling thread writes the call's
 * arguments into the task's fields (holding that part's lock) and hands it to the {@link WorkerPool}, which publishes
 * the fields to its workers, so plain fields suffice and no lambda captures per-call values: a call allocates nothing.
 * {@link #clear()} drops the array references afterwards, so that no tensor's storage stays reachable.
 *
 * <p>Each concrete task's {@code run} calls exactly one kernel. A {@code run} that could reach several (a switch, or
 * one call site shared by several kernels' tasks) would be compiled as one unit with all of them inlined, past what C2
 * inlines fully, and the Vector API kernels would box their vectors (see {@link VectorKernels}).
 */
abstract class ChunkJob implements WorkerPool.ChunkTask {

    /** Drops the call's array references. */
    abstract void clear();

    /** Runs chunks {@code [0, chunks)} on the pool, then {@linkplain #clear() clears} the task. */
    final void runOn(WorkerPool pool, int chunks) {
        try {
            pool.forEach(chunks, this);
        } finally {
            clear();
        }
    }
}

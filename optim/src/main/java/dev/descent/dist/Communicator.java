package dev.descent.dist;

/**
 * Collective communication between the processes of a data-parallel run. One process: {@link #single()}. Under
 * {@code mpirun}, an MPI implementation found through {@link CommunicatorProvider}.
 *
 * <p>Buffers are host float/double arrays; every rank must call each collective in the same order with the same
 * lengths. Failures (a rank that died) surface as {@link CommunicatorException}.
 */
public interface Communicator extends AutoCloseable {
    /** This process's rank, 0-based. */
    int rank();

    /** Number of processes. */
    int size();

    /** Copies {@code root}'s {@code buf[offset .. offset+length)} to every rank. */
    void broadcast(float[] buf, int offset, int length, int root);

    /** In-place sum over all ranks of {@code buf[offset .. offset+length)}; every rank receives the result. */
    void allreduceSum(float[] buf, int offset, int length);

    /** In-place sum over all ranks, in double (metrics). */
    void allreduceSum(double[] buf, int offset, int length);

    /** Waits for every rank. */
    void barrier();

    /** Stops every rank of the job with this exit code (MPI_Abort); does not return under MPI. */
    void abort(int code);

    /** A short description: "single process" or "Open MPI 4.1.4, rank 0 of 2". */
    String description();

    /** Finalizes. Idempotent. */
    @Override
    void close();

    /** The one-process communicator: collectives are no-ops. */
    static Communicator single() {
        return SingleProcessCommunicator.INSTANCE;
    }
}

package dev.descent.dist;

/**
 * A service (META-INF/services/dev.descent.dist.CommunicatorProvider) that may create a multi-process communicator.
 * {@link Communicators#detect()} asks each provider whether the process was started by a launcher it serves.
 */
public interface CommunicatorProvider {
    /** Name, e.g. {@code mpi}. */
    String name();

    /** True when this process was started by a launcher this provider serves (e.g. OMPI_COMM_WORLD_SIZE is set). */
    boolean launchedHere();

    /** Initialises and returns the communicator. */
    Communicator create();
}

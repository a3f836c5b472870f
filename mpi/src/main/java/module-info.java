/** Data-parallel runs on Open MPI, bound through FFM. Used only through the communicator SPI. */
module dev.descent.mpi {
    requires dev.descent.optim;

    provides dev.descent.dist.CommunicatorProvider with dev.descent.mpi.MpiCommunicatorProvider;
}

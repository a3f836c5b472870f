/**
 * Communication between the processes of a data-parallel run: {@link dev.descent.dist.Communicator} (rank, size,
 * broadcast, in-place allreduce, barrier), a single-process implementation, and discovery of a launcher-provided one
 * (Open MPI, in module {@code descent-mpi}) through {@link dev.descent.dist.Communicators#detect()}.
 */
package dev.descent.dist;

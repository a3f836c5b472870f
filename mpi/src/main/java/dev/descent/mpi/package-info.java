/**
 * descent's communicator on Open MPI, hand-written: loading libmpi ({@link dev.descent.mpi.MpiLibrary}), Open MPI's
 * predefined handles ({@code OpenMpi}), the communicator and its provider, the failure guard and the
 * allreduce probe. The header class in jextract's layout, {@code mpi_h}, is in {@link dev.descent.mpi.gen}, which
 * holds nothing else.
 */
package dev.descent.mpi;

/**
 * The header class of the MPI bindings, {@code mpi_h} (libmpi of Open MPI). Nothing else belongs in this package.
 *
 * <p><b>{@code mpi_h} is written by hand</b>, in the layout jextract 22 generates, from Open MPI 4.1's {@code mpi.h}
 * as {@code mpi/jextract/descent_mpi.h} (the umbrella header) and {@code mpi/jextract/includes.txt} (the filter list)
 * select it: jextract cannot be installed on descent's build machines. Where jextract 22+ and Open MPI's headers are
 * available, {@code mpi/jextract/generate.sh} regenerates it into this package and shows the diff ({@code --replace}
 * puts the generated file in place of this one).
 *
 * <p>It differs from jextract's output in one place, marked {@code HAND-WRITTEN} in the source (and applied by
 * {@code generate.sh} to what jextract generates): {@code SYMBOL_LOOKUP} comes from
 * {@link dev.descent.mpi.MpiLibrary} ({@code dlopen} with {@code RTLD_GLOBAL}, the loader's own error text) instead of
 * jextract's lookup, with the import that needs.
 *
 * <p>What jextract cannot produce (Open MPI's predefined handles such as {@code MPI_COMM_WORLD}, addresses of exported
 * globals of incomplete type) and descent's own code are hand-written in {@link dev.descent.mpi}.
 */
package dev.descent.mpi.gen;

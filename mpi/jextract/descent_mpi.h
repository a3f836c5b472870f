/* Umbrella header for jextract: the MPI API descent binds (filtered by includes.txt). */
#include <mpi.h>

#!/usr/bin/env bash
# Generates dev.descent.mpi.gen.mpi_h from Open MPI's mpi.h with jextract (JDK 22+ builds,
# https://jdk.java.net/jextract/) and compares it with the committed mpi/src/main/java/dev/descent/mpi/gen/mpi_h.java,
# which was written by hand in jextract's layout because jextract is not installable on descent's build machines.
#
#   mpi/jextract/generate.sh            # generate into mpi/target-jextract/ and print the diff
#   mpi/jextract/generate.sh --replace  # and overwrite the hand-written file (the package holds nothing else)
#
# The filter list is includes.txt (jextract @argfile). Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...)
# are addresses of globals of incomplete type, which jextract skips: they live in the hand-written OpenMpi.java.
# One edit is applied to jextract's output, the one marked HAND-WRITTEN in the committed file: the symbol lookup comes
# from MpiLibrary (dlopen RTLD_GLOBAL with the real loader error; imported from dev.descent.mpi) instead of jextract's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=$(dirname "$here")
out="$module/target-jextract"
pkg=dev.descent.mpi.gen
handwritten="$module/src/main/java/${pkg//.//}/mpi_h.java"

command -v jextract >/dev/null || { echo "jextract not found on PATH (https://jdk.java.net/jextract/)" >&2; exit 1; }
include=${MPI_INCLUDE:-$(mpicc --showme:incdirs 2>/dev/null | cut -d' ' -f1 || true)}
include=${include:-/usr/lib/x86_64-linux-gnu/openmpi/include}
[ -f "$include/mpi.h" ] || { echo "no mpi.h in $include: install libopenmpi-dev or set MPI_INCLUDE" >&2; exit 1; }

rm -rf "$out"
jextract --output "$out" --target-package "$pkg" --header-class-name mpi_h \
    -I "$include" @"$here/includes.txt" "$here/descent_mpi.h"
generated="$out/${pkg//.//}/mpi_h.java"
perl -0pi -e 's/static final SymbolLookup SYMBOL_LOOKUP = .*?;/\/\/ HAND-WRITTEN (generate.sh): MpiLibrary opens libmpi RTLD_GLOBAL.\n    static final SymbolLookup SYMBOL_LOOKUP = MpiLibrary.lookup();/s' \
    "$generated"
perl -0pi -e "s/^(package \Q$pkg\E;\n)/\$1\n\/\/ HAND-WRITTEN (generate.sh): the loader.\nimport dev.descent.mpi.MpiLibrary;\n/m" "$generated"

if [ "${1:-}" = "--replace" ]; then
    cp "$generated" "$handwritten"
    echo "replaced $handwritten"
else
    diff -u "$generated" "$handwritten" || true
fi

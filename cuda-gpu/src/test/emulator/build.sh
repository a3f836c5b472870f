#!/usr/bin/env bash
# Test fixture: builds the host CUDA emulator (emulator.cpp + the real src/main/cuda/descent_kernels.cu) into
# OUT_DIR as one shared library, linked under the names descent's loader looks for. Maven runs it in
# process-test-classes; without g++ it prints why and exits 0 (the emulated tests then skip as "unavailable").
#   src/test/emulator/build.sh target/cuda-emulator
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
cxx="${CXX:-g++}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "cuda emulator: $cxx not found; the emulated CUDA tests will be skipped" >&2
  exit 0
fi
mkdir -p "$out"
lib="$out/libdescent_cuda_emulator.so"
# Rebuild only when a source changed.
if [ -f "$lib" ] && [ "$lib" -nt "$here/emulator.cpp" ] && [ "$lib" -nt "$here/cuda_emulator.h" ] \
    && [ "$lib" -nt "$here/../../main/cuda/descent_kernels.cu" ]; then
  exit 0
fi
# -ffp-contract=off: no fused multiply-add, as nvcc -fmad=false.
"$cxx" -std=c++17 -O2 -g -fPIC -shared -ffp-contract=off -Wall -Wno-unused-function \
  -I"$here" -o "$lib.tmp" "$here/emulator.cpp"
mv "$lib.tmp" "$lib"
for name in libcudart.so.13 libcublas.so.13 libcuda.so.1; do
  ln -sf libdescent_cuda_emulator.so "$out/$name"
done
echo "cuda emulator: built $lib"

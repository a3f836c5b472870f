#!/usr/bin/env bash
# Compiles descent's CUDA kernels (src/main/cuda/descent_kernels.cu) to the PTX resource the backend loads
# (src/main/resources/dev/descent/cuda/descent_kernels.ptx), which is committed so users need no nvcc.
#
#   cuda-gpu/build-ptx.sh              regenerate the committed resource (run after editing the .cu file)
#   cuda-gpu/build-ptx.sh out.ptx      write elsewhere (PtxMatchesSourceTest compares the two)
#
# Flags: -arch=compute_75 is the oldest virtual architecture CUDA 13 supports (the driver JIT-compiles the PTX for the
# GPU it finds: sm_80, sm_90 ...); -O3; no fast math; -fmad=false so a*b+c is a rounded multiply and a rounded add,
# as in Java and torch's scalar CPU code. NVCC (environment) overrides the compiler; else nvcc on PATH, else
# /usr/local/cuda/bin/nvcc.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda/descent_kernels.cu"
out="${1:-$here/src/main/resources/dev/descent/cuda/descent_kernels.ptx}"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
if [ ! -x "$nvcc" ]; then
  echo "build-ptx.sh: nvcc not found (set NVCC or install the CUDA toolkit)" >&2
  exit 2
fi
mkdir -p "$(dirname "$out")"
tmp="$(mktemp "$out.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
"$nvcc" -ptx -arch=compute_75 -O3 -fmad=false -o "$tmp" "$src"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT

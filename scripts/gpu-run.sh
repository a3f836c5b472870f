#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with the bundle scripts/gpu-bundle.sh made (carried as .gpu):
# unpacks the Java runtime, records the machine, runs every cuda-gpu test (the CUDA contract suite, graphs, memory,
# CPU-vs-GPU agreement, PTX checks) with the JUnit console launcher, then the short CPU-vs-GPU comparison, then (when
# the bundle has benchmarks.jar) the PyTorch comparison with CUDA: dev.descent.bench.Compare --quick --cuda on
# --peers cuda,ob1 --only W1,W2,W3,W4 with this machine's python3, into $OUT/compare. Logs go to $OUT (the device
# tool's output folder), else .gpu/out. The exit status is that of the tests and the CPU-vs-GPU comparison; the
# PyTorch comparison's exit code is logged in summary.txt.
#
#   device tool:  command "bash scripts/gpu-run.sh", carry [".gpu"]
#   arguments:    [epochs for the comparison, default 20]
#   environment:  GPU_BUNDLE_DIR (default .gpu), OUT
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="${GPU_BUNDLE_DIR:-$root/.gpu}"
out="${OUT:-$bundle/out}"
epochs="${1:-20}"
mkdir -p "$out"
log() { echo "gpu-run: $*" | tee -a "$out/summary.txt"; }

if [ ! -f "$bundle/rt.tar.gz" ]; then
  log "no bundle in $bundle: run scripts/gpu-bundle.sh first and carry .gpu"
  exit 2
fi
rt="${TMPDIR:-/tmp}/descent-rt"
if [ ! -x "$rt/rt/bin/java" ]; then
  mkdir -p "$rt" && tar xzf "$bundle/rt.tar.gz" -C "$rt"
fi
java="$rt/rt/bin/java"
flags=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m)
cp="$bundle/test-classes"
for jar in "$bundle"/lib/*.jar; do cp="$cp:$jar"; done   # the console launcher does not expand lib/*

{
  echo "== bundle"; cat "$bundle/MANIFEST.txt"
  echo "== java"; "$java" -version
  echo "== nvidia-smi"; nvidia-smi || true
  echo "== nvcc"; (command -v nvcc && nvcc --version) || ls /usr/local/cuda/bin/nvcc || true
  echo "== CUDA libraries"; ls -l /usr/local/cuda/lib64 2>/dev/null | grep -E 'cudart|cublas' || true
  python3 -c "import nvidia, os; print('pip nvidia:', os.path.dirname(nvidia.__path__[0]))" 2>/dev/null || true
  echo "== python3"; command -v python3 || true
  python3 -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda, 'available',
    torch.cuda.is_available())" 2>&1 || true
  ldconfig -p 2>/dev/null | grep -E 'libcuda\.so' || true
} > "$out/environment.txt" 2>&1

# The tests run from cuda-gpu/ so that PtxMatchesSourceTest finds build-ptx.sh and the kernel source (it compares
# the committed PTX with nvcc's output when the machine's nvcc is the release that made it).
log "tests: $(date -u +%H:%M:%S)"
(cd "$root/cuda-gpu" && "$java" "${flags[@]}" -jar "$bundle/junit-platform-console-standalone.jar" execute \
  --class-path "$cp" --scan-class-path "$bundle/test-classes" --reports-dir "$out/junit" \
  --details=tree --disable-banner --disable-ansi-colors) > "$out/tests.log" 2>&1
tests_rc=$?
grep -E "tests (successful|failed|aborted|skipped)|containers (failed|aborted)" "$out/tests.log" \
  | sed 's/^/gpu-run:   /' | tee -a "$out/summary.txt"
log "tests exit code $tests_rc (details: tests.log, junit/)"

log "comparison ($epochs epochs): $(date -u +%H:%M:%S)"
"$java" "${flags[@]}" -cp "$cp" dev.descent.cuda.CudaComparison "$epochs" > "$out/compare.log" 2>&1
compare_rc=$?
sed 's/^/gpu-run:   /' "$out/compare.log" | tail -20 | tee -a "$out/summary.txt"
log "comparison exit code $compare_rc"

# descent (CPU and CUDA) vs PyTorch (CPU, OpenBLAS 1 thread, and device="cuda") on the lecture's workloads. Its
# failure is logged, never fatal here.
if [ -f "$bundle/benchmarks.jar" ]; then
  log "PyTorch comparison (Compare --quick --cuda on): $(date -u +%H:%M:%S)"
  mkdir -p "$out/compare"
  torch_script="$bundle/torch_workloads.py"
  [ -f "$torch_script" ] || torch_script="$root/benchmarks/scripts/torch_workloads.py"
  python="$(command -v python3 || echo python3)"
  (cd "$root" && "$java" "${flags[@]}" -Xms4g -Xmx8g -cp "$bundle/benchmarks.jar" dev.descent.bench.Compare \
    --quick --cuda on --peers cuda,ob1 --only W1,W2,W3,W4 --python "$python" --script "$torch_script" \
    --out "$out/compare") > "$out/compare/compare.log" 2>&1
  torch_rc=$?
  grep -E '^\[compare\] (descent-cuda|torch-cuda|W[0-9]+)[^ ]*:? |^\[compare\]   medians|^Compare: ' \
    "$out/compare/compare.log" | sed 's/^/gpu-run:   /' | tail -30 | tee -a "$out/summary.txt"
  log "PyTorch comparison exit code $torch_rc (details: compare/compare.md, compare/compare.log)"
else
  log "no benchmarks.jar in the bundle: PyTorch comparison not run (rebuild it with scripts/gpu-bundle.sh)"
fi

[ "$tests_rc" -eq 0 ] && [ "$compare_rc" -eq 0 ]

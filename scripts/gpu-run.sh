#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with the bundle scripts/gpu-bundle.sh made (carried as .gpu):
# unpacks the Java runtime, records the machine, runs every cuda-gpu test (the CUDA contract suite, graphs, memory,
# CPU-vs-GPU agreement, PTX checks) with the JUnit console launcher, then the short CPU-vs-GPU comparison. Logs go to
# $OUT (the device tool's output folder), else .gpu/out.
#
#   device tool:  command "bash scripts/gpu-run.sh", carry [".gpu"]
#   arguments:    [epochs for the comparison, default 20]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$root/.gpu"
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

[ "$tests_rc" -eq 0 ] && [ "$compare_rc" -eq 0 ]

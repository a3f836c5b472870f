#!/usr/bin/env bash
# descent vs PyTorch on the same workloads, in one run (issue #7). Builds the benchmarks jar, then runs
# dev.descent.bench.Compare, which starts the PyTorch processes itself (benchmarks/scripts/torch_workloads.py) and
# writes results/benchmarks/compare.md and compare.csv (or --out DIR).
#
#   benchmarks/scripts/compare-pytorch.sh                 # full run (~10 minutes on 2 cores)
#   benchmarks/scripts/compare-pytorch.sh --quick         # a couple of minutes
#   benchmarks/scripts/compare-pytorch.sh --only W2,W4    # some workloads (or cases: W2-B8)
#   benchmarks/scripts/compare-pytorch.sh --profile W2-b8 # descent only; JFR of the measured runs; top frames
#   benchmarks/scripts/compare-pytorch.sh --cuda off      # CPU only (default auto: descent-cuda and torch-cuda join
#                                                         # when available, else the report says why not)
#
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), DESCENT_TARGET (build folder, default target),
# SKIP_BUILD=1 to reuse the jar, JAVA_OPTS for extra JVM options.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
target="${DESCENT_TARGET:-target}"
jar="benchmarks/$target/benchmarks.jar"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  # Not offline (-o): on a fresh machine JMH and the plugins come from Maven Central on the first build.
  ./mvnw -q "-Ddescent.target=$target" -pl benchmarks -am package -DskipTests
fi

profile=""
args=()
out="results/benchmarks"
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --out) out="$2"; args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

# AlwaysPreTouch: the heap's pages are faulted in at start-up, not during the first timed runs that allocate buffers.
# Transparent huge pages where the kernel offers them, as the descent launcher uses them (the report names the mode).
jvm=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xms4g -Xmx4g -XX:+AlwaysPreTouch
     -Xlog:disable -Xlog:all=warning:stderr)
case "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)" in
  *"[always]"*|*"[madvise]"*) jvm+=(-XX:+UseTransparentHugePages) ;;
esac
if [ -n "$profile" ]; then
  # Compare records only the measured rounds (after the warm-up) of each case: <out>/profile-X/jfr-<case>.jfr
  pdir="$out/profile-$profile"
  rm -f "$pdir"/jfr-*.jfr
  args+=(--only "$profile" --peers none --no-probe --out "$pdir" --jfr "$pdir/jfr")
fi
echo "[compare-pytorch] uptime: $(uptime)" >&2
"$JAVA_HOME/bin/java" "${jvm[@]}" ${JAVA_OPTS:-} -cp "$jar" dev.descent.bench.Compare "${args[@]}"
echo "[compare-pytorch] uptime: $(uptime)" >&2
if [ -n "$profile" ]; then
  for f in "$pdir"/jfr-*.jfr; do
    "$JAVA_HOME/bin/java" -cp "$jar" dev.descent.bench.JfrTop "$f" 25 | tee "${f%.jfr}.txt"
  done
fi

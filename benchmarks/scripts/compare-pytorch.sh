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
#   benchmarks/scripts/compare-pytorch.sh --one-jvm       # every case in one JVM, at one vector width
#
# Each group of cases whose workload the CPU backend's width plan tells apart (W1; W2 below 512 rows; W2 from 512;
# W3; W4; W5) runs in a JVM of its own that says which workload it runs (-Ddescent.workload, as `descent train` does),
# so that every case runs at the vector width the plan chose for it, as a user's run would. The groups' reports go to
# <out>/<group>/ and are put together in <out>/compare.md and compare.csv. --one-jvm runs every case in one JVM at
# the plan's overall width instead (what this script did before).
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
only=""
one_jvm=0
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --one-jvm) one_jvm=1; shift ;;
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
compare() {  # compare OUT_DIR ONLY WORKLOAD_HINT [more Compare arguments]
  local dir="$1" sel="$2" hint="$3"
  shift 3
  local extra=()
  [ -n "$hint" ] && extra+=("-Ddescent.workload=$hint")
  [ -n "$sel" ] && set -- --only "$sel" "$@"
  "$JAVA_HOME/bin/java" "${jvm[@]}" ${extra[@]+"${extra[@]}"} ${JAVA_OPTS:-} -cp "$jar" dev.descent.bench.Compare \
    --out "$dir" ${args[@]+"${args[@]}"} "$@"
}

# The cases of a group that --only selects (all of them without --only), comma-separated; empty when none.
selected() {  # selected WORKLOAD CASE...
  local w="$1" c picked=() o
  shift
  local wanted=",$(printf '%s' "$only" | tr '[:lower:]' '[:upper:]' | tr -d ' '),"
  for c in "$@"; do
    if [ -z "$only" ] || [[ "$wanted" == *",$w,"* ]] || [[ "$wanted" == *",$c,"* ]]; then
      picked+=("$c")
    fi
  done
  o="${picked[*]}"
  printf '%s' "${o// /,}"
}

echo "[compare-pytorch] uptime: $(uptime)" >&2
if [ -n "$profile" ]; then
  # Compare records only the measured rounds (after the warm-up) of each case: <out>/profile-X/jfr-<case>.jfr
  pdir="$out/profile-$profile"
  rm -f "$pdir"/jfr-*.jfr
  compare "$pdir" "$profile" "" --peers none --no-probe --jfr "$pdir/jfr"
elif [ "$one_jvm" = 1 ]; then
  compare "$out" "$only" ""
else
  # group | cases | the workload the JVM announces (the CPU backend's plan picks its width for it)
  groups=(
    "W1|W1-SGD W1-MOMENTUM W1-ADAM|model=softmax,classes=24,batch=0"
    "W2-small|W2-B8 W2-B16 W2-B64|model=softmax,classes=24,batch=16"
    "W2-large|W2-B1024 W2-B4096|model=softmax,classes=24,batch=1024"
    "W3|W3|model=softmax,classes=10,batch=16"
    "W4|W4|"
    "W5|W5|model=mlp,classes=10,batch=64"
  )
  ran=()
  for g in "${groups[@]}"; do
    IFS='|' read -r name cases hint <<< "$g"
    # shellcheck disable=SC2086 # the cases are words
    sel="$(selected "${name%%-*}" $cases)"
    [ -z "$sel" ] && continue
    echo "[compare-pytorch] $name: $sel in a JVM of its own${hint:+ (-Ddescent.workload=$hint)}" >&2
    compare "$out/$name" "$sel" "$hint"
    ran+=("$name")
  done
  if [ ${#ran[@]} -eq 0 ]; then
    echo "compare-pytorch.sh: --only $only selects no case (workloads W1..W5, or cases such as W2-b8)" >&2
    exit 2
  fi
  {
    echo "# descent vs PyTorch: each group of cases in a JVM of its own, at the vector width its plan chose"
    echo
    for name in "${ran[@]}"; do
      echo "<!-- $name: $out/$name/compare.md -->"
      cat "$out/$name/compare.md"
      echo
    done
  } > "$out/compare.md.tmp" && mv "$out/compare.md.tmp" "$out/compare.md"
  first=1
  for name in "${ran[@]}"; do
    if [ "$first" = 1 ]; then cat "$out/$name/compare.csv"; first=0; else tail -n +2 "$out/$name/compare.csv"; fi
  done > "$out/compare.csv.tmp" && mv "$out/compare.csv.tmp" "$out/compare.csv"
  echo "[compare-pytorch] put together: $out/compare.md and $out/compare.csv" >&2
fi
echo "[compare-pytorch] uptime: $(uptime)" >&2
if [ -n "$profile" ]; then
  for f in "$pdir"/jfr-*.jfr; do
    "$JAVA_HOME/bin/java" -cp "$jar" dev.descent.bench.JfrTop "$f" 25 | tee "${f%.jfr}.txt"
  done
fi

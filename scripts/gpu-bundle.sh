#!/usr/bin/env bash
# Assembles .gpu/ (git-ignored): everything the GPU machine needs to run descent's CUDA tests and the CPU-vs-GPU
# comparison without a JDK, Maven or network there (see shared GPU.md):
#   .gpu/rt.tar.gz            a jlinked Java 25 runtime (flags --add-modules=jdk.incubator.vector and
#                             --enable-native-access=ALL-UNNAMED baked in)
#   .gpu/lib/*.jar            descent's module jars (optim and its test-jar, native-bindings, cuda-gpu, vector-cpu)
#                             and their dependencies (JUnit ...)
#   .gpu/junit-platform-console-standalone.jar
#   .gpu/test-classes/        cuda-gpu's compiled tests (and CudaComparison)
#   .gpu/benchmarks.jar       the shaded benchmarks jar (dev.descent.bench.Compare: descent vs PyTorch, CUDA included)
#   .gpu/torch_workloads.py   the PyTorch side of that comparison
#   .gpu/MANIFEST.txt         what was bundled, from which commit
# Then, with the device tool: run scripts/gpu-run.sh with carry [".gpu"]. The device tool carries at most 64 MiB: the
# script fails (leaving any previous .gpu in place) when the bundle would be larger. Fashion-MNIST (~30 MiB) does not
# fit beside the runtime, so the comparison's W3 runs on the GPU machine only where the data set is installed.
#
#   scripts/gpu-bundle.sh             (DESCENT_TARGET=target-gpu by default; MVN_OFFLINE=1 adds -o;
#                                      GPU_BUNDLE_DIR=/elsewhere builds the bundle there instead of .gpu)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
target="${DESCENT_TARGET:-target-gpu}"
junit_platform="${JUNIT_PLATFORM_VERSION:-1.14.1}"   # the platform release that goes with junit-jupiter 5.14.1
bundle="${GPU_BUNDLE_DIR:-$root/.gpu}"
offline=()
[ "${MVN_OFFLINE:-0}" = 1 ] && offline=(-o)

grep -qx '/.gpu/' .gitignore 2>/dev/null || grep -qx '/.gpu/' .git/info/exclude 2>/dev/null \
  || echo "gpu-bundle: warning: .gpu/ is not git-ignored (add /.gpu/ to .gitignore or .git/info/exclude)" >&2

rm -rf "$bundle.tmp"
mkdir -p "$bundle.tmp/lib"

echo "gpu-bundle: building jars and test classes (-Ddescent.target=$target)"
./mvnw -q "${offline[@]}" -Ddescent.target="$target" -pl cuda-gpu -am -DskipTests package \
  dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$bundle.tmp/lib"
cp cuda-gpu/"$target"/descent-cuda-gpu-*.jar "$bundle.tmp/lib/"
cp -r cuda-gpu/"$target"/test-classes "$bundle.tmp/test-classes"

echo "gpu-bundle: benchmarks jar (the PyTorch comparison)"
./mvnw -q "${offline[@]}" -Ddescent.target="$target" -pl benchmarks -am -DskipTests package
cp benchmarks/"$target"/benchmarks.jar "$bundle.tmp/benchmarks.jar"
cp benchmarks/scripts/torch_workloads.py "$bundle.tmp/torch_workloads.py"

echo "gpu-bundle: JUnit console launcher $junit_platform"
./mvnw -q "${offline[@]}" dependency:copy \
  -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
  -DoutputDirectory="$bundle.tmp" -Dmdep.stripVersion=true -N

echo "gpu-bundle: jlinked runtime"
"$JAVA_HOME/bin/jlink" \
  --add-modules java.base,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,java.xml \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
  --add-options="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED" \
  --output "$bundle.tmp/rt"
tar czf "$bundle.tmp/rt.tar.gz" -C "$bundle.tmp" rt
rm -rf "$bundle.tmp/rt"

{
  echo "descent GPU bundle, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  (cd "$bundle.tmp" && find . -type f | sort | xargs ls -l | awk '{print $5, $9}')
} > "$bundle.tmp/MANIFEST.txt"

size_kib=$(du -sk "$bundle.tmp" | cut -f1)
size=$(( (size_kib + 1023) / 1024 ))
if [ "$size_kib" -ge $(( 64 * 1024 )) ]; then
  rm -rf "$bundle.tmp"
  echo "gpu-bundle: error: the bundle would be ${size} MiB, over the device tool's 64 MiB carry limit" >&2
  exit 1
fi
rm -rf "$bundle"
mv "$bundle.tmp" "$bundle"
echo "gpu-bundle: $bundle ready (${size} MiB; the device tool carries at most 64 MiB)"
if [ "$size" -gt 60 ]; then
  echo "gpu-bundle: warning: the bundle is close to the 64 MiB carry limit" >&2
fi

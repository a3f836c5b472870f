#!/usr/bin/env bash
# Data-parallel training on Open MPI, measured (issue #8): the gradient allreduce per step for the lecture's model
# and the MLP, and how 2 ranks scale against 1 on this machine for large batches.
#
#   benchmarks/scripts/mpi-scaling.sh                    # everything (5.5-8 minutes on 2 cores at load 4-8)
#   benchmarks/scripts/mpi-scaling.sh --quick            # 1 repeat, fewer epochs and probe steps (~3-4 minutes)
#   benchmarks/scripts/mpi-scaling.sh --only mlp-b1024   # some workloads (comma-separated names, see below)
#   benchmarks/scripts/mpi-scaling.sh --out DIR          # output folder (or MPI_SCALING_OUT=DIR)
#   benchmarks/scripts/mpi-scaling.sh --tables-only      # the tables again from DIR/runs (e.g. with another --warmup)
#
# benchmarks/MPI.md explains what is measured and shows a run.
#
# 1. dev.descent.mpi.AllreduceProbe under `mpirun -np 2` (loopback and shared memory only, the flags of the mpi
#    module's job tests) for the parameter counts of the workloads: median µs per allreduce of one step's gradients.
# 2. The same `./descent train` run with 1 process and with `mpirun -np 2` (--threads 1 per rank, same global
#    batch), --repeat times each, interleaved: per-epoch seconds from metrics.csv (the first --warmup epochs of each
#    run skipped, median of the rest of all repeats), speedup t1/t2 and efficiency t1/(2·t2); the train losses of 1
#    and 2 ranks, which must agree (relative: epoch 1 within 1e-5, the last epoch within 1e-3).
# 3. DIR/mpi-scaling.md and mpi-scaling.csv (the scaling table), DIR/mpi-allreduce.csv (the probe), DIR/runs/<run>/
#    (each run's metrics.csv, summary.json, run.json, log) and DIR/allreduce-probe.txt; prints the tables.
#
# Variants (--variants, default all three):
#   np1        one process, no launcher: ./descent train ... --threads 1
#   np2        mpirun -np 2 with Open MPI's defaults: a rank waiting in a collective busy-polls its core
#   np2-yield  the same with --mca mpi_yield_when_idle 1: a waiting rank yields its core (Open MPI turns this on by
#              itself only when there are more ranks than slots); matters when other processes share the cores
#
# Workloads (--only): lecture-fb     softmax regression 784×24 (the lecture's model, no bias), full batch, on
#                                    synthetic data of Sign Language MNIST's shape (27,455 × 784 pixels, 24 classes)
#                     lecture-b4096  the same at batch 4096 (7 steps per epoch)
#                     fashion-fb     softmax regression 784×10 on Fashion-MNIST (60,000 rows), full batch
#                     mlp-b1024      MLP 784-256-10 on Fashion-MNIST (pixels /255), batch 1024 (59 steps per epoch)
#
# Options: --epochs N (softmax workloads, default 20), --mlp-epochs N (default 6), --warmup N (epochs per run not
# timed, default 1), --repeat N (default 2), --steps N / --probe-warmup N (AllreduceProbe, default 400 / 100),
# --timeout S (per run, default 300). Each run (DIR/runs is replaced) keeps metrics.csv, summary.json, run.json, log.
# Environment: MPI_SCALING_OUT (output folder, default results/benchmarks/mpi), JAVA_HOME (a JDK 25; else found in
# /usr/lib/jvm), MPIRUN (default mpirun), MPIRUN_ARGS (replaces the loopback flags below), DESCENT_JAVA_OPTS (extra
# JVM options for the training runs), SKIP_BUILD=1 (do not let ./descent rebuild the CLI first). The CLI is built
# (if stale) once at the start; every timed run uses DESCENT_NO_BUILD=1 so that no run rebuilds in the middle.
# Exit status: 0 done, 1 a run failed or the losses of 1 and 2 ranks differ, 2 bad options or missing tools.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

out="${MPI_SCALING_OUT:-results/benchmarks/mpi}"
epochs=20
mlp_epochs=6
repeat=2
warmup=1
steps=400
probe_warmup=100
run_timeout=300
only=""
variants_opt="np1,np2,np2-yield"
tables_only=0
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "mpi-scaling: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
        --out) need "$@"; out="$2"; shift 2 ;;
        --epochs) need "$@"; epochs="$2"; shift 2 ;;
        --mlp-epochs) need "$@"; mlp_epochs="$2"; shift 2 ;;
        --warmup) need "$@"; warmup="$2"; shift 2 ;;
        --steps) need "$@"; steps="$2"; shift 2 ;;
        --probe-warmup) need "$@"; probe_warmup="$2"; shift 2 ;;
        --timeout) need "$@"; run_timeout="$2"; shift 2 ;;
        --only) need "$@"; only="$2"; shift 2 ;;
        --variants) need "$@"; variants_opt="$2"; shift 2 ;;
        --tables-only) tables_only=1; shift ;;
        --repeat) need "$@"; repeat="$2"; shift 2 ;;
        --quick) epochs=12; mlp_epochs=4; repeat=1; steps=200; probe_warmup=50; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "mpi-scaling: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
for v in epochs mlp_epochs warmup repeat steps probe_warmup run_timeout; do
    case "${!v}" in ''|*[!0-9]*) echo "mpi-scaling: --${v//_/-} must be a whole number, got '${!v}'" >&2; exit 2 ;; esac
done
if [ "$epochs" -le "$warmup" ] || [ "$mlp_epochs" -le "$warmup" ]; then
    echo "mpi-scaling: --epochs ($epochs) and --mlp-epochs ($mlp_epochs) must exceed --warmup ($warmup)" >&2
    exit 2
fi
[ "$repeat" -ge 1 ] || { echo "mpi-scaling: --repeat must be at least 1" >&2; exit 2; }

# ------------------------------------------------------------------ tools
mpirun_bin="${MPIRUN:-mpirun}"
command -v "$mpirun_bin" >/dev/null 2>&1 || {
    echo "mpi-scaling: $mpirun_bin not found; install Open MPI (apt install openmpi-bin libopenmpi-dev)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "mpi-scaling: python3 (with numpy) is needed" >&2; exit 2; }
# The mpi module's job tests (MpiJobs.java): this machine only, shared memory between ranks without the kernel's
# cross-process copy (containers often forbid it), loopback for mpirun's own channel.
if [ -n "${MPIRUN_ARGS:-}" ]; then
    read -r -a mpi_flags <<< "$MPIRUN_ARGS"
else
    mpi_flags=(--bind-to none --mca btl self,vader --mca btl_vader_single_copy_mechanism none
               --mca oob_tcp_if_include lo)
fi
mpirun2=("$mpirun_bin" --allow-run-as-root --oversubscribe -np 2 "${mpi_flags[@]}")

jdk=""
for d in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25*; do
    if [ -n "$d" ] && [ -x "$d/bin/java" ] \
        && "$d/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
        jdk="$d"; break
    fi
done
[ -n "$jdk" ] || { echo "mpi-scaling: no JDK 25 found (set JAVA_HOME)" >&2; exit 2; }
export JAVA_HOME="$jdk"

all_workloads="lecture-fb lecture-b4096 fashion-fb mlp-b1024"
workloads=""
for w in ${only//,/ }; do
    case " $all_workloads " in *" $w "*) workloads="$workloads $w" ;;
        *) echo "mpi-scaling: unknown workload '$w' (known: $all_workloads)" >&2; exit 2 ;; esac
done
[ -n "$workloads" ] || workloads="$all_workloads"
variants=""
for v in ${variants_opt//,/ }; do
    case "$v" in np1|np2|np2-yield) variants="$variants $v" ;;
        *) echo "mpi-scaling: unknown variant '$v' (known: np1 np2 np2-yield)" >&2; exit 2 ;; esac
done
case " $variants " in *" np1 "*) ;;
    *) echo "mpi-scaling: --variants must include np1 (the baseline)" >&2; exit 2 ;; esac
case "$variants" in *np2*) ;; *) echo "mpi-scaling: --variants needs np2 or np2-yield" >&2; exit 2 ;; esac
# Extra mpirun flags of a variant.
variant_flags() { [ "$1" = np2-yield ] && echo "--mca mpi_yield_when_idle 1" || true; }

log() { printf '[mpi-scaling] %s\n' "$*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
runs="$out/runs"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/mpi-scaling.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [ "$tables_only" = 1 ]; then
    for f in "$runs/env.txt" "$runs/index.txt" "$out/allreduce-probe.txt"; do
        [ -f "$f" ] || { echo "mpi-scaling: --tables-only needs $f from an earlier run" >&2; exit 2; }
    done
    cp "$runs/env.txt" "$tmp/env.txt"
    cp "$runs/index.txt" "$tmp/runs.txt"
    cp "$out/allreduce-probe.txt" "$tmp/probe.txt"
else
rm -rf "$runs"      # this script's own run folders from an earlier invocation
mkdir -p "$runs"

# ------------------------------------------------------------------ environment
{
    echo "date: $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
    echo "nproc: $(nproc)"
    echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "uptime_start: $(uptime)"
    echo "mpi: $("$mpirun_bin" --version 2>&1 | head -1)"
    echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
    echo "mpirun: ${mpirun2[*]}"
    echo "epochs: $epochs (softmax), $mlp_epochs (mlp) per run; warmup epochs skipped per run: $warmup;" \
        "repeats: $repeat"
    echo "probe: --steps $steps --warmup $probe_warmup"
} > "$tmp/env.txt"
log "nproc $(nproc); $(uptime)"

# ------------------------------------------------------------------ build the CLI once
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the CLI if stale (./descent --version) ..."
    ./descent --version >/dev/null
fi
export DESCENT_NO_BUILD=1
[ -f cli/target/classpath.txt ] && [ -f cli/target/descent-cli.jar ] || {
    echo "mpi-scaling: cli/target is not built; run ./descent --version first" >&2; exit 1; }
# the CPU backend as the runs see it: vector width, threads, CPU model and vector ISA
echo "cpu_backend: $(DESCENT_NO_BUILD=1 ./descent backends 2>/dev/null | sed -n 's/^cpu  *available  *ok: //p')" \
    >> "$tmp/env.txt"
classpath="$(cat cli/target/classpath.txt)"

# ------------------------------------------------------------------ synthetic data of the lecture's shape
needs_synthetic=0
case "$workloads" in *lecture*) needs_synthetic=1 ;; esac
synthetic="$tmp/sign-synthetic/train-images-idx3-ubyte"
if [ "$needs_synthetic" = 1 ]; then
    log "writing synthetic Sign-Language-MNIST-shaped data (27,455 × 784, 24 classes) ..."
    python3 - "$tmp/sign-synthetic" <<'PY'
import os, struct, sys
import numpy as np
# Each class has a random prototype image; a row is its class's prototype plus uniform noise in [-64, 64], clamped
# to 0..255 (the shape and recipe of benchmarks' SyntheticSignData). Fixed seed: the same bytes every run.
rows, side, classes = 27455, 28, 24
rng = np.random.default_rng(0)
proto = rng.integers(0, 256, size=(classes, side * side), dtype=np.int16)
labels = rng.integers(0, classes, size=rows, dtype=np.int16)
pixels = np.clip(proto[labels] + rng.integers(-64, 65, size=(rows, side * side), dtype=np.int16), 0, 255)
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:
    f.write(struct.pack(">IIII", 0x803, rows, side, side))
    f.write(pixels.astype(np.uint8).tobytes())
with open(os.path.join(d, "train-labels-idx1-ubyte"), "wb") as f:
    f.write(struct.pack(">II", 0x801, rows))
    f.write(labels.astype(np.uint8).tobytes())
PY
fi

# workload -> "description|data|rows|batch (0 = full)|parameters|epochs|train options"
spec() {
    local softmax="--model softmax --optimizer adam --lr 1e-5"
    local lecture="softmax 784×24 (lecture), synthetic 27,455 rows"
    local fashion="Fashion-MNIST 60,000 rows"
    case "$1" in
        lecture-fb) echo "$lecture, full batch|$synthetic|27455|0|18816|$epochs|$softmax --full-batch" ;;
        lecture-b4096) echo "$lecture, batch 4096|$synthetic|27455|4096|18816|$epochs|$softmax --batch-size 4096" ;;
        fashion-fb) echo "softmax 784×10, $fashion, full batch|fashion-mnist|60000|0|7840|$epochs|$softmax"\
            "--full-batch" ;;
        mlp-b1024) echo "MLP 784-256-10, $fashion, batch 1024|fashion-mnist|60000|1024|203530|$mlp_epochs|--model mlp"\
            "--hidden 256 --scale unit --batch-size 1024 --optimizer adam --lr 1e-3" ;;
    esac
}

# ------------------------------------------------------------------ 1. allreduce probe
counts=""
for w in $workloads; do
    IFS='|' read -r _ _ _ _ params _ _ <<< "$(spec "$w")"
    case " $counts " in *" $params "*) ;; *) counts="$counts $params" ;; esac
done
# The lecture's model with a bias (784×24 + 24) too, for reference.
case "$workloads" in *lecture*) counts="$counts 18840" ;; esac
# Ascending; the first count is measured twice and its first pass dropped (the JIT is still compiling the copy path
# during the first count's steps, which shows as a few µs more).
# shellcheck disable=SC2086
counts="$(printf '%s\n' $counts | sort -n | tr '\n' ' ')"
counts="${counts%% *} $counts"
: > "$tmp/probe.txt"
for v in $variants; do
    [ "$v" = np1 ] && continue
    # shellcheck disable=SC2206
    launcher=("${mpirun2[@]}" $(variant_flags "$v"))
    log "AllreduceProbe, $v, counts:$counts (load $(load1)): ${launcher[*]}"
    # shellcheck disable=SC2086
    if ! timeout "$run_timeout" "${launcher[@]}" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m \
            -XX:+UseSerialGC -cp "$classpath" dev.descent.mpi.AllreduceProbe --steps "$steps" \
            --warmup "$probe_warmup" $counts > "$tmp/probe-$v.txt" 2>&1; then
        cat "$tmp/probe-$v.txt" >&2
        echo "mpi-scaling: AllreduceProbe failed ($v)" >&2
        exit 1
    fi
    cat "$tmp/probe-$v.txt" >&2
    { echo "== $v: ${launcher[*]}"; cat "$tmp/probe-$v.txt"; } >> "$tmp/probe.txt"
done
cp "$tmp/probe.txt" "$out/.allreduce-probe.txt.tmp" && mv -f "$out/.allreduce-probe.txt.tmp" "$out/allreduce-probe.txt"

# ------------------------------------------------------------------ 2. training runs: 1 process, 2 ranks
: > "$tmp/runs.txt"
for r in $(seq 1 "$repeat"); do
for w in $workloads; do
    IFS='|' read -r desc data rows batch params n opts <<< "$(spec "$w")"
    for v in $variants; do
        name="$w-$v-r$r"
        dir="$runs/$name"
        rm -rf "$dir"
        mkdir -p "$dir"
        # shellcheck disable=SC2206
        cmd=(./descent train --data "$data" --epochs "$n" --threads 1 --seed 0 $opts --out "$dir" -q)
        if [ "$v" != np1 ]; then
            # shellcheck disable=SC2206
            cmd=("${mpirun2[@]}" $(variant_flags "$v") "${cmd[@]}")
        fi
        l="$(load1)"
        log "repeat $r/$repeat: $w, $v, $n epochs (load $l): ${cmd[*]}"
        t0=$(date +%s.%N)
        if ! timeout "$run_timeout" "${cmd[@]}" > "$dir/log.txt" 2>&1; then
            cat "$dir/log.txt" >&2
            echo "mpi-scaling: run $w ($v) failed (log: $dir/log.txt)" >&2
            exit 1
        fi
        t1=$(date +%s.%N)
        [ -f "$dir/metrics.csv" ] || { echo "mpi-scaling: $dir/metrics.csv missing" >&2; exit 1; }
        rm -rf "$dir/model.npz" "$dir/loss.png" "$dir/checkpoints"   # keep metrics, summary, options, log
        printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$w" "$v" "$r" "$desc" "$rows" "$batch" "$params" "$n" "$l" \
            "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "runs/$name/metrics.csv" >> "$tmp/runs.txt"
    done
done
done
echo "uptime_end: $(uptime)" >> "$tmp/env.txt"
log "done; $(uptime)"
# What the tables are made from (--tables-only makes them again from these).
cp "$tmp/env.txt" "$runs/env.txt"
cp "$tmp/runs.txt" "$runs/index.txt"
fi

# ------------------------------------------------------------------ 3. tables
python3 - "$tmp/env.txt" "$tmp/probe.txt" "$tmp/runs.txt" "$out" "$warmup" <<'PY'
import csv, io, math, os, re, statistics, sys

env_file, probe_file, runs_file, out, warmup = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
env = dict(line.rstrip("\n").split(": ", 1) for line in open(env_file) if ": " in line)


def write(name, text):  # temp file + rename: never a half-written result
    tmp = os.path.join(out, "." + name + ".tmp")
    with open(tmp, "w", newline="") as f:
        f.write(text)
    os.replace(tmp, os.path.join(out, name))


# AllreduceProbe rows per variant: floats bytes | heap p90 x | off p90 x | crit p90 x | copy
probe = {}
pat = re.compile(r"^\s*(\d+)\s+(\d+)\s+\|\s+([\d.]+)\s+p90\s+([\d.]+)\s+\|\s+([\d.]+)\s+p90\s+([\d.]+)\s+\|"
                 r"\s+([\d.]+)\s+p90\s+([\d.]+)\s+\|\s+([\d.]+)\s*$")
variant = None
for line in open(probe_file):
    if line.startswith("== "):
        variant = line[3:].split(":", 1)[0]
        continue
    m = pat.match(line)
    if m:
        v = [float(x) for x in m.groups()]
        probe[(variant, int(v[0]))] = dict(heap=v[2], heap_p90=v[3], off=v[4], crit=v[6], copy=v[8])
what = {7840: "softmax 784×10 (Fashion-MNIST, no bias)", 18816: "softmax 784×24 (the lecture's, no bias)",
        18840: "softmax 784×24 + bias 24", 203530: "MLP 784-256-10"}
ranks_of = {"np1": 1, "np2": 2, "np2-yield": 2}

runs = {}
order = []
for line in open(runs_file):
    w, v, rep, desc, rows, batch, params, n, load, wall, metrics = line.rstrip("\n").split("|")
    with open(os.path.join(out, metrics)) as f:
        rec = list(csv.DictReader(f))
    secs = [float(r["seconds"]) for r in rec]
    runs.setdefault(w, {}).setdefault(v, []).append(dict(
        desc=desc, rows=int(rows), batch=int(batch), params=int(params), epochs=len(secs), load=float(load),
        wall=float(wall), timed=secs[warmup:], median=statistics.median(secs[warmup:]),
        loss1=float(rec[0]["train_loss"]), loss=float(rec[-1]["train_loss"])))
    if w not in order:
        order.append(w)

# Losses of 1 and 2 ranks: the same global batches, so they differ only by float rounding (the sum over ranks adds
# the shard gradients in another order). Softmax regression is convex and stays within ~1e-7; in the MLP the
# rounding differences grow from step to step (ReLU kinks, Adam's normalisation of near-zero gradients), so the
# first epoch is held to 1e-5 and the last to 1e-3.
TOL_FIRST, TOL_LAST = 1e-5, 1e-3
rows_out = []
loss_lines = []
ok = True
for w in order:
    base = runs[w]["np1"]
    b0 = base[0]
    t1 = statistics.median([t for r in base for t in r["timed"]])
    best1 = min(r["median"] for r in base)
    steps = 1 if b0["batch"] == 0 else math.ceil(b0["rows"] / b0["batch"])
    for v, rs in runs[w].items():
        ranks = ranks_of[v]
        timed = [t for r in rs for t in r["timed"]]
        med = statistics.median(timed)
        speed = t1 / med
        best = min(r["median"] for r in rs)
        ar = probe.get((v, b0["params"]), {}).get("heap") if ranks > 1 else None
        share = ar * steps / (med * 1e6) if ar is not None else None
        rows_out.append(dict(workload=w, description=b0["desc"], variant=v, ranks=ranks, threads_per_rank=1,
                             parameters=b0["params"], global_batch=b0["rows"] if b0["batch"] == 0 else b0["batch"],
                             steps_per_epoch=steps, runs=len(rs), epochs_per_run=b0["epochs"],
                             timed_epochs=len(timed), median_epoch_s=med,
                             run_medians_s=" ".join(f"{r['median']:.4f}" for r in rs),
                             step_ms=med / steps * 1e3, speedup=speed, efficiency=speed / ranks,
                             best_run_epoch_s=best, best_run_speedup=best1 / best,
                             best_run_efficiency=best1 / best / ranks,
                             allreduce_us_per_step=ar, allreduce_share=share, first_epoch_loss=rs[0]["loss1"],
                             final_train_loss=rs[0]["loss"],
                             load1_before=" ".join(f"{r['load']:.2f}" for r in rs),
                             run_wall_s=" ".join(f"{r['wall']:.1f}" for r in rs)))
        for i, r in enumerate(rs):
            if ranks == 1 and i == 0:
                continue
            rel1 = abs(b0["loss1"] - r["loss1"]) / max(abs(b0["loss1"]), 1e-30)
            rel = abs(b0["loss"] - r["loss"]) / max(abs(b0["loss"]), 1e-30)
            agree = rel1 <= TOL_FIRST and rel <= TOL_LAST
            ok &= agree
            loss_lines.append(
                f"{w}: {v} run {i + 1} vs np1 run 1: epoch 1 {r['loss1']!r} vs {b0['loss1']!r} (relative "
                f"{rel1:.1e}); final (epoch {r['epochs']}) {r['loss']!r} vs {b0['loss']!r} (relative {rel:.1e}): "
                f"{'agree' if agree else 'DIFFER'}")

buf = io.StringIO()
wr = csv.DictWriter(buf, fieldnames=list(rows_out[0].keys()), lineterminator="\n")
wr.writeheader()
for r in rows_out:
    wr.writerow({k: ("" if x is None else (f"{x:.6g}" if isinstance(x, float) else x)) for k, x in r.items()})
write("mpi-scaling.csv", buf.getvalue())

buf = io.StringIO()
wr = csv.writer(buf, lineterminator="\n")
wr.writerow(["variant", "floats", "what", "heap_us", "heap_p90_us", "offheap_us", "critical_us", "copy_us"])
for (v, n), p in sorted(probe.items()):
    wr.writerow([v, n, what.get(n, ""), p["heap"], p["heap_p90"], p["off"], p["crit"], p["copy"]])
write("mpi-allreduce.csv", buf.getvalue())

scaling = ["| workload | variant | ranks | median epoch s | each run's median s | ms/step | speedup | efficiency "
           "| best run: speedup (efficiency) | allreduce µs/step | allreduce share | final train loss "
           "| load (1 min) before each run |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows_out:
    ar = "–" if r["allreduce_us_per_step"] is None else f"{r['allreduce_us_per_step']:.1f}"
    share = "–" if r["allreduce_share"] is None else f"{r['allreduce_share'] * 100:.2f} %"
    scaling.append(f"| {r['workload']}: {r['description']} | {r['variant']} | {r['ranks']} | "
                   f"{r['median_epoch_s']:.4f} | {r['run_medians_s']} | {r['step_ms']:.2f} | {r['speedup']:.2f} | "
                   f"{r['efficiency'] * 100:.0f} % | "
                   f"{r['best_run_speedup']:.2f} ({r['best_run_efficiency'] * 100:.0f} %) | "
                   f"{ar} | {share} | {r['final_train_loss']:.6f} | "
                   f"{r['load1_before']} |")
allreduce = ["| variant | floats | what | heap, copy in/out (what training uses) µs | p90 µs | off-heap µs "
             "| critical heap µs | copy alone µs |", "|---|---:|---|---:|---:|---:|---:|---:|"]
for (v, n), p in sorted(probe.items()):
    allreduce.append(f"| {v} | {n:,} | {what.get(n, '')} | {p['heap']:.1f} | {p['heap_p90']:.1f} | {p['off']:.1f} | "
                     f"{p['crit']:.1f} | {p['copy']:.1f} |")

md = ["# MPI scaling: 2 ranks against 1 (benchmarks/scripts/mpi-scaling.sh)", "",
      f"- date: {env.get('date')}; nproc: {env.get('nproc')}; cpu: {env.get('cpu')}",
      f"- descent's CPU backend: {env.get('cpu_backend', '?')}",
      f"- load at start: `{env.get('uptime_start', '').strip()}`",
      f"- load at end: `{env.get('uptime_end', '').strip()}`",
      f"- {env.get('mpi')}; {env.get('java')}",
      f"- np2: `{env.get('mpirun')} ./descent train ... --threads 1`; np2-yield: the same with "
      "`--mca mpi_yield_when_idle 1`; np1: `./descent train ... --threads 1` (no launcher)",
      f"- epochs: {env.get('epochs')}; per-epoch seconds from metrics.csv; median epoch s: the median over "
      "the timed epochs of all repeats together ('per run': each run's own median)",
      "", "## Scaling", "",
      "speedup = t1 / t2, efficiency = t1 / (2 · t2), t the median epoch seconds at the same global batch (all "
      "timed epochs of all repeats); best run: the same with each variant's fastest run (its median), the "
      "estimate least disturbed by other processes on a shared machine. "
      "allreduce µs/step: AllreduceProbe's median (heap array, as the trainer calls it) for the model's parameter "
      "count, in the same variant; allreduce share = that × steps per epoch / the 2-rank epoch time.", ""
      ] + scaling + [
      "", "Train losses, 2 ranks against 1 (same global batches; agree: epoch 1 within 1e-5 relative, the last "
      "epoch within 1e-3):", ""] + [f"- {x}" for x in loss_lines] + [
      "", "## Allreduce per step (AllreduceProbe, 2 ranks)", "",
      f"`{env.get('probe')}`; median of the slowest rank after a barrier, p90 of rank 0.", ""] + allreduce + [""]
write("mpi-scaling.md", "\n".join(md))

print(f"nproc {env.get('nproc')}; start: {env.get('uptime_start', '').strip()}")
print(f"end:   {env.get('uptime_end', '').strip()}")
print()
print("\n".join(scaling))
print()
print("\n".join(loss_lines))
print()
print("\n".join(allreduce))
print()
print(f"wrote {out}/mpi-scaling.md, mpi-scaling.csv, mpi-allreduce.csv, allreduce-probe.txt, runs/")
sys.exit(0 if ok else 1)
PY

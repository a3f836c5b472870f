#!/usr/bin/env bash
# Warm-up as a user sees it: the first epochs of `./descent train` in a fresh JVM, with and without the launcher's
# AOT cache (benchmarks/README.md, "Warm-up").
#
#   benchmarks/scripts/warmup.sh                                  # W1 and W2, 5 rounds, base and aot
#   benchmarks/scripts/warmup.sh --rounds 8 --data /path/to/train-images-idx3-ubyte.gz
#   benchmarks/scripts/warmup.sh --variant 'jit=-XX:CompileThresholdScaling=0.5'   # more JVM options as a variant
#
# W1: softmax regression, full batch, Adam lr 1e-5 (--w1-epochs, default 40); W2: the same at batch 16
# (--w2-epochs, default 20). Each run is `./descent train --data DATA ... --out DIR -q` in a new JVM; the variants
# alternate run by run (W1 of every variant, then W2 of every variant, round after round), so that a slower spell of
# a shared host falls on all of them. Variants: base (DESCENT_AOT=0), aot (the launcher's default: its AOT cache),
# and each --variant NAME=OPTIONS (the cache, plus OPTIONS in DESCENT_JAVA_OPTS). Before the rounds, --make N times
# (default 3) the cache is removed and made again by `./descent --version`, timed (the one-off cost after a build).
#
# Per variant and workload it prints the median seconds of epochs 1-10 over the rounds, the steady state (median of
# the epochs from --steady-from, default 11), the excess of the first 10 epochs over 10 steady epochs, the epoch from
# which three epochs in a row are within 10 % of the steady median (time to steady state, per round) and the wall
# time of the whole command. Writes DIR/warmup.csv (variant,workload,round,epoch,seconds,wall_s,load,cpu_model,
# vector_bits,vector_isa) and DIR/warmup.md, which names the CPU, its vector ISA and the width (--out DIR, default
# results/benchmarks/warmup). Needs python3 for the tables.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

data=fashion-mnist
rounds=5
w1_epochs=40
w2_epochs=20
steady_from=11
make=3
out=results/benchmarks/warmup
variants=(base aot)
declare -A opts=([base]="" [aot]="")
while [ $# -gt 0 ]; do
    case "$1" in
        --data) data="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --w1-epochs) w1_epochs="$2"; shift 2 ;;
        --w2-epochs) w2_epochs="$2"; shift 2 ;;
        --steady-from) steady_from="$2"; shift 2 ;;
        --make) make="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --variant) variants+=("${2%%=*}"); opts["${2%%=*}"]="${2#*=}"; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "warmup: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
mkdir -p "$out/runs"
csv="$out/warmup.csv"

./descent --version > /dev/null       # build if stale; every timed run then uses DESCENT_NO_BUILD=1
export DESCENT_NO_BUILD=1
# the CPU model, its vector ISA and the width the runs use, from one ./descent backends --json: lines cpu, isa, bits
machine="$(DESCENT_AOT=0 ./descent backends --json 2>/dev/null | python3 -c '
import json, re, sys
doc = json.load(sys.stdin)
cpu = [b["reason"] for b in doc["backends"] if b["name"] == "cpu"]
width = re.search(r"Vector API (\d+)-bit", cpu[0]) if cpu else None
print(doc["system"]["cpu"].replace(",", ";"))
print(doc["system"]["vector_isa"].replace(",", ";"))
print(width.group(1) if width else "")')"
{ read -r cpu; read -r isa; read -r bits; } <<< "$machine"
width="${bits:+Vector API $bits-bit}"
echo "warmup: $cpu, $isa, $(nproc) cores, ${width:-width unknown}; data $data; $rounds rounds" >&2
echo "variant,workload,round,epoch,seconds,wall_s,load,cpu_model,vector_bits,vector_isa" > "$csv"

ms() { date +%s%N; }
make_s=()
for ((i = 1; i <= make; i++)); do
    rm -rf cli/target/aot
    t0=$(ms); ./descent --version > /dev/null 2>&1; t1=$(ms)
    make_s+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')")
done
for v in "${variants[@]}"; do        # each variant's cache exists before the timed runs
    if [ "$v" != base ]; then DESCENT_JAVA_OPTS="${opts[$v]}" ./descent --version > /dev/null 2>&1; fi
done

for ((r = 1; r <= rounds; r++)); do
    for w in W1 W2; do
        case "$w" in
            W1) args=(--full-batch --epochs "$w1_epochs") ;;
            W2) args=(--batch-size 16 --epochs "$w2_epochs") ;;
        esac
        for v in "${variants[@]}"; do
            dir="$out/runs/$v-$w-$r"
            aot=1; [ "$v" = base ] && aot=0
            load="$(cut -d' ' -f1 /proc/loadavg)"
            t0=$(ms)
            DESCENT_AOT=$aot DESCENT_JAVA_OPTS="${opts[$v]}" ./descent train --data "$data" "${args[@]}" \
                --optimizer adam --lr 1e-5 --out "$dir" --force -q
            t1=$(ms)
            wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
            tail -n +2 "$dir/metrics.csv" | awk -F, -v v="$v" -v w="$w" -v r="$r" -v wall="$wall" -v l="$load" \
                -v m="$cpu,$bits,$isa" '{ print v "," w "," r "," $1 "," $NF "," wall "," l "," m }' >> "$csv"
        done
    done
    echo "warmup: round $r of $rounds done" >&2
done

python3 - "$csv" "$steady_from" "$out/warmup.md" "$cpu" "$width" "$data" "${make_s[*]}" "$isa" <<'PY'
import collections, csv, statistics as st, sys
path, steady_from, md, cpu, width, data, make_s, isa = sys.argv[1], int(sys.argv[2]), sys.argv[3], *sys.argv[4:9]
runs = collections.defaultdict(lambda: collections.defaultdict(dict))
walls = collections.defaultdict(dict)
for r in csv.DictReader(open(path)):
    key = (r["workload"], r["variant"])
    runs[key][r["round"]][int(r["epoch"])] = float(r["seconds"])
    walls[key][r["round"]] = float(r["wall_s"])
lines = [f"CPU: {cpu}; vector ISA {isa}; {width}; data: {data}", "",
         "| workload | variant | epochs 1-10, median s | steady s | excess of epochs 1-10 s | steady from epoch "
         "(per round) | command wall s |", "|---|---|---|---|---|---|---|"]
for key in sorted(runs):
    rs = runs[key]
    steady = st.median([s for r in rs.values() for e, s in r.items() if e >= steady_from])
    first = [st.median([r[e] for r in rs.values()]) for e in range(1, 11)]
    excess = st.median([sum(r[e] for e in range(1, 11)) - 10 * steady for r in rs.values()])

    def tts(r):
        last = max(r)
        for e in range(1, last - 1):
            if all(r[j] <= 1.1 * steady for j in range(e, e + 3)):
                return str(e)
        return "-"
    lines.append(f"| {key[0]} | {key[1]} | {' '.join(f'{x:.3f}' for x in first)} | {steady:.4f} | {excess:.2f} | "
                 f"{' '.join(tts(r) for r in rs.values())} | {st.median(walls[key].values()):.2f} |")
lines += ["", f"Making the cache (`rm -rf cli/target/aot; ./descent --version`), s: {make_s or '-'}"]
open(md, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY

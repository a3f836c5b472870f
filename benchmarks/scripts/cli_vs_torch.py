#!/usr/bin/env python3
"""descent as a user runs it (./descent train, a new JVM per run, JIT warm-up included) against PyTorch + OpenBLAS on
one thread, on Fashion-MNIST (Debian's dataset-fashion-mnist), in one run.

    benchmarks/scripts/cli_vs_torch.py [--rounds 3] [--epochs 6] [--threads 0,1] [--only W1,W2,W5] [--out DIR]

Cases, both sides the same loop (zero weights, no bias for the softmax regression; torch's init for the MLP):
  W1  softmax regression, full batch, raw 0-255 pixels, Adam lr 1e-5      (the lecture's full-batch run)
  W2  softmax regression, batch 16, raw pixels, Adam lr 1e-5              (the lecture's minibatch run; W3's loop)
  W5  MLP 784-256-10, ReLU, batch 64, pixels / 255, Adam lr 1e-3

Per run: epoch times (descent: metrics.csv's seconds; torch: the same loop timed per epoch), the median of epochs
2..6 (the issue's measure: warm-up shows in epoch 1 and the median ignores it), and epoch 1 on its own. Sides
alternate run by run. Writes DIR/cli-vs-torch.md and .csv (default results/benchmarks/cli-vs-torch) naming the CPU,
descent's vector width (and why, from ./descent backends) and the vector ISA.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FASHION = "/usr/share/datasets/fashion-mnist"

CASES = {
    "W1": {"descent": ["--full-batch", "--optimizer", "adam", "--lr", "1e-5", "--no-bias"],
           "torch": "full"},
    "W2": {"descent": ["--batch-size", "16", "--optimizer", "adam", "--lr", "1e-5", "--no-bias"],
           "torch": "b16"},
    "W5": {"descent": ["--model", "mlp", "--hidden", "256", "--scale", "unit", "--batch-size", "64",
                       "--optimizer", "adam", "--lr", "1e-3"],
           "torch": "mlp"},
}

TORCH_CODE = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
import torch
import torch_workloads as tw
torch.set_num_threads(1)
kind, epochs = sys.argv[2], int(sys.argv[3])
data = tw.Data(None, sys.argv[4])
xtr, ytr, _, _ = data.fashion(255 if kind == "mlp" else 1)
loss_fn = torch.nn.CrossEntropyLoss()
if kind == "mlp":
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    lr, batch = 1e-3, 64
else:
    model = tw.linear_zero(784, 10)
    lr, batch = 1e-5, 16
opt = torch.optim.Adam(model.parameters(), lr=lr)
times = []
for e in range(epochs):
    t0 = time.perf_counter()
    if kind == "full":
        opt.zero_grad(); loss = loss_fn(model(xtr), ytr); loss.backward(); opt.step()
    else:
        tw.minibatch_epochs(data, model, xtr, ytr, batch, 1, opt, None, e + 1)
    times.append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def torch_env():
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    return env


PEER_CHECK = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
import torch
import torch_workloads as tw
a = torch.ones(64, 64)
(a @ a).sum().item()
libs = tw.loaded_libraries()
print("openblas" if any("openblas" in os.path.basename(l) for l in libs) else ";".join(libs) or "none")
"""


def check_peer():
    """Exits with one line unless the peer really runs on OpenBLAS: without libopenblas0-pthread, torch loads the
    reference BLAS from libblas.so.3, some 5 times slower, and every speed-up here would be against the wrong peer."""
    try:
        out = subprocess.run([sys.executable, "-c", PEER_CHECK, os.path.join(ROOT, "benchmarks", "scripts")],
                             env=torch_env(), capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"cli_vs_torch: cannot run {sys.executable}: {e}")
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        sys.exit(f"cli_vs_torch: {sys.executable} cannot run PyTorch ({last}); install python3-torch")
    found = out.stdout.strip()
    if found != "openblas":
        sys.exit("cli_vs_torch: torch-ob1 did not load OpenBLAS from /usr/lib/x86_64-linux-gnu/openblas-pthread "
                 f"(loaded BLAS: {found}); install libopenblas0-pthread, the fair peer's BLAS")


def run_torch(kind, epochs):
    out = subprocess.run([sys.executable, "-c", TORCH_CODE, os.path.join(ROOT, "benchmarks", "scripts"), kind,
                          str(epochs), FASHION], env=torch_env(), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_descent(case, epochs, threads):
    with tempfile.TemporaryDirectory() as out:
        cmd = [os.path.join(ROOT, "descent"), "train", "--data", "fashion-mnist", "--epochs", str(epochs),
               "--threads", str(threads), "-q", "--out", out] + CASES[case]["descent"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        with open(os.path.join(out, "metrics.csv")) as f:
            rows = list(csv.DictReader(f))
        return [float(r["seconds"]) for r in rows], wall


def machine():
    model, flags = "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = ("AVX-512 (" + " ".join(x.upper() for x in ("f", "bw", "dq", "vl", "fp16", "bf16")
                                  if "avx512" + x in flags or "avx512_" + x in flags) + ")"
           if "avx512f" in flags else "AVX2" if "avx2" in flags else "other")
    return model, isa


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--threads", default="0,1")
    p.add_argument("--only", default="W1,W2,W5")
    p.add_argument("--out", default=os.path.join(ROOT, "results", "benchmarks", "cli-vs-torch"))
    a = p.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    check_peer()
    cases = a.only.split(",")
    os.makedirs(a.out, exist_ok=True)
    backends = subprocess.run([os.path.join(ROOT, "descent"), "backends"], capture_output=True, text=True).stdout
    cpu_line = next((l for l in backends.splitlines() if l.startswith("cpu")), "cpu ?")
    model, isa = machine()
    rows = []
    for case in cases:
        for r in range(a.rounds):
            for t in threads:
                times, wall = run_descent(case, a.epochs, t)
                rows.append((case, f"descent-{'all' if t == 0 else t}t", r, times, wall))
                print(case, rows[-1][1], r, " ".join(f"{x * 1e3:.1f}" for x in times), flush=True)
            times = run_torch(CASES[case]["torch"], a.epochs)
            rows.append((case, "torch-ob1", r, times, sum(times)))
            print(case, "torch-ob1", r, " ".join(f"{x * 1e3:.1f}" for x in times), flush=True)
    with open(os.path.join(a.out, "cli-vs-torch.csv"), "w") as f:
        w = csv.writer(f)
        w.writerow(["case", "side", "round", "epoch", "seconds", "cpu_model", "vector_isa"])
        for case, side, r, times, _ in rows:
            for e, s in enumerate(times, 1):
                w.writerow([case, side, r, e, s, model, isa])
    md = [f"# ./descent train vs PyTorch (OpenBLAS, 1 thread), Fashion-MNIST\n",
          f"- CPU {model}; vector ISA {isa}; {os.cpu_count()} cores",
          f"- descent: `{cpu_line.strip()}`",
          f"- {a.rounds} rounds, {a.epochs} epochs a run; medians over the rounds of each run's median of epochs "
          f"2..{a.epochs}; epoch 1 apart (JIT warm-up); ratio = torch / descent\n",
          "| case | side | epoch 1 | epochs 2..6 (median) | × torch-ob1 |", "|---|---|---:|---:|---:|"]
    for case in cases:
        ref = statistics.median(statistics.median(t[1:]) for c, s, _, t, _ in rows if c == case and s == "torch-ob1")
        for side in sorted({s for c, s, *_ in rows if c == case}):
            runs = [t for c, s, _, t, _ in rows if c == case and s == side]
            steady = statistics.median(statistics.median(t[1:]) for t in runs)
            first = statistics.median(t[0] for t in runs)
            md.append(f"| {case} | {side} | {first * 1e3:.1f} ms | {steady * 1e3:.1f} ms | {ref / steady:.2f}× |")
    with open(os.path.join(a.out, "cli-vs-torch.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()

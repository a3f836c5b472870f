#!/usr/bin/env python3
"""PyTorch side of descent's side-by-side benchmark (dev.descent.bench.Compare).

Every workload is written the way the lecture writes it: a torch.nn.Linear(784, k, bias=False) model (zero weights)
or an MLP, CrossEntropyLoss, and the loop

    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=b, shuffle=True):
        opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward(); opt.step()

Full-batch epochs (W1) use the whole tensors directly (a DataLoader with batch_size=n would stack 27,455 single rows
and time Python, not the step). Only the loop is timed (time.perf_counter): data loading, model and optimizer
construction are outside the timed region, exactly as on the descent side.

Two ways to run it:
  --serve             read one command per line on stdin, answer one line per command on stdout (used by Compare)
  W2 batch=8 ...      run one command and print its result (for trying a workload by hand)
Either may be preceded by --device cpu|cuda (default cpu). On cuda the same loops run with the tensors and the model
on device="cuda" (the DataLoader loop unchanged), and torch.cuda.synchronize() precedes every clock read. When torch
has no usable CUDA it prints one line saying so (on stdout, in place of "ready") and exits with code 3; when torch
(or numpy) cannot be imported at all, likewise with code 4.

Commands: info | W1 opt=sgd|momentum|adam epochs= lr= | W2 batch= epochs= lr= seed= | W3 epochs= batch= lr= seed=
[steps=] | W4 steps= lr= | W5 epochs= batch= lr= hidden= seed= [steps=] | quit.
Answers: "ok<TAB>key=value<TAB>..." or "error<TAB>message". steps=N stops a training run after N optimizer steps (used
for warm-up runs).
"""

import ctypes
import gzip
import os
import struct
import sys
import time

EXIT_USAGE = 2
EXIT_NO_CUDA = 3  # --device cuda, but torch has no usable CUDA: Compare reports the side as skipped
EXIT_NO_TORCH = 4  # this python has no torch (or numpy): one line instead of a traceback

try:
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, TensorDataset
except ImportError as _e:
    print(f"torch_workloads.py: {sys.executable} cannot import {_e.name or 'torch'}: {_e}", flush=True)
    sys.exit(EXIT_NO_TORCH)

SIGN_MAGIC = b"DSYN"


def read_sign(path):
    """The synthetic Sign-Language-MNIST-shaped data written by dev.descent.bench.SyntheticSignData."""
    with open(path, "rb") as f:
        head = f.read(16)
        if len(head) != 16 or head[:4] != SIGN_MAGIC:
            raise ValueError(f"{path}: not a descent synthetic data file (magic {head[:4]!r})")
        n, d, k = struct.unpack("<iii", head[4:])
        pixels = np.frombuffer(f.read(n * d), dtype=np.uint8)
        labels = np.frombuffer(f.read(n), dtype=np.uint8)
    if pixels.size != n * d or labels.size != n:
        raise ValueError(f"{path}: truncated (expected {n} rows of {d} pixels and {n} labels)")
    x = torch.from_numpy(pixels.reshape(n, d).astype(np.float32))
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y, k


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">i", data[:4])
    dims = magic & 0xFF
    if (magic >> 8) != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    shape = struct.unpack(">" + "i" * dims, data[4:4 + 4 * dims])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    return arr.reshape(shape)


class Data:
    """The data sets, read once and kept on the device the workloads run on."""

    def __init__(self, sign_path, fashion_dir, device=torch.device("cpu")):
        self.sign_path = sign_path
        self.fashion_dir = fashion_dir
        self.device = device
        self._sign = None
        self._fashion = {}

    def sign(self):
        if self._sign is None:
            x, y, k = read_sign(self.sign_path)
            self._sign = (x.to(self.device), y.to(self.device), k)
        return self._sign

    def clock(self):
        """time.perf_counter(), after waiting for the GPU's queued work when the device is cuda."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def fashion(self, scale):
        """Fashion-MNIST as float32: raw 0..255 pixels (scale 1) or pixels / 255 (scale 255)."""
        if scale not in self._fashion:
            d = self.fashion_dir
            xtr = read_idx(os.path.join(d, "train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32)
            ytr = read_idx(os.path.join(d, "train-labels-idx1-ubyte.gz")).astype(np.int64)
            xte = read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32)
            yte = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
            if scale != 1:
                xtr /= np.float32(scale)
                xte /= np.float32(scale)
            self._fashion[scale] = tuple(torch.from_numpy(a).to(self.device) for a in (xtr, ytr, xte, yte))
        return self._fashion[scale]


def fmt_floats(values):
    return ",".join(repr(float(v)) for v in values)


def linear_zero(d, k):
    model = torch.nn.Linear(d, k, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    return model


def make_optimizer(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r} (sgd, momentum, adam)")


def checksum(model):
    """Sum and sum of |w| over all parameters, in float64: a cheap fingerprint of the weights both sides compare."""
    with torch.no_grad():
        s = sum(float(p.double().sum()) for p in model.parameters())
        a = sum(float(p.double().abs().sum()) for p in model.parameters())
    return s, a


def w1(data, opt="adam", epochs=3, lr=1e-5, **_):
    """Full-batch epochs of softmax regression: one step per epoch over all rows."""
    x, y, k = data.sign()
    model = linear_zero(x.shape[1], k).to(data.device)
    optimizer = make_optimizer(opt, model.parameters(), lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    t0 = data.clock()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    seconds = data.clock() - t0
    s, a = checksum(model)
    return {"seconds": seconds, "per_epoch": seconds / epochs, "losses": fmt_floats(losses), "wsum": s, "wabs": a}


def minibatch_epochs(data, model, x, y, batch, epochs, optimizer, max_steps=None, seed=1):
    """The lecture's loop. Returns (seconds, epoch losses, steps); epoch loss = sum(batch loss * batch size) / n."""
    torch.manual_seed(seed)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    steps = 0
    t0 = data.clock()
    for _ in range(epochs):
        total = 0.0
        seen = 0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
            seen += xb.shape[0]
            steps += 1
            if max_steps is not None and steps >= max_steps:
                break
        losses.append(total / max(seen, 1))
        if max_steps is not None and steps >= max_steps:
            break
    return data.clock() - t0, losses, steps


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).double().mean()) * 100.0


def w2(data, batch=16, epochs=1, lr=1e-5, seed=1, steps=None, **_):
    x, y, k = data.sign()
    model = linear_zero(x.shape[1], k).to(data.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    seconds, losses, n = minibatch_epochs(data, model, x, y, batch, epochs, optimizer, steps, seed)
    s, a = checksum(model)
    return {"seconds": seconds, "per_epoch": seconds / epochs, "steps": n, "losses": fmt_floats(losses), "wsum": s,
            "wabs": a}


def w3(data, epochs=20, batch=16, lr=1e-5, seed=1, steps=None, **_):
    """Fashion-MNIST softmax regression on raw 0..255 pixels, Adam, then test accuracy (not timed)."""
    xtr, ytr, xte, yte = data.fashion(1)
    model = linear_zero(784, 10).to(data.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    seconds, losses, n = minibatch_epochs(data, model, xtr, ytr, batch, epochs, optimizer, steps, seed)
    return {"seconds": seconds, "steps": n, "losses": fmt_floats(losses), "test_acc": accuracy(model, xte, yte),
            "train_acc": accuracy(model, xtr, ytr)}


def rosenbrock(p):
    """The n-D Rosenbrock function, c = 100, in the sliced form descent's Rosenbrock objective mirrors."""
    return ((1 - p[:-1]) ** 2 + 100 * (p[1:] - p[:-1] ** 2) ** 2).sum()


def w4(data, steps=1000, lr=1e-2, **_):
    """1000 Adam steps on the 2-D Rosenbrock function from (-1.5, 2), float32."""
    p = torch.tensor([-1.5, 2.0], device=data.device, requires_grad=True)
    optimizer = torch.optim.Adam([p], lr=lr)
    t0 = data.clock()
    for _ in range(steps):
        optimizer.zero_grad()
        f = rosenbrock(p)
        f.backward()
        optimizer.step()
    seconds = data.clock() - t0
    with torch.no_grad():
        fx = float(rosenbrock(p))
    return {"seconds": seconds, "x": float(p[0]), "y": float(p[1]), "f": fx}


def w5(data, epochs=5, batch=64, lr=1e-3, hidden=256, seed=1, steps=None, **_):
    """MLP 784-hidden-10 (torch's default init), ReLU, on Fashion-MNIST scaled to [0, 1], Adam."""
    xtr, ytr, xte, yte = data.fashion(255)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(),
                                torch.nn.Linear(hidden, 10)).to(data.device)  # initialised on the CPU, as there
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    seconds, losses, n = minibatch_epochs(data, model, xtr, ytr, batch, epochs, optimizer, steps, seed + 1)
    return {"seconds": seconds, "steps": n, "losses": fmt_floats(losses), "test_acc": accuracy(model, xte, yte)}


def loaded_libraries(words=("blas", "lapack", "mkl", "omp", "dnnl")):
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and any(w in parts[-1] for w in words) and parts[-1] not in libs:
                    libs.append(parts[-1])
    except OSError:
        pass
    return libs


def info(data, **_):
    # run one matmul first so that the BLAS library (cuBLAS on cuda) is loaded and initialised
    a = torch.ones(64, 64, device=data.device)
    (a @ a).sum().item()
    cfg = torch.__config__.show()
    blas_info = next((s.split("=", 1)[1] for s in cfg.replace(",", " ").split() if s.startswith("BLAS_INFO=")), "?")
    libs = loaded_libraries()
    out = {"torch": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads(),
           "interop_threads": torch.get_num_interop_threads(), "blas_info": blas_info,
           "capability": next((line.split(":", 1)[1].strip() for line in cfg.splitlines()
                               if "CPU capability usage" in line), "?"),
           "libs": ";".join(libs)}
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LD_LIBRARY_PATH"):
        out["env_" + var] = os.environ.get(var, "")
    for lib in libs:
        if "openblas" in os.path.basename(lib):
            try:
                ob = ctypes.CDLL(lib)
                ob.openblas_get_corename.restype = ctypes.c_char_p
                ob.openblas_get_config.restype = ctypes.c_char_p
                out["openblas_core"] = ob.openblas_get_corename().decode()
                out["openblas_config"] = ob.openblas_get_config().decode()
                out["openblas_threads"] = ob.openblas_get_num_threads()
            except (OSError, AttributeError) as e:
                out["openblas_core"] = f"unknown ({e})"
            break
    if data.device.type == "cuda":
        props = torch.cuda.get_device_properties(data.device)
        out.update({"device": "cuda", "cuda": torch.version.cuda, "gpu": props.name,
                    "gpu_memory_gib": f"{props.total_memory / 2**30:.1f}",
                    "gpu_capability": f"{props.major}.{props.minor}", "cudnn": torch.backends.cudnn.version(),
                    "cuda_libs": ";".join(loaded_libraries(("cudart", "cublas")))})
    return out


def cuda_unavailable():
    """Why torch cannot run on device="cuda" here, or None when it can."""
    if torch.version.cuda is None:
        return f"torch {torch.__version__} is built without CUDA"
    if not torch.cuda.is_available():
        return (f"torch {torch.__version__} (CUDA {torch.version.cuda}) finds no usable GPU "
                "(torch.cuda.is_available() is False)")
    return None


WORKLOADS = {"info": info, "W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5}
INTS = {"epochs", "batch", "seed", "steps", "hidden"}
FLOATS = {"lr"}


def parse(words):
    name = words[0]
    if name not in WORKLOADS:
        raise ValueError(f"unknown command {name!r}; known: {', '.join(WORKLOADS)}")
    kwargs = {}
    for w in words[1:]:
        key, sep, value = w.partition("=")
        if not sep:
            raise ValueError(f"argument {w!r} is not key=value")
        kwargs[key] = int(value) if key in INTS else float(value) if key in FLOATS else value
    return name, kwargs


def answer(data, words):
    try:
        name, kwargs = parse(words)
        result = WORKLOADS[name](data, **kwargs)
        return "ok\t" + "\t".join(f"{k}={v}" for k, v in result.items())
    except Exception as e:  # reported to the Java side as one line
        return "error\t" + f"{type(e).__name__}: {e}".replace("\t", " ").replace("\n", " ")


def main(argv):
    device = "cpu"
    if argv and argv[0] == "--device":
        if len(argv) < 2 or argv[1] not in ("cpu", "cuda"):
            print(f"torch_workloads.py: --device needs cpu or cuda, not {' '.join(argv[1:2]) or 'nothing'}",
                  file=sys.stderr)
            return EXIT_USAGE
        device = argv[1]
        argv = argv[2:]
    if device == "cuda":
        why = cuda_unavailable()
        if why is not None:
            # one line, in place of "ready": Compare reports "torch-cuda: skipped: <this line>"
            print(f"torch_workloads.py --device cuda: CUDA unavailable: {why}", flush=True)
            return EXIT_NO_CUDA
    threads = int(os.environ.get("DESCENT_TORCH_THREADS", "0"))
    if threads > 0:
        torch.set_num_threads(threads)
    sign = os.environ.get("DESCENT_SIGN_DATA", "")
    fashion = os.environ.get("DESCENT_FASHION_DIR", "/usr/share/datasets/fashion-mnist")
    data = Data(sign, fashion, torch.device(device))
    if argv and argv[0] == "--serve":
        print("ready", flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            print(answer(data, words), flush=True)
        return 0
    if not argv:
        print(__doc__)
        return EXIT_USAGE
    print(answer(data, argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

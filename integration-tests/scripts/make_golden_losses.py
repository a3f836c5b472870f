#!/usr/bin/python3
"""Writes PyTorch golden data for descent's losses (dev.descent.loss.LossSpec, issue #22 point 4).

Run with Debian's torch 1.13 (CPU), from the repository root:

    /usr/bin/python3 integration-tests/scripts/make_golden_losses.py

It writes two text files into integration-tests/src/test/resources/golden/loss/ (name one of them as an argument to
write only that one):

  losses.txt  each loss and setting on fixed outputs and targets: torch.nn's loss with reduction='mean' (HuberLoss,
              SmoothL1Loss, CrossEntropyLoss with label_smoothing and weight, NLLLoss with weight, and the fused ones:
              MSELoss, L1Loss, CrossEntropyLoss, BCEWithLogitsLoss), its value and its autograd gradient with respect
              to the outputs. Regression residuals include exact zeros, the Huber / smooth L1 thresholds exactly
              (|x - t| = delta, from both sides), tiny and huge ones; logits include rows scaled by 40 (saturated
              softmax), labels every class, weights a zero.
  train.txt   short training runs per loss: a linear model (regression), softmax regression and an MLP 4-6-3
              (classification) trained with torch.optim.SGD on minibatches of 24 rows taken in order (no shuffle; the
              last batch of each epoch has 12 rows), the loss of every step (before its update) and the parameters
              after the last step

Every tensor is float32. Parameters are written as descent names and shapes them: W is [inputs, outputs] (torch's
nn.Linear weight transposed), b [outputs], layer1.W / layer1.b / layer2.W / layer2.b for the MLP.

Format (one item per line, numbers separated by single spaces, float32 values as "%.9g", which reads back exactly):
    case ID
    spec TEXT                         descent's loss text (LossSpec.parse), the rest of the line
    torch TEXT                        the torch criterion, for the reader
    outputs ROWS COLS VALUES...       (losses.txt) the model outputs the loss is taken of, row-major
    targets ROWS COLS VALUES...       float targets (regression, bce)
    labels N VALUES...                int class labels
    value V                           (losses.txt) the loss
    grad VALUES...                    (losses.txt) d loss / d outputs, the outputs' shape
    model KIND                        (train.txt) linear, softmax or mlp (with "hidden H"); every layer has a bias
    hidden H
    features ROWS COLS VALUES...      (train.txt) the training data
    sgd LR                            (train.txt) torch.optim.SGD(lr=LR), descent's sgd
    batch B, epochs E                 (train.txt)
    param NAME ROWS COLS VALUES...    (train.txt) a parameter's initial value (b as 1 x n)
    step K LOSS                       (train.txt) the loss of step K (from 0), before its update
    final NAME ROWS COLS VALUES...    (train.txt) the parameter after the last step
    end
"""
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden", "loss")


def fmt32(x):
    return "%.9g" % float(np.float32(x))


def matrix_line(kind, t):
    t = t.detach()
    assert t.dtype == torch.float32, (kind, t.dtype)
    if t.dim() == 1:
        t = t.reshape(1, -1)
    return "%s %d %d %s" % (kind, t.shape[0], t.shape[1], " ".join(fmt32(v) for v in t.reshape(-1).tolist()))


def labels_line(y):
    return "labels %d %s" % (y.numel(), " ".join(str(int(v)) for v in y.tolist()))


def weight_text(w):
    return "[" + ", ".join(fmt32(v) for v in w.tolist()) + "]"


# ----------------------------------------------------------------------------------------------- the losses

def criterion(spec):
    """descent's loss text -> the torch criterion (reduction='mean')."""
    name, _, rest = spec.partition("(")
    args = {}
    if rest:
        body = rest[:-1]
        # settings: key=value, a list in brackets
        while body:
            key, _, body = body.partition("=")
            key = key.strip()
            if body.lstrip().startswith("["):
                inner, _, body = body.partition("]")
                args[key] = torch.tensor([float(v) for v in inner.strip(" [").split(",")], dtype=torch.float32)
                body = body.partition(",")[2]
            else:
                value, _, body = body.partition(",")
                args[key] = float(value)
    if name == "huber":
        return nn.HuberLoss(delta=args.get("delta", 1.0)), "torch.nn.HuberLoss(delta=%r)" % args.get("delta", 1.0)
    if name == "smooth-l1":
        return nn.SmoothL1Loss(beta=args.get("beta", 1.0)), "torch.nn.SmoothL1Loss(beta=%r)" % args.get("beta", 1.0)
    if name == "ce":
        w = args.get("weight")
        ls = args.get("label_smoothing", 0.0)
        return (nn.CrossEntropyLoss(weight=w, label_smoothing=ls),
                "torch.nn.CrossEntropyLoss(weight=%s, label_smoothing=%r)" % (
                    None if w is None else weight_text(w), ls))
    if name == "nll":
        w = args.get("weight")
        return nn.NLLLoss(weight=w), "torch.nn.NLLLoss(weight=%s)" % (None if w is None else weight_text(w))
    if name == "mse":
        return nn.MSELoss(), "torch.nn.MSELoss()"
    if name == "mae":
        return nn.L1Loss(), "torch.nn.L1Loss()"
    if name == "bce":
        return nn.BCEWithLogitsLoss(), "torch.nn.BCEWithLogitsLoss()"
    raise ValueError(spec)


def regression_data():
    """outputs and targets [12, 3]: random residuals, and rows of chosen ones (thresholds, zero, tiny, huge)."""
    g = torch.Generator().manual_seed(22)
    targets = torch.randn(12, 3, generator=g) * 2
    residual = torch.randn(12, 3, generator=g) * 1.5
    chosen = torch.tensor([[0.0, 0.5, -0.5], [1.0, -1.0, 2.0], [-2.0, 3.0, -3.0], [1e-4, -1e-4, 30.0],
                           [-30.0, 0.3, -0.25], [0.75, 1e-6, 0.0]])
    # these rows' targets are exact dyadic numbers, so that x - t is exactly the residual
    targets[6:] = torch.tensor([[0.25, -1.5, 0.0], [2.0, 0.5, -0.75], [1.0, -2.0, 0.125], [0.0, 0.0, 0.0],
                                [0.5, 4.0, -1.0], [-0.5, 0.0, 3.0]])
    residual[6:] = chosen
    outputs = (targets + residual).float()
    return outputs, targets


def classification_data():
    """logits [10, 5] (the last three rows scaled by 40) and labels covering every class."""
    g = torch.Generator().manual_seed(23)
    logits = torch.randn(10, 5, generator=g) * 2
    logits[7:] *= 40
    labels = torch.tensor([0, 1, 2, 3, 4, 2, 0, 1, 3, 0])
    return logits, labels


def bce_data():
    g = torch.Generator().manual_seed(24)
    logits = torch.randn(9, 1, generator=g) * 3
    logits[8, 0] = 60.0
    targets = torch.tensor([[0.0], [1.0], [1.0], [0.0], [0.25], [1.0], [0.0], [0.9], [0.0]])
    return logits, targets


def loss_case(cid, spec, outputs, target):
    crit, torch_text = criterion(spec)
    x = outputs.clone().requires_grad_(True)
    loss = crit(x, target)
    loss.backward()
    assert loss.dtype == torch.float32
    lines = ["case " + cid, "spec " + spec, "torch " + torch_text, matrix_line("outputs", outputs)]
    lines.append(labels_line(target) if target.dtype == torch.int64 else matrix_line("targets", target))
    lines += ["value " + fmt32(loss.item()), "grad " + " ".join(fmt32(v) for v in x.grad.reshape(-1).tolist()), "end"]
    return lines


W5 = "[0.5, 1, 2, 0.25, 3]"
W5_ZERO = "[0, 1, 2.5, 1, 0.5]"


def losses_file():
    out = []
    outputs, targets = regression_data()
    for cid, spec in [("mse", "mse"), ("mae", "mae"), ("huber", "huber(delta=1.0)"),
                      ("huber_0.5", "huber(delta=0.5)"), ("huber_2", "huber(delta=2.0)"),
                      ("huber_1e-3", "huber(delta=0.001)"), ("smooth_l1", "smooth-l1(beta=1.0)"),
                      ("smooth_l1_0.5", "smooth-l1(beta=0.5)"), ("smooth_l1_3", "smooth-l1(beta=3.0)"),
                      ("smooth_l1_0", "smooth-l1(beta=0.0)")]:
        out += loss_case(cid, spec, outputs, targets)
    # one target column, the linear model's usual shape
    out += loss_case("huber_col", "huber(delta=1.0)", outputs[:, :1].contiguous(), targets[:, :1].contiguous())
    logits, labels = classification_data()
    logp = F.log_softmax(logits, dim=1).detach()
    for cid, spec, x in [("ce", "ce", logits), ("ce_ls0.1", "ce(label_smoothing=0.1)", logits),
                         ("ce_ls0.25", "ce(label_smoothing=0.25)", logits),
                         ("ce_w", "ce(weight=%s)" % W5, logits),
                         ("ce_ls0.1_w", "ce(label_smoothing=0.1, weight=%s)" % W5, logits),
                         ("ce_ls0.9_w0", "ce(label_smoothing=0.9, weight=%s)" % W5_ZERO, logits),
                         ("nll_logp", "nll", logp), ("nll_logits", "nll", logits),
                         ("nll_w_logp", "nll(weight=%s)" % W5, logp),
                         ("nll_w0_logits", "nll(weight=%s)" % W5_ZERO, logits)]:
        out += loss_case(cid, spec, x, labels)
    blogits, btargets = bce_data()
    out += loss_case("bce", "bce", blogits, btargets)
    return out


# ----------------------------------------------------------------------------------------------- training

def regression_set(cols):
    g = torch.Generator().manual_seed(30 + cols)
    x = torch.randn(60, 3, generator=g)
    w = torch.tensor([[1.5, -0.5], [-2.0, 1.0], [0.5, 0.25]])[:, :cols]
    y = x @ w + 0.3 + 0.1 * torch.randn(60, cols, generator=g)
    y[::10] += 10.0          # outliers, where Huber and smooth L1 differ from mse
    y[5::10] -= 8.0
    return x, y


def classification_set():
    g = torch.Generator().manual_seed(40)
    y = torch.tensor(([0] * 6 + [1] * 3 + [2]) * 6)            # 36, 18 and 6 rows
    centers = torch.tensor([[1.0, 0.0, -1.0, 0.5], [-1.0, 1.0, 0.0, -0.5], [0.0, -1.0, 1.0, 1.0]])
    x = centers[y] + 0.8 * torch.randn(60, 4, generator=g)
    return x, y


def descent_params(layers):
    """(name, tensor) in descent's names and shapes: W = weight.T, b = bias as 1 x n."""
    out = []
    for i, lin in enumerate(layers):
        prefix = "" if len(layers) == 1 else "layer%d." % (i + 1)
        out.append((prefix + "W", lin.weight.detach().t().contiguous()))
        out.append((prefix + "b", lin.bias.detach().reshape(1, -1)))
    return out


def train_case(cid, spec, kind, x, y, lr, hidden=None, epochs=4, batch=24):
    crit, torch_text = criterion(spec)
    outs = int(y.max().item()) + 1 if y.dtype == torch.int64 else y.shape[1]
    if kind == "mlp":
        torch.manual_seed(5)
        layers = [nn.Linear(x.shape[1], hidden), nn.Linear(hidden, outs)]
        model = nn.Sequential(layers[0], nn.ReLU(), layers[1])
    else:
        layers = [nn.Linear(x.shape[1], outs)]
        with torch.no_grad():
            layers[0].weight.zero_()
            layers[0].bias.zero_()
        model = layers[0]
    lines = ["case " + cid, "spec " + spec, "torch " + torch_text, "model " + kind]
    if hidden:
        lines.append("hidden %d" % hidden)
    lines += [matrix_line("features", x), labels_line(y) if y.dtype == torch.int64 else matrix_line("targets", y),
              "sgd " + repr(lr), "batch %d" % batch, "epochs %d" % epochs]
    lines += [matrix_line("param " + name, t) for name, t in descent_params(layers)]
    opt = torch.optim.SGD(model.parameters(), lr=lr, foreach=False)
    k = 0
    for _ in range(epochs):
        for start in range(0, x.shape[0], batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            opt.zero_grad()
            loss = crit(model(xb), yb)
            lines.append("step %d %s" % (k, fmt32(loss.item())))
            loss.backward()
            opt.step()
            k += 1
    lines += [matrix_line("final " + name, t) for name, t in descent_params(layers)]
    return lines + ["end"]


def train_file():
    out = []
    x1, y1 = regression_set(1)
    for cid, spec in [("mse", "mse"), ("huber", "huber(delta=1.0)"), ("huber_0.3", "huber(delta=0.3)"),
                      ("smooth_l1", "smooth-l1(beta=1.0)"), ("smooth_l1_0.5", "smooth-l1(beta=0.5)")]:
        out += train_case(cid, spec, "linear", x1, y1, 0.1)
    x2, y2 = regression_set(2)
    out += train_case("huber_2cols", "huber(delta=0.5)", "linear", x2, y2, 0.1)
    xc, yc = classification_set()
    for cid, spec in [("ce", "ce"), ("ce_ls0.1", "ce(label_smoothing=0.1)"), ("ce_w", "ce(weight=[0.5, 1, 3])"),
                      ("ce_ls0.2_w", "ce(label_smoothing=0.2, weight=[0.5, 1, 3])"), ("nll", "nll"),
                      ("nll_w", "nll(weight=[0.5, 1, 3])")]:
        out += train_case(cid, spec, "softmax", xc, yc, 0.5)
    out += train_case("mlp_ce_ls0.1_w", "ce(label_smoothing=0.1, weight=[0.5, 1, 3])", "mlp", xc, yc, 0.2,
                      hidden=6)
    return out


def write(name, lines):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# Generated by integration-tests/scripts/make_golden_losses.py with torch %s (CPU, float32). "
                "Do not edit.\n" % torch.__version__)
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


FILES = {
    "losses.txt": losses_file,
    "train.txt": train_file,
}


def main(names):
    unknown = [n for n in names if n not in FILES]
    if unknown:
        print("unknown file %s; known: %s" % (", ".join(unknown), ", ".join(FILES)), file=sys.stderr)
        return 2
    os.makedirs(OUT, exist_ok=True)
    for name, make in FILES.items():
        if not names or name in names:
            write(name, make())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

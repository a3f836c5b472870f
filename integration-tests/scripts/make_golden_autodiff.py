#!/usr/bin/python3
"""Writes PyTorch golden data for descent's reverse-mode autodiff (dev.descent.autodiff, issue #20).

Run with Debian's torch 1.13 (CPU), from the repository root:

    /usr/bin/python3 integration-tests/scripts/make_golden_autodiff.py

It writes four text files into integration-tests/src/test/resources/golden/autodiff/ (name some of them as
arguments, e.g. "make_golden_autodiff.py ops.txt", to write only those):

  rosenbrock.txt  the lecture's R(w) = (1 - w[0])**2 + 10*(w[1] - w[0]**2)**2: value and autograd gradient at fixed
                  and seeded points, and the lecture's loop from (0, 1) for 50 steps of SGD (lr 0.04), SGD with
                  momentum 0.9 (lr 0.04, which diverges: inf after 18 steps, then nan; and lr 0.01) and Adam
                  (lr 0.04)
  softmax.txt     softmax regression as the lecture writes it: F.cross_entropy(x @ W + b, y) (mean) and the same loss
                  written out, -(F.log_softmax(x @ W + b, dim=1).gather(1, y[:, None])).mean(); gradients of W and b
  mlp.txt         x @ W1 + b1 -> tanh -> @ W2 + b2 -> F.cross_entropy; gradients of all four parameters
  ops.txt         small functions on odd shapes, one or a few operations each (every elementwise function, pow with
                  scalar and tensor exponents, broadcasting a row [c] and a column [r, 1], sum / mean / max along each
                  axis and whole, softmax, transpose, matmul, slicing, reshape) and a few composites: the scalar
                  output and the gradient of every parameter

Every tensor is float32 and every gradient comes from torch autograd (loss.backward()). The Java side
(dev.descent.it.autodiff.AutodiffGoldenTest) rebuilds each case by name with Tape / Var and must list the same
expression; the torch expression of each case is the function of the same name below.

Format (one item per line, numbers separated by single spaces, float32 values as "%.9g", which reads back exactly):
    case ID
    const NAME RANK DIMS... VALUES...     a constant tensor (Tape.constant), row-major; RANK 0, 1 or 2
    input NAME RANK DIMS... VALUES...     data the expression reads but does not differentiate (Tape.input)
    labels NAME N VALUES...               int32 class labels (Tape.labels)
    pixels NAME ROWS COLS VALUES...       an input of integers 0 ... 255, used as value / 255 in float32 (the
                                          lecture's scaled pixels; torch's x.float() / 255 is that correctly rounded
                                          float32 division)
    point K                               the K-th point: the parameter values below, then what torch computed there
    param NAME RANK DIMS... VALUES...     a parameter's value at this point
    paramq NAME RANK DIMS... STEP INTS... the same as integers times STEP (value = float32(int) * STEP, one float32
                                          rounding): the 784-input parameters, so that the file stays small
    value V                               the expression's value (float32)
    grad NAME VALUES...                   the gradient of the value with respect to parameter NAME (its shape)
    value.FORM V, grad.FORM NAME ...      the same for the case's loss written in another form (softmax: "explicit",
                                          -(F.log_softmax(x @ W + b, dim=1).gather(1, y[:, None])).mean())
    end
Constants, inputs and labels are the same at every point of a case; the Java test records the expression at point 0
and replays the tape (forward, backward) at the later points after writing their parameter values.

rosenbrock.txt holds "points" (lines "at W0 W1 VALUE G0 G1") and trajectory cases:
    case ID
    optimizer NAME key=value ...          descent's optimizer name and torch-named settings
    start W0 W1
    steps N
    row K W0 W1 LOSS                      K = 0 ... N: the point after K steps and the loss there (float32;
                                          "inf", "-inf", "nan" once a run has diverged)
    end
"""
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden", "autodiff")


def fmt32(x):
    return "%.9g" % float(np.float32(x))


def tensor_line(kind, name, t):
    t = t.detach()
    assert t.dtype == torch.float32, (name, t.dtype)
    shape = list(t.shape)
    assert len(shape) <= 2, (name, shape)
    return "%s %s %d %s%s" % (kind, name, len(shape), "".join("%d " % d for d in shape),
                              " ".join(fmt32(v) for v in t.reshape(-1).tolist()))


# ----------------------------------------------------------------------------------------------- rosenbrock

def rosenbrock(w):
    """The lecture's expression, on a float32 tensor w [2]."""
    return (1 - w[0])**2 + 10*(w[1] - w[0]**2)**2


def rosenbrock_at(w0, w1):
    w = torch.tensor([w0, w1], dtype=torch.float32, requires_grad=True)
    loss = rosenbrock(w)
    loss.backward()
    assert loss.dtype == torch.float32
    return w.detach(), loss.detach(), w.grad.detach()


def rosenbrock_points():
    pts = [(0.0, 1.0), (1.0, 1.0), (-1.5, 2.0), (0.5, 0.5), (2.0, -1.0), (-1.0, -1.0), (0.1, 0.01), (1.5, 2.25),
           (-0.3, 0.7), (3.0, 9.5), (1e-3, -2e-3), (-2.0, 4.0)]
    gen = torch.Generator().manual_seed(2020)
    extra = (torch.randn(40, 2, generator=gen) * 2).tolist()
    lines = []
    for w0, w1 in pts + [tuple(p) for p in extra]:
        w, v, g = rosenbrock_at(w0, w1)
        lines.append("at %s %s %s %s %s" % (fmt32(w[0]), fmt32(w[1]), fmt32(v), fmt32(g[0]), fmt32(g[1])))
    return lines


def rosenbrock_trajectory(cid, items, make):
    """The lecture's loop: zero_grad, the expression, backward, step; the loss recorded before each step."""
    w = torch.tensor([0.0, 1.0], requires_grad=True)
    opt = make([w])
    rows = []
    steps = 50
    for k in range(steps + 1):
        opt.zero_grad()
        loss = rosenbrock(w)
        rows.append("row %d %s %s %s" % (k, fmt32(w[0].item()), fmt32(w[1].item()), fmt32(loss.item())))
        if k == steps:
            break
        loss.backward()
        opt.step()
    return ["case " + cid, "optimizer " + " ".join(items), "start 0 1", "steps %d" % steps] + rows + ["end"]


def rosenbrock_file():
    lines = ["points"] + rosenbrock_points() + ["end"]
    lines += rosenbrock_trajectory("sgd", ["sgd", "lr=0.04"],
                                   lambda p: torch.optim.SGD(p, lr=0.04, foreach=False))
    lines += rosenbrock_trajectory("momentum", ["sgd", "lr=0.04", "momentum=0.9"],
                                   lambda p: torch.optim.SGD(p, lr=0.04, momentum=0.9, foreach=False))
    lines += rosenbrock_trajectory("momentum_lr0.01", ["sgd", "lr=0.01", "momentum=0.9"],
                                   lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, foreach=False))
    lines += rosenbrock_trajectory("adam", ["adam", "lr=0.04"],
                                   lambda p: torch.optim.Adam(p, lr=0.04, foreach=False))
    return lines


# ----------------------------------------------------------------------------------------------- cases

class Case:
    """A function of named parameters (differentiated) and named constants / inputs / labels (not).

    forms: further functions of the same arguments, recorded at every point as "value.FORM" and "grad.FORM" lines
    (the same loss written another way)."""

    def __init__(self, cid, fn, params, fixed=None, points=2, seed=0, forms=None):
        self.cid, self.fn, self.params, self.fixed, self.points, self.seed = cid, fn, params, fixed or {}, points, seed
        self.forms = forms or {}

    def lines(self):
        gen = torch.Generator().manual_seed(1000 + self.seed)
        fixed = {k: make(gen) for k, make in self.fixed.items()}
        out = ["case " + self.cid]
        for k, (kind, t) in fixed.items():
            if kind == "labels":
                out.append("labels %s %d %s" % (k, t.shape[0], " ".join(str(int(v)) for v in t.tolist())))
            elif kind == "pixels":
                out.append("pixels %s %d %d %s" % (k, t.shape[0], t.shape[1],
                                                   " ".join(str(int(v)) for v in t.reshape(-1).tolist())))
            else:
                out.append(tensor_line(kind, k, t))
        for pt in range(self.points):
            start = {}
            out.append("point %d" % pt)
            for k, make in self.params.items():
                p = make(gen)
                if isinstance(p, tuple):
                    _, q, step = p
                    start[k] = q.float() * step
                    expect = q.numpy().astype(np.float32) * np.float32(step)
                    assert (start[k].numpy().view(np.int32) == expect.view(np.int32)).all(), k
                    out.append("paramq %s %d %s%s %s" % (k, q.dim(), "".join("%d " % d for d in q.shape),
                                                         fmt32(step), " ".join(str(int(v)) for v in
                                                                               q.reshape(-1).tolist())))
                else:
                    start[k] = p.detach().clone()
                    out.append(tensor_line("param", k, start[k]))
            for form, fn in [("", self.fn)] + list(self.forms.items()):
                params = {k: p.clone().requires_grad_(True) for k, p in start.items()}
                args = dict(params)
                args.update({k: (t.float() / 255 if kind == "pixels" else t) for k, (kind, t) in fixed.items()})
                value = fn(args)
                assert value.dtype == torch.float32 and value.numel() == 1, (self.cid, value.dtype, value.shape)
                value.backward()
                suffix = "." + form if form else ""
                out.append("value%s %s" % (suffix, fmt32(value.item())))
                assert np.isfinite(value.item()), self.cid
                for k, p in params.items():
                    g = p.grad if p.grad is not None else torch.zeros_like(p)
                    assert torch.isfinite(g).all(), (self.cid, k)
                    out.append("grad%s %s %s" % (suffix, k, " ".join(fmt32(v) for v in g.reshape(-1).tolist())))
        out.append("end")
        return out


# Generators of values: each takes a torch.Generator.

def randn(*shape, scale=1.0):
    return lambda g: torch.randn(*shape, generator=g) * scale


def quantized(make, step):
    """Values of make rounded to multiples of step (a float32 number): written as integers and step."""
    return lambda g: ("q", torch.round(make(g) / step).int(), float(np.float32(step)))


def uniform(lo, hi, *shape):
    return lambda g: lo + (hi - lo) * torch.rand(*shape, generator=g)


def away(lo, hi, *shape):
    """Magnitudes in [lo, hi), random signs."""
    def make(g):
        m = lo + (hi - lo) * torch.rand(*shape, generator=g)
        s = torch.where(torch.rand(*shape, generator=g) < 0.5, -1.0, 1.0)
        return m * s
    return make


def with_values(make, where_values):
    """make, then set the given flat positions to the given values (zeros for abs / relu, the softplus threshold)."""
    def wrapped(g):
        t = make(g).clone()
        flat = t.view(-1)
        for i, v in where_values:
            flat[i] = v
        return t
    return wrapped


def const(make):
    return lambda g: ("const", make(g))


def inp(make):
    return lambda g: ("input", make(g))


def labels(n, k):
    return lambda g: ("labels", torch.randint(0, k, (n,), generator=g))


R, C = 5, 7


def weighted(t, c):
    return (t * c).sum()


def ops_cases():
    cases = []

    def add(cid, fn, params, fixed=None, points=2):
        cases.append(Case(cid, fn, params, fixed, points, seed=len(cases)))

    cw = {"C": const(randn(R, C))}
    # elementwise functions: sum(f(W) * C) on [5, 7]
    add("neg", lambda a: weighted(-a["W"], a["C"]), {"W": randn(R, C)}, cw)
    add("exp", lambda a: weighted(torch.exp(a["W"]), a["C"]), {"W": randn(R, C)}, cw)
    add("log", lambda a: weighted(torch.log(a["W"]), a["C"]), {"W": uniform(0.05, 4, R, C)}, cw)
    add("log1p", lambda a: weighted(torch.log1p(a["W"]), a["C"]), {"W": uniform(-0.9, 3, R, C)}, cw)
    add("sqrt", lambda a: weighted(torch.sqrt(a["W"]), a["C"]), {"W": uniform(0.05, 5, R, C)}, cw)
    add("abs", lambda a: weighted(torch.abs(a["W"]), a["C"]),
        {"W": with_values(randn(R, C), [(0, 0.0), (17, 0.0), (34, -0.0)])}, cw)
    add("sin", lambda a: weighted(torch.sin(a["W"]), a["C"]), {"W": randn(R, C, scale=3)}, cw)
    add("cos", lambda a: weighted(torch.cos(a["W"]), a["C"]), {"W": randn(R, C, scale=3)}, cw)
    add("tanh", lambda a: weighted(torch.tanh(a["W"]), a["C"]), {"W": randn(R, C, scale=1.5)}, cw)
    add("sigmoid", lambda a: weighted(torch.sigmoid(a["W"]), a["C"]), {"W": randn(R, C, scale=3)}, cw)
    add("relu", lambda a: weighted(torch.relu(a["W"]), a["C"]),
        {"W": with_values(randn(R, C), [(1, 0.0), (20, 0.0)])}, cw)
    add("softplus", lambda a: weighted(F.softplus(a["W"]), a["C"]),
        {"W": with_values(randn(R, C, scale=5), [(2, 20.0), (3, 20.5), (9, 35.0), (11, -30.0), (30, 19.9)])}, cw)
    for p, name, make in [(2, "2", randn(R, C)), (3, "3", randn(R, C)), (0.5, "0.5", uniform(0.05, 5, R, C)),
                          (-1, "-1", away(0.3, 3, R, C)), (1.7, "1.7", uniform(0.05, 4, R, C)),
                          (-0.5, "-0.5", uniform(0.1, 4, R, C)), (-2, "-2", away(0.3, 3, R, C)),
                          (1, "1", randn(R, C)), (0, "0", randn(R, C)), (2.5, "2.5", uniform(0.0, 3, R, C)),
                          (-1.3, "-1.3", uniform(0.2, 3, R, C))]:
        add("pow_" + name, (lambda q: lambda a: weighted(a["W"] ** q, a["C"]))(p), {"W": make}, cw)

    # binary operations and broadcasting ([5, 7] with a row [7] or a column [5, 1])
    add("add_same", lambda a: weighted(a["A"] + a["B"], a["C"]), {"A": randn(R, C), "B": randn(R, C)}, cw)
    add("add_row", lambda a: weighted(a["A"] + a["b"], a["C"]), {"A": randn(R, C), "b": randn(C)}, cw)
    add("add_col", lambda a: weighted(a["A"] + a["c"], a["C"]), {"A": randn(R, C), "c": randn(R, 1)}, cw)
    add("sub_row", lambda a: weighted(a["A"] - a["b"], a["C"]), {"A": randn(R, C), "b": randn(C)}, cw)
    add("sub_row_first", lambda a: weighted(a["b"] - a["A"], a["C"]), {"A": randn(R, C), "b": randn(C)}, cw)
    add("sub_col", lambda a: weighted(a["A"] - a["c"], a["C"]), {"A": randn(R, C), "c": randn(R, 1)}, cw)
    add("mul_same", lambda a: weighted(a["A"] * a["B"], a["C"]), {"A": randn(R, C), "B": randn(R, C)}, cw)
    add("mul_row", lambda a: weighted(a["A"] * a["b"], a["C"]), {"A": randn(R, C), "b": randn(C)}, cw)
    add("mul_col", lambda a: weighted(a["c"] * a["A"], a["C"]), {"A": randn(R, C), "c": randn(R, 1)}, cw)
    add("div_same", lambda a: weighted(a["A"] / a["B"], a["C"]), {"A": randn(R, C), "B": away(0.3, 3, R, C)}, cw)
    add("div_row", lambda a: weighted(a["A"] / a["b"], a["C"]), {"A": randn(R, C), "b": away(0.3, 3, C)}, cw)
    add("div_col", lambda a: weighted(a["A"] / a["c"], a["C"]), {"A": randn(R, C), "c": away(0.3, 3, R, 1)}, cw)
    add("div_col_first", lambda a: weighted(a["c"] / a["A"], a["C"]),
        {"A": away(0.3, 3, R, C), "c": randn(R, 1)}, cw)
    add("outer_col_row", lambda a: weighted(a["c"] * a["b"], a["C"]), {"c": randn(R, 1), "b": randn(C)}, cw)
    add("row_plus_col", lambda a: weighted(a["b"] + a["c"], a["C"]), {"c": randn(R, 1), "b": randn(C)}, cw)
    add("scalars", lambda a: weighted((a["A"] * a["v"][0] + a["v"][1]) / a["v"][2], a["C"]),
        {"A": randn(R, C), "v": away(0.5, 2, 3)}, cw)
    add("numbers", lambda a: weighted((a["A"] * 0.3 + 1.5) / 2.5 - 0.7, a["C"]) + (2 - a["A"]).sum(),
        {"A": randn(R, C)}, cw)
    add("pow_tensor", lambda a: weighted(a["A"] ** a["B"], a["C"]),
        {"A": with_values(uniform(0.1, 3, R, C), [(5, 0.0)]), "B": with_values(randn(R, C), [(5, 1.5)])}, cw)
    add("pow_tensor_row", lambda a: weighted(a["A"] ** a["b"], a["C"]),
        {"A": uniform(0.1, 3, R, C), "b": randn(C)}, cw)
    add("pow_base_col", lambda a: weighted(a["c"] ** a["B"], a["C"]),
        {"c": uniform(0.2, 3, R, 1), "B": randn(R, C)}, cw)
    add("vector_ops", lambda a: ((a["u"] * a["v"] - a["u"] / (a["v"] ** 2 + 1)) * a["c9"]).sum(),
        {"u": randn(9), "v": randn(9)}, {"c9": const(randn(9))})

    # reductions
    c7 = {"C": const(randn(R, C)), "c7": const(randn(C)), "c5": const(randn(R))}
    add("sum_all", lambda a: a["A"].sum() * 1.5, {"A": randn(R, C)}, c7)
    add("sum_axis0", lambda a: (a["A"].sum(0) * a["c7"]).sum(), {"A": randn(R, C)}, c7)
    add("sum_axis1", lambda a: (a["A"].sum(1) * a["c5"]).sum(), {"A": randn(R, C)}, c7)
    add("sum_axis0_keep", lambda a: weighted(a["A"].sum(0, keepdim=True) * a["A"], a["C"]), {"A": randn(R, C)}, c7)
    add("sum_axis1_keep", lambda a: weighted(a["A"].sum(1, keepdim=True) * a["A"], a["C"]), {"A": randn(R, C)}, c7)
    add("mean_all", lambda a: weighted(a["A"], a["C"]) * a["A"].mean(), {"A": randn(R, C)}, c7)
    add("mean_axis0", lambda a: (a["A"].mean(0) * a["c7"]).sum(), {"A": randn(R, C)}, c7)
    add("mean_axis1", lambda a: (a["A"].mean(1) * a["c5"]).mean(), {"A": randn(R, C)}, c7)
    add("mean_axis1_keep", lambda a: weighted(a["A"] - a["A"].mean(1, keepdim=True), a["C"]),
        {"A": randn(R, C)}, c7)
    add("max_all", lambda a: a["A"].max() * 2 + weighted(a["A"], a["C"]), {"A": randn(R, C)}, c7)
    add("max_axis0", lambda a: (a["A"].max(0).values * a["c7"]).sum(), {"A": randn(R, C)}, c7)
    add("max_axis1", lambda a: (a["A"].max(1).values * a["c5"]).sum(), {"A": randn(R, C)}, c7)
    add("max_axis1_keep", lambda a: weighted(torch.exp(a["A"] - a["A"].max(1, keepdim=True).values), a["C"]),
        {"A": randn(R, C)}, c7)
    add("max_axis0_keep", lambda a: weighted(a["A"] / a["A"].abs().max(0, keepdim=True).values, a["C"]),
        {"A": randn(R, C)}, c7)
    add("vector_reductions", lambda a: a["v"].max() * a["v"].mean(0) + (a["v"] * a["v"]).sum(0)
        + a["v"].sum(0, keepdim=True).sum(), {"v": randn(11)})

    # softmax
    add("softmax_rows", lambda a: weighted(torch.softmax(a["A"], dim=1), a["C"]), {"A": randn(R, C, scale=2)}, cw)
    add("log_softmax_rows", lambda a: weighted(F.log_softmax(a["A"], dim=1), a["C"]), {"A": randn(R, C, scale=2)}, cw)
    add("softmax_wide_range", lambda a: weighted(torch.softmax(a["A"] * 30, dim=1), a["C"]), {"A": randn(R, C)}, cw)
    add("softmax_vector", lambda a: (torch.softmax(a["v"], dim=0) * a["c9"]).sum(), {"v": randn(9, scale=2)},
        {"c9": const(randn(9))})
    add("log_softmax_vector", lambda a: (F.log_softmax(a["v"], dim=0) * a["c9"]).sum(), {"v": randn(9, scale=2)},
        {"c9": const(randn(9))})

    # matrices
    add("matmul", lambda a: weighted(a["A"] @ a["B"], a["D"]), {"A": randn(R, C), "B": randn(C, 3)},
        {"D": const(randn(R, 3))})
    add("matmul_vector_matrix", lambda a: ((a["v"] @ a["B"]) * a["d"]).sum(), {"v": randn(C), "B": randn(C, 3)},
        {"d": const(randn(3))})
    add("matmul_matrix_vector", lambda a: ((a["A"] @ a["v"]) * a["c5"]).sum(), {"A": randn(R, C), "v": randn(C)},
        {"c5": const(randn(R))})
    add("matmul_dot", lambda a: (a["u"] @ a["v"]) * (a["u"] @ a["u"]), {"u": randn(C), "v": randn(C)})
    add("transpose", lambda a: weighted(a["A"].t(), a["D"]), {"A": randn(R, C)}, {"D": const(randn(C, R))})
    add("gram", lambda a: weighted(a["A"].t() @ a["A"], a["D"]), {"A": randn(R, C)}, {"D": const(randn(C, C))})
    add("matmul_transposed", lambda a: weighted(a["A"] @ a["B"].t(), a["D"]), {"A": randn(R, C), "B": randn(3, C)},
        {"D": const(randn(R, 3))})

    # slicing, elements, reshape
    add("rosenbrock_9", lambda a: torch.sum((1 - a["w"][:-1])**2 + 10*(a["w"][1:] - a["w"][:-1]**2)**2),
        {"w": randn(9)})
    add("rosenbrock_17_c100", lambda a: torch.sum((1 - a["w"][:-1])**2 + 100*(a["w"][1:] - a["w"][:-1]**2)**2),
        {"w": randn(17)})
    add("slice_rows", lambda a: weighted(a["A"][1:4], a["D"]), {"A": randn(R, C)}, {"D": const(randn(3, C))})
    add("slice_cols", lambda a: weighted(a["A"][:, 2:5] * a["A"][:, -3:], a["D"]), {"A": randn(R, C)},
        {"D": const(randn(R, 3))})
    add("elements", lambda a: a["A"][2, 3] * a["A"][0, 1] + a["v"][4] ** 2 - a["A"][4, 6] / a["v"][0],
        {"A": randn(R, C), "v": away(0.5, 2, 6)})
    add("reshape", lambda a: weighted(a["A"].reshape(C, R), a["D"]) + (a["A"].reshape(-1) * a["d"]).sum()
        + weighted(a["v"].reshape(3, 4), a["E"]), {"A": randn(R, C), "v": randn(12)},
        {"D": const(randn(C, R)), "d": const(randn(R * C)), "E": const(randn(3, 4))})
    add("reshape_matmul", lambda a: (a["v"].reshape(1, -1) @ a["A"].reshape(C, R)).sum(),
        {"A": randn(R, C), "v": randn(C)})

    # composites
    add("beale", lambda a: (1.5 - a["w"][0] + a["w"][0] * a["w"][1])**2
        + (2.25 - a["w"][0] + a["w"][0] * a["w"][1]**2)**2
        + (2.625 - a["w"][0] + a["w"][0] * a["w"][1]**3)**2, {"w": randn(2)}, points=4)
    add("reuse", lambda a: weighted(a["A"] * a["A"] + torch.exp(a["A"]) * a["A"] - torch.sin(a["A"]), a["C"]),
        {"A": randn(R, C)}, cw)
    add("layer_norm", lambda a: weighted(
        (a["A"] - a["A"].mean(1, keepdim=True))
        / torch.sqrt(((a["A"] - a["A"].mean(1, keepdim=True))**2).mean(1, keepdim=True) + 1e-5), a["C"]),
        {"A": randn(R, C, scale=2)}, cw)
    add("logsumexp", lambda a: (torch.log(torch.exp(a["A"] - a["A"].max(1, keepdim=True).values).sum(1))
                                + a["A"].max(1).values).sum(), {"A": randn(R, C, scale=3)})
    add("binary_cross_entropy", lambda a: -(a["t"] * torch.log(torch.sigmoid(a["X"] @ a["w"] + a["v"][0]))
                                            + (1 - a["t"]) * torch.log(1 - torch.sigmoid(a["X"] @ a["w"]
                                                                                          + a["v"][0]))).mean(),
        {"w": randn(C), "v": randn(2)},
        {"X": inp(randn(13, C)), "t": inp(lambda g: (torch.rand(13, generator=g) < 0.5).float())})
    add("mse_linear", lambda a: ((a["X"] @ a["w"] + a["v"][0] - a["t"])**2).mean(),
        {"w": randn(C), "v": randn(2)}, {"X": inp(randn(13, C)), "t": inp(randn(13))})
    add("huber", lambda a: F.huber_loss(a["X"] @ a["W"], a["T"], delta=0.7),
        {"W": randn(C, 3)}, {"X": inp(randn(13, C)), "T": inp(randn(13, 3))})
    add("softplus_log1p_abs", lambda a: (F.softplus(a["A"]) * torch.log1p(a["A"].abs()) + torch.relu(a["A"]).sqrt()
                                         - torch.cos(a["A"]) * torch.tanh(a["A"])).mean(),
        {"A": randn(R, C, scale=2)})
    return cases


# ----------------------------------------------------------------------------------------------- models

def pixels(n, d):
    """The lecture's raw pixels scaled to [0, 1]: integers 0 ... 255, divided by 255 (in float32) when used."""
    return lambda g: ("pixels", torch.randint(0, 256, (n, d), generator=g))


def cross_entropy(a, logits):
    return F.cross_entropy(logits, a["y"])


def cross_entropy_explicit(a, logits):
    return -(F.log_softmax(logits, dim=1).gather(1, a["y"][:, None])).mean()


def softmax_cases():
    """A small case (37 rows, 29 features, 24 classes, two points) with the loss in both forms, and the lecture's size
    (16 rows of 784 pixels, 24 classes, one point) with F.cross_entropy only."""
    explicit = {"explicit": lambda a: cross_entropy_explicit(a, a["x"] @ a["W"] + a["b"])}
    small = Case("softmax_small", lambda a: cross_entropy(a, a["x"] @ a["W"] + a["b"]),
                 {"W": randn(29, 24, scale=0.3), "b": randn(24, scale=0.1)},
                 {"x": inp(randn(37, 29)), "y": labels(37, 24)}, points=2, seed=0, forms=explicit)
    lecture = Case("softmax_lecture", lambda a: cross_entropy(a, a["x"] @ a["W"] + a["b"]),
                   {"W": quantized(randn(784, 24, scale=0.05), 2.0 ** -12), "b": randn(24, scale=0.1)},
                   {"x": pixels(16, 784), "y": labels(16, 24)}, points=1, seed=1)
    return [small, lecture]


def mlp_cases():
    cases = []
    for cid, n, d, h, k, x, points in [("small", 23, 29, 17, 11, inp(randn(23, 29)), 2),
                                       ("lecture", 16, 784, 13, 24, pixels(16, 784), 1)]:
        def fn(a):
            hidden = torch.tanh(a["x"] @ a["W1"] + a["b1"])
            return F.cross_entropy(hidden @ a["W2"] + a["b2"], a["y"])
        b1, b2 = 1 / d ** 0.5, 1 / h ** 0.5
        cases.append(Case("mlp_" + cid, fn,
                          {"W1": (uniform(-b1, b1, d, h) if d < 100 else quantized(uniform(-b1, b1, d, h), 2.0 ** -14)),
                           "b1": uniform(-b1, b1, h),
                           "W2": uniform(-b2, b2, h, k), "b2": uniform(-b2, b2, k)},
                          {"x": x, "y": labels(n, k)}, points=points, seed=10 + len(cases)))
    return cases


def flatten(cases):
    out = []
    for c in cases:
        out += c.lines()
    return out


def write(name, lines):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# Generated by integration-tests/scripts/make_golden_autodiff.py with torch %s (CPU, float32). "
                "Do not edit.\n" % torch.__version__)
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


FILES = {
    "rosenbrock.txt": rosenbrock_file,
    "softmax.txt": lambda: flatten(softmax_cases()),
    "mlp.txt": lambda: flatten(mlp_cases()),
    "ops.txt": lambda: flatten(ops_cases()),
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

#!/usr/bin/python3
"""Writes PyTorch golden data for descent's LBFGS (torch.optim.LBFGS).

Run with Debian's torch 1.13 (CPU), from the repository root:

    /usr/bin/python3 integration-tests/scripts/make_golden_lbfgs.py

It writes four text files into integration-tests/src/test/resources/golden/optim/:

  lbfgs-rosenbrock.txt  LBFGS on the lecture's R(w) = (1 - w1)^2 + 10 (w2 - w1^2)^2 from (0, 1), the problem and
                        gradient of make_golden_optim.py's rosenbrock.txt
  lbfgs-rosenbrock-dot64.txt
                        the same cases with one change to torch: x.dot(y) accumulates in float64 and is rounded once
                        to float32, as descent's backends compute a dot product (torch's own BLAS sdot accumulates in
                        float32); everything else is torch's LBFGS unchanged
  lbfgs-softmax.txt     LBFGS on make_golden_optim.py's softmax regression (the same 64x10 features and 4 classes,
                        weights from zero, mean cross-entropy, full batch)
  lbfgs-linear.txt      LBFGS on the linear L(w) = sum(a * w), which has no minimum: the strong-Wolfe line search
                        extrapolates until it gives up after 25 evaluations (the branch no smooth problem reaches)

Each step is one opt.step(closure); the closure is the problem's step up to backward (zero_grad, loss, backward) and
returns the loss. The cases vary lr, max_iter, max_eval, history_size, the tolerances and the line search so that
together they take every branch of torch's _strong_wolfe and _cubic_interpolate but one (moving a trial step 0.1 of
the bracket away from its upper end, the mirror image of the lower end's) and every stopping rule of LBFGS.step.

Format (as make_golden_optim.py's, plus two lines):
    case ID
    optimizer lbfgs key=value ...         descent's settings by torch name (line_search none|strong_wolfe)
    schedule constant
    clip none
    steps N epoch 1
    lr.0 v1 ... vN                        the learning rate of each step
    loss v1 ... vN                        the loss the step returned (its first evaluation), Python repr
    func_evals v1 ... vN                  torch's state['func_evals'] after each step
    n_iter v1 ... vN                      torch's state['n_iter'] after each step
    param STEP NAME v ...                 parameter values after STEP steps (float32, row-major)
    end
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden_optim import OUT, Rosenbrock, Softmax, fmt32, fmtd  # noqa: E402  (same problems, same data)

torch.set_num_threads(1)

TORCH_DOT = torch.Tensor.dot


def dot_float64(self, other):
    """x.dot(y) accumulated in float64, rounded once to float32."""
    return torch.dot(self.double(), other.double()).float()


class Linear:
    """L(w) = sum(a * w) over one tensor w [2]: float32, loss fl(fl(a1 w1) + fl(a2 w2)), gradient exactly a."""
    name = "linear"

    def __init__(self):
        self.a = torch.tensor([0.75, -1.25])
        self.params = {"w": torch.tensor([0.0, 1.0], requires_grad=True)}

    def header(self):
        return ["problem linear", "param_shape w 2", "init w 0 1", "coefficients w 0.75 -1.25"]

    def loss_and_grad(self, negate, opt):
        opt.zero_grad()
        loss = (self.a * self.params["w"]).sum()
        loss.backward()
        return loss.item()


def run_case(problem_cls, cid, settings, steps):
    """settings: descent's names (line_search none|strong_wolfe); torch gets the same values."""
    prob = problem_cls()
    params = list(prob.params.values())
    kw = {}
    for k, v in settings.items():
        if k == "line_search":
            kw["line_search_fn"] = None if v == "none" else v
        elif k in ("max_iter", "max_eval", "history_size"):
            kw[k] = int(v)
        else:
            kw[k] = float(v)
    opt = torch.optim.LBFGS(params, **kw)

    def closure():
        return prob.loss_and_grad(False, opt)

    lrs, losses, evals, iters, records = [], [], [], [], []
    for step in range(1, steps + 1):
        lrs.append(opt.param_groups[0]["lr"])
        loss = opt.step(closure)
        losses.append(float(loss))
        state = opt.state[params[0]]
        evals.append(state["func_evals"])
        iters.append(state["n_iter"])
        for pname, p in prob.params.items():
            records.append("param %d %s %s" % (step, pname,
                           " ".join(fmt32(v) for v in p.detach().reshape(-1).tolist())))
        assert all(torch.isfinite(p).all() for p in params), (cid, step)
    lines = ["case " + cid, "optimizer lbfgs " + " ".join("%s=%s" % kv for kv in settings.items()),
             "schedule constant", "clip none", "steps %d epoch 1" % steps,
             "lr.0 " + " ".join(fmtd(v) for v in lrs),
             "loss " + " ".join(fmtd(v) for v in losses),
             "func_evals " + " ".join(str(v) for v in evals),
             "n_iter " + " ".join(str(v) for v in iters)]
    lines += records
    lines.append("end")
    return lines


SW = "strong_wolfe"


def rosenbrock_cases():
    P = Rosenbrock
    c = []
    c.append(run_case(P, "defaults", {}, 5))
    c.append(run_case(P, "strong_wolfe", {"line_search": SW}, 5))
    c.append(run_case(P, "sw_history3_iter5", {"line_search": SW, "history_size": "3", "max_iter": "5"}, 6))
    c.append(run_case(P, "fixed_lr0.2_history5_iter4", {"lr": "0.2", "history_size": "5", "max_iter": "4"}, 15))
    c.append(run_case(P, "fixed_lr0.5_iter1", {"lr": "0.5", "max_iter": "1"}, 30))
    c.append(run_case(P, "sw_iter1", {"line_search": SW, "max_iter": "1"}, 20))
    c.append(run_case(P, "sw_iter10_eval4", {"line_search": SW, "max_iter": "10", "max_eval": "4"}, 6))
    c.append(run_case(P, "sw_history1_iter3", {"line_search": SW, "history_size": "1", "max_iter": "3"}, 10))
    c.append(run_case(P, "sw_lr2_iter4", {"lr": "2", "line_search": SW, "max_iter": "4"}, 8))
    # zoom branches, extrapolation past the minimum, the gradient tolerance (also before the first iteration)
    c.append(run_case(P, "sw_lr10_history1_iter5_tolgrad", {"lr": "10", "line_search": SW, "history_size": "1",
                                                            "max_iter": "5", "tolerance_grad": "0.001"}, 10))
    # a trial step 0.1 of the bracket above its lower end
    c.append(run_case(P, "sw_lr1000_iter1_history1", {"lr": "1000", "line_search": SW, "max_iter": "1",
                                                      "history_size": "1"}, 10))
    # extrapolation, a cubic without a real minimiser, the zoom's bracket tolerance
    c.append(run_case(P, "sw_lr1e-4_history1", {"lr": "0.0001", "line_search": SW, "history_size": "1"}, 6))
    # the step-size and loss-change tolerances
    c.append(run_case(P, "sw_lr1e-4_history1_iter5_tolchange", {"lr": "0.0001", "line_search": SW,
                                                                "history_size": "1", "max_iter": "5",
                                                                "tolerance_change": "0.01"}, 8))
    c.append(run_case(P, "fixed_lr0.01_history1_iter5_tolchange", {"lr": "0.01", "history_size": "1",
                                                                   "max_iter": "5", "tolerance_change": "0.001"}, 10))
    return c


def softmax_cases():
    P = Softmax
    c = []
    c.append(run_case(P, "fixed_iter10", {"max_iter": "10"}, 1))
    c.append(run_case(P, "sw_iter5", {"line_search": SW, "max_iter": "5"}, 2))
    c.append(run_case(P, "sw_iter4_history3", {"line_search": SW, "max_iter": "4", "history_size": "3"}, 5))
    c.append(run_case(P, "fixed_lr0.5_iter3", {"lr": "0.5", "max_iter": "3"}, 8))
    return c


def linear_cases():
    P = Linear
    return [run_case(P, "sw_iter1_max_ls", {"line_search": SW, "max_iter": "1"}, 1),
            run_case(P, "fixed_iter3", {"max_iter": "3"}, 3)]


def write(name, lines):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# Generated by integration-tests/scripts/make_golden_lbfgs.py with torch %s (CPU, float32). "
                "Do not edit.\n" % torch.__version__)
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main():
    os.makedirs(OUT, exist_ok=True)
    r = Rosenbrock().header()
    for case in rosenbrock_cases():
        r += case
    write("lbfgs-rosenbrock.txt", r)
    torch.Tensor.dot = dot_float64
    try:
        r = Rosenbrock().header()
        for case in rosenbrock_cases():
            r += case
    finally:
        torch.Tensor.dot = TORCH_DOT
    write("lbfgs-rosenbrock-dot64.txt", r)
    s = Softmax().header()
    for case in softmax_cases():
        s += case
    write("lbfgs-softmax.txt", s)
    lin = Linear().header()
    for case in linear_cases():
        lin += case
    write("lbfgs-linear.txt", lin)
    return 0


if __name__ == "__main__":
    sys.exit(main())

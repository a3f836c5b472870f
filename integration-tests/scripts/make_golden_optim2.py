#!/usr/bin/python3
"""Writes PyTorch golden data for NAdam, RAdam, Adamax and Adadelta (descent's nadam, radam, adamax, adadelta).

Run with Debian's torch 1.13 (CPU), from the repository root:

    /usr/bin/python3 integration-tests/scripts/make_golden_optim2.py

It writes three text files into integration-tests/src/test/resources/golden/optim/, with the problems, the case format
and the conventions of make_golden_optim.py (whose helpers it uses):

  rosenbrock2.txt  trajectories on R(w) = (1 - w1)^2 + 10 (w2 - w1^2)^2 from (0, 1), 200 steps, every step recorded
  quadratic2.txt   trajectories on the separable quadratic over two tensors (37 and 5 elements), 30 steps
  softmax2.txt     trajectories of softmax regression (64x10 -> 4 classes, weights from zero), 50 steps

Every step is torch.optim.NAdam / RAdam / Adamax / Adadelta with foreach=False (the single-tensor code that descent
follows), float32. Torch 1.13's NAdam and RAdam have no maximize argument; their "maximize" cases negate the
gradients exactly before the step, which is what maximize=True does in the torch versions that have it (and what
descent does). The objective of a maximize case is the negated loss, as in make_golden_optim.py, so the two
negations cancel and the optimizer descends the loss.
"""
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_golden_optim as base  # noqa: E402  (the problems, schedules, run_case and the file format)

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)


class NegatedGradients:
    """maximize for the torch 1.13 optimizers that lack it: the gradients are negated in place, then the step."""

    def __init__(self, opt):
        self.opt = opt
        self.param_groups = opt.param_groups

    def zero_grad(self):
        self.opt.zero_grad()

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is not None:
                    p.grad.neg_()
        self.opt.step()


_base_make_optimizer = base.make_optimizer


def make_optimizer(name, settings, groups):
    s = dict(settings)

    def num(k, d):
        return float(s[k]) if k in s else d

    def flag(k):
        return s.get(k, "false") == "true"

    def betas():
        return tuple(float(b) for b in s["betas"].split(",")) if "betas" in s else (0.9, 0.999)

    if name == "nadam":
        opt = torch.optim.NAdam(groups, lr=num("lr", 2e-3), betas=betas(), eps=num("eps", 1e-8),
                                weight_decay=num("weight_decay", 0.0), momentum_decay=num("momentum_decay", 4e-3),
                                foreach=False)
        return NegatedGradients(opt) if flag("maximize") else opt
    if name == "radam":
        opt = torch.optim.RAdam(groups, lr=num("lr", 1e-3), betas=betas(), eps=num("eps", 1e-8),
                                weight_decay=num("weight_decay", 0.0), foreach=False)
        return NegatedGradients(opt) if flag("maximize") else opt
    if name == "adamax":
        return torch.optim.Adamax(groups, lr=num("lr", 2e-3), betas=betas(), eps=num("eps", 1e-8),
                                  weight_decay=num("weight_decay", 0.0), maximize=flag("maximize"), foreach=False)
    if name == "adadelta":
        return torch.optim.Adadelta(groups, lr=num("lr", 1.0), rho=num("rho", 0.9), eps=num("eps", 1e-6),
                                    weight_decay=num("weight_decay", 0.0), maximize=flag("maximize"), foreach=False)
    return _base_make_optimizer(name, settings, groups)


base.make_optimizer = make_optimizer  # run_case looks it up in its module at call time


def rosenbrock_cases():
    # The settings keep each trajectory well-conditioned: rounding each operation separately (no fused multiply-add,
    # as the CUDA kernels do) moves them by at most about 1e-5. Some nearby settings are chaotic on this function
    # (Adadelta at lr 2 or 0.5 with rho 0.8, RAdam with betas 0.8,0.9), where one rounding difference grows to 1e-2.
    P = base.Rosenbrock
    run = base.run_case
    c = []
    c.append(run(P, "nadam_defaults", ["nadam"]))
    c.append(run(P, "nadam", ["nadam", "lr=0.02"]))
    c.append(run(P, "nadam_betas_eps_momentum_decay",
                 ["nadam", "lr=0.02", "betas=0.8,0.99", "eps=0.001", "momentum_decay=0.01"]))
    c.append(run(P, "nadam_weight_decay", ["nadam", "lr=0.02", "weight_decay=0.1"]))
    c.append(run(P, "nadam_maximize", ["nadam", "lr=0.02", "maximize=true"]))
    c.append(run(P, "radam_defaults", ["radam"]))
    c.append(run(P, "radam", ["radam", "lr=0.02"]))
    c.append(run(P, "radam_betas_eps", ["radam", "lr=0.02", "betas=0.9,0.9", "eps=1e-06"]))
    c.append(run(P, "radam_weight_decay", ["radam", "lr=0.02", "weight_decay=0.1"]))
    c.append(run(P, "radam_never_rectified", ["radam", "lr=0.002", "betas=0.9,0.6"]))  # rho_inf = 4
    c.append(run(P, "radam_maximize", ["radam", "lr=0.02", "maximize=true"]))
    c.append(run(P, "adamax_defaults", ["adamax"]))
    c.append(run(P, "adamax", ["adamax", "lr=0.02"]))
    c.append(run(P, "adamax_betas_eps", ["adamax", "lr=0.02", "betas=0.8,0.5", "eps=0.01"]))
    c.append(run(P, "adamax_weight_decay_maximize", ["adamax", "lr=0.02", "weight_decay=0.1", "maximize=true"]))
    c.append(run(P, "adadelta_defaults", ["adadelta"]))
    c.append(run(P, "adadelta_rho_eps", ["adadelta", "lr=1.0", "rho=0.8", "eps=0.0001"]))
    c.append(run(P, "adadelta_weight_decay_maximize", ["adadelta", "lr=1.0", "weight_decay=0.1", "maximize=true"]))
    c.append(run(P, "adadelta_rho_one", ["adadelta", "lr=0.001", "rho=1.0"]))  # the averages stay 0: delta = g
    # schedules (an epoch is 10 steps) and clipping
    c.append(run(P, "sched_exponential_step_nadam", ["nadam", "lr=0.05"], base.exp_lr(0.99, "step")))
    c.append(run(P, "sched_step_radam", ["radam", "lr=0.05"], base.step_lr(5, 0.5, "epoch")))
    c.append(run(P, "sched_cosine_adamax", ["adamax", "lr=0.05"], base.cosine_lr(8, 0.001, "epoch")))
    c.append(run(P, "sched_warmup_adadelta", ["adadelta", "lr=2.0"],
                 base.warmup(30, 0.1, base.cosine_lr(170, 0.1, "step"), "step")))
    # (clipping by norm is on softmax2.txt: here the last bit of torch's float32 total norm, which descent sums in
    # double, is amplified beyond the tolerance by step 29)
    c.append(run(P, "clip_value_nadam", ["nadam", "lr=0.02"], clip="value:5.0"))
    c.append(run(P, "clip_value_adamax", ["adamax", "lr=0.02"], clip="value:1.0"))
    return c


def quadratic_cases():
    P = base.Quadratic
    run = base.run_case
    c = []
    c.append(run(P, "nadam_wd", ["nadam", "lr=0.05", "weight_decay=0.05"]))
    c.append(run(P, "nadam_maximize", ["nadam", "lr=0.05", "betas=0.8,0.9", "momentum_decay=0.02",
                                       "maximize=true"]))
    c.append(run(P, "radam", ["radam", "lr=0.05", "weight_decay=0.1"]))
    c.append(run(P, "radam_betas_maximize", ["radam", "lr=0.05", "betas=0.8,0.9", "eps=1e-06", "maximize=true"]))
    c.append(run(P, "adamax", ["adamax", "lr=0.05", "weight_decay=0.1"]))
    c.append(run(P, "adamax_betas_eps_maximize", ["adamax", "lr=0.05", "betas=0.7,0.6", "eps=0.001",
                                                  "maximize=true"]))
    c.append(run(P, "adadelta", ["adadelta", "lr=1.0", "weight_decay=0.01"]))
    c.append(run(P, "adadelta_rho_eps_maximize", ["adadelta", "lr=3.0", "rho=0.7", "eps=0.0001", "maximize=true"]))
    c.append(run(P, "groups_sched_nadam", ["nadam", "lr=0.05"], base.cosine_lr(10, 0.001, "step"),
                 groups=[("u", {"weight_decay": "0.2"}), ("v", {"lr": "0.1"})]))
    c.append(run(P, "groups_radam", ["radam", "lr=0.05"],
                 groups=[("v", {"weight_decay": "0.1"}), ("u", {"lr": "0.02"})]))
    return c


def softmax_cases():
    P = base.Softmax
    run = base.run_case
    c = []
    c.append(run(P, "nadam", ["nadam", "lr=0.05"]))
    c.append(run(P, "nadam_weight_decay", ["nadam", "lr=0.05", "weight_decay=0.1", "momentum_decay=0.01"]))
    c.append(run(P, "radam", ["radam", "lr=0.05"]))
    # (betas 0.8,0.9 with weight decay 0.1 here is ill-conditioned: torch itself moves by 1e-5 when its gradients are
    # rounded differently, as descent's GEMM and cross-entropy round them; 0.8,0.99 moves by 3e-7)
    c.append(run(P, "radam_betas_weight_decay", ["radam", "lr=0.05", "betas=0.8,0.99", "weight_decay=0.1"]))
    c.append(run(P, "adamax", ["adamax", "lr=0.05"]))
    c.append(run(P, "adamax_weight_decay", ["adamax", "lr=0.05", "betas=0.9,0.99", "weight_decay=0.1"]))
    c.append(run(P, "adadelta", ["adadelta"]))
    c.append(run(P, "adadelta_rho_weight_decay", ["adadelta", "lr=5.0", "rho=0.95", "weight_decay=0.1"]))
    c.append(run(P, "groups_nadam", ["nadam", "lr=0.05"],
                 groups=[("W", {"lr": "0.05", "weight_decay": "0.01"}), ("b", {"lr": "0.02"})]))
    c.append(run(P, "sched_cosine_radam", ["radam", "lr=0.05"], base.cosine_lr(4, 0.001, "epoch")))
    c.append(run(P, "clip_norm_adamax", ["adamax", "lr=0.05"], clip="norm:0.05"))
    return c


def write(name, lines):
    path = os.path.join(base.OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# Generated by integration-tests/scripts/make_golden_optim2.py with torch %s (CPU, float32). "
                "Do not edit.\n" % torch.__version__)
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main():
    os.makedirs(base.OUT, exist_ok=True)
    r = base.Rosenbrock().header()
    for case in rosenbrock_cases():
        r += case
    write("rosenbrock2.txt", r)
    q = base.Quadratic().header()
    for case in quadratic_cases():
        q += case
    write("quadratic2.txt", q)
    s = base.Softmax().header()
    for case in softmax_cases():
        s += case
    write("softmax2.txt", s)
    return 0


if __name__ == "__main__":
    sys.exit(main())

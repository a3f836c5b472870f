#!/usr/bin/python3
"""Writes PyTorch golden data for descent's optimizers, schedules and gradient clipping.

Run with Debian's torch 1.13 (CPU), from the repository root:

    /usr/bin/python3 integration-tests/scripts/make_golden_optim.py

It writes four text files into integration-tests/src/test/resources/golden/optim/ (name some of them as arguments,
e.g. "make_golden_optim.py schedules.txt", to write only those):

  rosenbrock.txt  trajectories on R(w) = (1 - w1)^2 + 10 (w2 - w1^2)^2 from (0, 1), 200 steps
  quadratic.txt   trajectories on a separable quadratic over two tensors (37 and 5 elements), 30 steps, whose gradient
                  c (w - t) both sides compute identically in float32
  softmax.txt     trajectories of softmax regression (64x10 features -> 4 classes, weights from zero,
                  mean cross-entropy, full batch), 50 steps
  schedules.txt   learning rates of torch.optim.lr_scheduler for two parameter groups over whole runs: 60 epochs, or
                  a case's own number of scheduler steps ("events N")

Every tensor is float32 and every step uses torch.optim / torch.nn.utils / torch.optim.lr_scheduler, except the
textbook "ema-momentum" (v <- beta v + (1 - beta) g, w <- w - lr v, v0 = 0), which torch does not have and is written
below with the same tensor operations torch's SGD uses.

Rosenbrock: the lecture's loop on a float32 tensor, the gradient by torch autograd:
    w = torch.tensor([0.0, 1.0], requires_grad=True); opt = torch.optim.X([w], ...)
    each step: opt.zero_grad(); loss = (1 - w[0])**2 + 10*(w[1] - w[0]**2)**2; loss.backward(); opt.step()
(with the clipping call between backward and step, and the scheduler call after the step). The Java side takes the
gradient from dev.descent.objective.Rosenbrock.lecture(), which reproduces these autograd operations bit for bit.

Format of a trajectory case (one item per line, numbers separated by single spaces):
    case ID
    optimizer NAME key=value ...          descent's optimizer name and torch-named settings
    group NAMES key=value ...             optional, repeated: a parameter group (comma-separated parameter names)
    schedule SPEC                         descent's Schedule.parse text
    clip none | norm:MAX | value:C
    steps N epoch E                       N optimizer steps; an epoch ends after every E steps
    lr.G v1 ... vN                        learning rate of group G used by each step (Python repr)
    loss v1 ... vN                        loss before each step (float32, 9 significant digits; quadratic: double)
    param STEP NAME v ...                 parameter values after STEP steps (float32, row-major)
    end
Per-epoch schedules advance at each epoch end; per-step ones after each step; reduce-on-plateau is fed the loss of the
epoch's last step. For "maximize" cases the objective is the negated loss (its gradient negated exactly), so that the
maximizing optimizer descends the loss; the loss column still holds the (positive) loss.
"""
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden", "optim")
f32 = np.float32


def fmt32(x):
    return "%.9g" % float(x)


def fmtd(x):
    return repr(float(x))


# ----------------------------------------------------------------------------------------------- optimizers

class EmaMomentum(torch.optim.Optimizer):
    """The lecture's momentum: v <- beta v + (1 - beta) g; w <- w - lr v; v0 = 0 (no first-step copy)."""

    def __init__(self, params, lr, beta=0.9, weight_decay=0.0, maximize=False):
        super().__init__(params, dict(lr=lr, beta=beta, weight_decay=weight_decay, maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                d_p = p.grad if not group["maximize"] else -p.grad
                if group["weight_decay"] != 0:
                    d_p = d_p.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = torch.zeros_like(p)
                v = state["velocity"]
                v.mul_(group["beta"]).add_(d_p, alpha=1 - group["beta"])
                p.add_(v, alpha=-group["lr"])


def parse_settings(items):
    out = {}
    for it in items:
        k, v = it.split("=", 1)
        out[k] = v
    return out


def make_optimizer(name, settings, groups):
    s = dict(settings)

    def num(k, d):
        return float(s[k]) if k in s else d

    def flag(k):
        return s.get(k, "false") == "true"

    if name in ("sgd", "momentum"):
        return torch.optim.SGD(groups, lr=num("lr", 1e-3), momentum=num("momentum", 0.9 if name == "momentum" else 0.0),
                               dampening=num("dampening", 0.0), nesterov=flag("nesterov"),
                               weight_decay=num("weight_decay", 0.0), maximize=flag("maximize"), foreach=False)
    if name == "ema-momentum":
        return EmaMomentum(groups, lr=num("lr", 1e-3), beta=num("beta", 0.9), weight_decay=num("weight_decay", 0.0),
                           maximize=flag("maximize"))
    if name in ("adam", "adamw"):
        betas = tuple(float(b) for b in s["betas"].split(",")) if "betas" in s else (0.9, 0.999)
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return cls(groups, lr=num("lr", 1e-3), betas=betas, eps=num("eps", 1e-8),
                   weight_decay=num("weight_decay", 0.0 if name == "adam" else 0.01), amsgrad=flag("amsgrad"),
                   maximize=flag("maximize"), foreach=False)
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=num("lr", 1e-2), alpha=num("alpha", 0.99), eps=num("eps", 1e-8),
                                   weight_decay=num("weight_decay", 0.0), momentum=num("momentum", 0.0),
                                   centered=flag("centered"), maximize=flag("maximize"), foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(groups, lr=num("lr", 1e-2), lr_decay=num("lr_decay", 0.0),
                                   weight_decay=num("weight_decay", 0.0),
                                   initial_accumulator_value=num("initial_accumulator_value", 0.0),
                                   eps=num("eps", 1e-10), maximize=flag("maximize"), foreach=False)
    raise ValueError(name)


# ----------------------------------------------------------------------------------------------- schedules
# A schedule is given both as descent's spec text and as a torch constructor; "unit" says when it advances.

class Sched:
    def __init__(self, spec, make, unit, plateau=False):
        self.spec, self.make, self.unit, self.plateau = spec, make, unit, plateau


CONSTANT = Sched("constant", None, None)


def step_lr(step_size, gamma, unit):
    return Sched("step(step_size=%d, gamma=%r, unit=%s)" % (step_size, gamma, unit),
                 lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=step_size, gamma=gamma), unit)


def exp_lr(gamma, unit):
    return Sched("exponential(gamma=%r, unit=%s)" % (gamma, unit),
                 lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=gamma), unit)


def cosine_lr(t_max, eta_min, unit):
    return Sched("cosine(t_max=%d, eta_min=%r, unit=%s)" % (t_max, eta_min, unit),
                 lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min), unit)


def warmup(w, start, then, unit):
    """torch: SequentialLR([LinearLR(start, total_iters=w), then], milestones=[w]); both in the same unit."""
    def make(o):
        lin = torch.optim.lr_scheduler.LinearLR(o, start_factor=start, total_iters=w)
        nxt = then.make(o) if then.make is not None else torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0)
        return torch.optim.lr_scheduler.SequentialLR(o, [lin, nxt], milestones=[w])
    return Sched("warmup(warmup=%d, unit=%s, start_factor=%r, then=%s)" % (w, unit, start, then.spec), make, unit)


def multistep_lr(milestones, gamma, unit):
    return Sched("multistep(milestones=[%s], gamma=%r, unit=%s)" % (", ".join("%d" % m for m in milestones), gamma,
                                                                     unit),
                 lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=milestones, gamma=gamma), unit)


def linear_lr(start, end, total, unit):
    return Sched("linear(start_factor=%r, end_factor=%r, total_iters=%d, unit=%s)" % (start, end, total, unit),
                 lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=start, end_factor=end, total_iters=total),
                 unit)


def polynomial_lr(total, power, unit):
    return Sched("polynomial(total_iters=%d, power=%r, unit=%s)" % (total, power, unit),
                 lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=total, power=power), unit)


def warm_restarts(t_0, t_mult, eta_min, unit):
    """CosineAnnealingWarmRestarts, stepped without an epoch argument."""
    return Sched("cosine-warm-restarts(t_0=%d, t_mult=%d, eta_min=%r, unit=%s)" % (t_0, t_mult, eta_min, unit),
                 lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=t_0, T_mult=t_mult,
                                                                                eta_min=eta_min), unit)


def onecycle(total, max_lr=None, pct=0.3, anneal="cos", div=25.0, final_div=1e4, three=False, unit="step"):
    """OneCycleLR without momentum cycling; max_lr None: each group peaks at its own lr (torch: the list of them)."""
    spec = ("onecycle(%stotal_steps=%d, pct_start=%r, anneal=%s, div_factor=%r, final_div_factor=%r, three_phase=%s, "
            "unit=%s)" % ("" if max_lr is None else "max_lr=%r, " % max_lr, total, pct, anneal, div, final_div,
                          "true" if three else "false", unit))

    def make(o):
        peak = [g["lr"] for g in o.param_groups] if max_lr is None else max_lr
        return torch.optim.lr_scheduler.OneCycleLR(o, max_lr=peak, total_steps=total, pct_start=pct,
                                                   anneal_strategy=anneal, cycle_momentum=False, div_factor=div,
                                                   final_div_factor=final_div, three_phase=three)
    return Sched(spec, make, unit)


def cyclic(base_lr, max_lr, up, down=None, mode="triangular", gamma=1.0, unit="step"):
    spec = ("cyclic(base_lr=%r, max_lr=%r, step_size_up=%d, step_size_down=%d, mode=%s, gamma=%r, unit=%s)"
            % (base_lr, max_lr, up, up if down is None else down, mode, gamma, unit))
    return Sched(spec, lambda o: torch.optim.lr_scheduler.CyclicLR(
        o, base_lr=base_lr, max_lr=max_lr, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma,
        cycle_momentum=False), unit)


# User-defined schedules: the Java test (ScheduleGoldenTest) defines the same functions under these names.
LAMBDAS = {
    "inverse": lambda k: 1.0 / (1.0 + 0.1 * k),
    "halving": lambda k: 0.5 ** (k // 10),
    "ramp10": lambda k: min(1.0, (k + 1) / 10),
}


def lambda_lr(name, unit):
    return Sched("lambda(name=%s, unit=%s)" % (name, unit),
                 lambda o: torch.optim.lr_scheduler.LambdaLR(o, lr_lambda=LAMBDAS[name]), unit)


def plateau(factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0, mode="min",
            eps=1e-8):
    spec = ("plateau(mode=%s, factor=%r, patience=%d, threshold=%r, threshold_mode=%s, cooldown=%d, min_lr=%r, eps=%r)"
            % (mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps))
    return Sched(spec, lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
        o, mode=mode, factor=factor, patience=patience, threshold=threshold, threshold_mode=threshold_mode,
        cooldown=cooldown, min_lr=min_lr, eps=eps), "epoch", plateau=True)


# ----------------------------------------------------------------------------------------------- problems

class Rosenbrock:
    name = "rosenbrock"
    steps = 200
    epoch = 10
    record = None  # every step

    def __init__(self):
        self.params = {"w": torch.tensor([0.0, 1.0], requires_grad=True)}
        assert self.params["w"].dtype == torch.float32

    def header(self):
        return ["problem rosenbrock", "param_shape w 2", "init w 0 1"]

    def loss_and_grad(self, negate, opt):
        """The lecture's step up to backward: zero_grad, the loss expression, backward (of -loss when maximizing)."""
        w = self.params["w"]
        opt.zero_grad()
        loss = (1 - w[0])**2 + 10*(w[1] - w[0]**2)**2
        assert loss.dtype == torch.float32
        (-loss if negate else loss).backward()
        return f32(loss.item())


class Quadratic:
    """L = sum_i 0.5 c_i (w_i - t_i)^2 over two tensors u [37] and v [5] (vector loops and their tails).

    Gradient in float32, one rounding per operation on both sides: d = w - t; g = c * d. The loss is summed in double
    over the elements in order (u, then v): sum += 0.5 * c * d * d with c and d as float32 values widened to double."""
    name = "quadratic"
    steps = 30
    epoch = 5
    record = None

    def __init__(self):
        gen = torch.Generator().manual_seed(99)
        self.init = {"u": torch.randn(37, generator=gen), "v": torch.randn(5, generator=gen)}
        self.target = {"u": torch.randn(37, generator=gen), "v": torch.randn(5, generator=gen)}
        self.curv = {k: 0.5 + 2.5 * torch.rand(v.shape[0], generator=gen) for k, v in self.init.items()}
        self.params = {k: v.clone().requires_grad_(True) for k, v in self.init.items()}

    def header(self):
        lines = ["problem quadratic"]
        for k in ("u", "v"):
            lines.append("param_shape %s %d" % (k, self.init[k].shape[0]))
            lines.append("init %s " % k + " ".join(fmt32(x) for x in self.init[k].tolist()))
            lines.append("target %s " % k + " ".join(fmt32(x) for x in self.target[k].tolist()))
            lines.append("curvature %s " % k + " ".join(fmt32(x) for x in self.curv[k].tolist()))
        return lines

    def loss_and_grad(self, negate, opt):
        total = 0.0
        for k in ("u", "v"):
            p = self.params[k]
            with torch.no_grad():
                d = p - self.target[k]
                g = self.curv[k] * d
            for ci, di in zip(self.curv[k].tolist(), d.tolist()):
                total += 0.5 * ci * di * di
            p.grad = -g if negate else g
        return total


class Softmax:
    name = "softmax"
    steps = 50
    epoch = 5
    record = {1, 2, 3, 5, 10, 20, 30, 40, 50}

    def __init__(self):
        gen = torch.Generator().manual_seed(1234)
        self.x = torch.randn(64, 10, generator=gen, dtype=torch.float32)
        self.y = torch.randint(0, 4, (64,), generator=gen)
        self.params = {"W": torch.zeros(10, 4, dtype=torch.float32, requires_grad=True),
                       "b": torch.zeros(4, dtype=torch.float32, requires_grad=True)}

    def header(self):
        lines = ["problem softmax", "param_shape W 10 4", "param_shape b 4", "init W zeros", "init b zeros"]
        lines.append("x 64 10 " + " ".join(fmt32(v) for v in self.x.reshape(-1).tolist()))
        lines.append("y 64 " + " ".join(str(int(v)) for v in self.y.tolist()))
        return lines

    def loss_and_grad(self, negate, opt):
        for p in self.params.values():
            p.grad = None
        logits = self.x @ self.params["W"] + self.params["b"]
        loss = F.cross_entropy(logits, self.y)
        (-loss if negate else loss).backward()
        return f32(loss.item())


def check_margin(sch, metric, cid):
    """Refuses a plateau decision closer than 1e-4 (relative) to its threshold: float32 rounding could flip it."""
    if math.isinf(sch.best):
        return
    if sch.threshold_mode == "rel":
        edge = sch.best * (1 - sch.threshold if sch.mode == "min" else 1 + sch.threshold)
    else:
        edge = sch.best - sch.threshold if sch.mode == "min" else sch.best + sch.threshold
    assert abs(metric - edge) > 1e-4 * abs(metric), (cid, metric, edge)


def run_case(problem_cls, cid, opt_items, sched=CONSTANT, clip="none", groups=None):
    prob = problem_cls()
    name = opt_items[0]
    settings = parse_settings(opt_items[1:])
    negate = settings.get("maximize", "false") == "true"
    if groups:
        tgroups = []
        for names, extra in groups:
            g = {"params": [prob.params[n] for n in names.split(",")]}
            g.update({k: float(v) for k, v in extra.items()})
            tgroups.append(g)
    else:
        tgroups = [{"params": list(prob.params.values())}]
    opt = make_optimizer(name, settings, tgroups)
    sch = sched.make(opt) if sched.make is not None else None
    all_params = [p for g in tgroups for p in g["params"]]
    lrs = [[] for _ in tgroups]
    losses = []
    records = []
    for step in range(1, prob.steps + 1):
        loss = prob.loss_and_grad(negate, opt)
        losses.append(loss)
        if clip.startswith("norm:"):
            torch.nn.utils.clip_grad_norm_(all_params, float(clip[5:]))
        elif clip.startswith("value:"):
            torch.nn.utils.clip_grad_value_(all_params, float(clip[6:]))
        for gi, g in enumerate(opt.param_groups):
            lrs[gi].append(g["lr"])
        opt.step()
        if sch is not None and sched.unit == "step":
            sch.step()
        if step % prob.epoch == 0 and sch is not None and sched.unit == "epoch":
            if sched.plateau:
                check_margin(sch, float(loss), cid)
                sch.step(float(loss))
            else:
                sch.step()
        if prob.record is None or step in prob.record:
            for pname, p in prob.params.items():
                records.append("param %d %s %s" % (step, pname,
                               " ".join(fmt32(v) for v in p.detach().reshape(-1).tolist())))
        assert all(torch.isfinite(p).all() for p in all_params), (cid, step)
    lines = ["case " + cid, "optimizer " + " ".join(opt_items)]
    for names, extra in (groups or []):
        lines.append("group " + names + "".join(" %s=%s" % kv for kv in extra.items()))
    lines += ["schedule " + sched.spec, "clip " + clip, "steps %d epoch %d" % (prob.steps, prob.epoch)]
    for gi in range(len(tgroups)):
        lines.append("lr.%d " % gi + " ".join(fmtd(v) for v in lrs[gi]))
    lines.append("loss " + " ".join((fmtd(v) if isinstance(v, float) else fmt32(v)) for v in losses))
    lines += records
    lines.append("end")
    return lines


def rosenbrock_cases():
    P = Rosenbrock
    c = []
    c.append(run_case(P, "sgd_plain", ["sgd", "lr=0.001"]))
    c.append(run_case(P, "sgd_momentum", ["sgd", "lr=0.001", "momentum=0.9"]))
    c.append(run_case(P, "sgd_dampening", ["sgd", "lr=0.001", "momentum=0.9", "dampening=0.5"]))
    c.append(run_case(P, "sgd_nesterov", ["sgd", "lr=0.001", "momentum=0.9", "nesterov=true"]))
    c.append(run_case(P, "sgd_weight_decay", ["sgd", "lr=0.001", "weight_decay=0.1"]))
    c.append(run_case(P, "sgd_momentum_weight_decay", ["sgd", "lr=0.001", "momentum=0.8", "weight_decay=0.5"]))
    c.append(run_case(P, "sgd_maximize", ["sgd", "lr=0.001", "momentum=0.9", "maximize=true"]))
    c.append(run_case(P, "momentum_default", ["momentum", "lr=0.001"]))
    c.append(run_case(P, "ema_momentum", ["ema-momentum", "lr=0.01", "beta=0.9"]))
    c.append(run_case(P, "ema_momentum_wd_maximize",
                      ["ema-momentum", "lr=0.005", "beta=0.8", "weight_decay=0.2", "maximize=true"]))
    c.append(run_case(P, "adam_default", ["adam", "lr=0.02"]))
    c.append(run_case(P, "adam_betas_eps", ["adam", "lr=0.02", "betas=0.8,0.99", "eps=0.001"]))
    c.append(run_case(P, "adam_amsgrad", ["adam", "lr=0.02", "amsgrad=true"]))
    c.append(run_case(P, "adam_weight_decay", ["adam", "lr=0.02", "weight_decay=0.1"]))
    c.append(run_case(P, "adam_maximize", ["adam", "lr=0.02", "maximize=true"]))
    c.append(run_case(P, "adamw_default", ["adamw", "lr=0.02"]))
    c.append(run_case(P, "adamw_amsgrad_wd", ["adamw", "lr=0.02", "weight_decay=0.5", "amsgrad=true"]))
    c.append(run_case(P, "rmsprop_plain", ["rmsprop", "lr=0.001"]))
    c.append(run_case(P, "rmsprop_centered", ["rmsprop", "lr=0.001", "centered=true"]))
    c.append(run_case(P, "rmsprop_momentum", ["rmsprop", "lr=0.0005", "momentum=0.9"]))
    c.append(run_case(P, "rmsprop_weight_decay", ["rmsprop", "lr=0.001", "alpha=0.9", "weight_decay=0.1"]))
    c.append(run_case(P, "rmsprop_centered_momentum_maximize",
                      ["rmsprop", "lr=0.0005", "momentum=0.5", "centered=true", "eps=0.0001", "maximize=true"]))
    c.append(run_case(P, "adagrad_plain", ["adagrad", "lr=0.1"]))
    c.append(run_case(P, "adagrad_lr_decay", ["adagrad", "lr=0.1", "lr_decay=0.01"]))
    c.append(run_case(P, "adagrad_initial_accumulator", ["adagrad", "lr=0.1", "initial_accumulator_value=0.5"]))
    c.append(run_case(P, "adagrad_weight_decay", ["adagrad", "lr=0.1", "weight_decay=0.1", "eps=1e-06"]))
    c.append(run_case(P, "adagrad_maximize", ["adagrad", "lr=0.1", "maximize=true", "lr_decay=0.001"]))
    # schedules (an epoch is 10 steps)
    c.append(run_case(P, "sched_step", ["adam", "lr=0.05"], step_lr(5, 0.5, "epoch")))
    c.append(run_case(P, "sched_exponential", ["sgd", "lr=0.001", "momentum=0.9"], exp_lr(0.9, "epoch")))
    c.append(run_case(P, "sched_exponential_step", ["adam", "lr=0.05"], exp_lr(0.99, "step")))
    c.append(run_case(P, "sched_cosine", ["adam", "lr=0.05"], cosine_lr(8, 0.001, "epoch")))
    c.append(run_case(P, "sched_cosine_step", ["rmsprop", "lr=0.002"], cosine_lr(150, 0.0, "step")))
    c.append(run_case(P, "sched_warmup_cosine", ["adam", "lr=0.05"],
                      warmup(30, 0.1, cosine_lr(170, 0.0001, "step"), "step")))
    c.append(run_case(P, "sched_warmup_cosine_epoch", ["sgd", "lr=0.0015", "momentum=0.9"],
                      warmup(3, 0.25, cosine_lr(10, 0.0, "epoch"), "epoch")))
    c.append(run_case(P, "sched_warmup_step_lr", ["adam", "lr=0.05"],
                      warmup(2, 0.5, step_lr(4, 0.5, "epoch"), "epoch")))
    c.append(run_case(P, "sched_plateau", ["sgd", "lr=0.0015", "momentum=0.9"],
                      plateau(factor=0.5, patience=0, threshold=0.2, cooldown=1, min_lr=0.0002)))
    c.append(run_case(P, "sched_plateau_adam", ["adam", "lr=0.05"],
                      plateau(factor=0.3, patience=0, threshold=0.2, threshold_mode="abs", min_lr=0.001)))
    # clipping
    c.append(run_case(P, "clip_norm", ["sgd", "lr=0.001", "momentum=0.9"], clip="norm:5.0"))
    c.append(run_case(P, "clip_norm_adam", ["adam", "lr=0.02"], clip="norm:1.0"))
    c.append(run_case(P, "clip_value", ["sgd", "lr=0.001", "momentum=0.9"], clip="value:1.0"))
    return c


def quadratic_cases():
    P = Quadratic
    c = []
    c.append(run_case(P, "sgd_nesterov_wd", ["sgd", "lr=0.1", "momentum=0.9", "nesterov=true", "weight_decay=0.01"]))
    c.append(run_case(P, "sgd_dampening_maximize", ["sgd", "lr=0.1", "momentum=0.8", "dampening=0.2",
                                                    "maximize=true"]))
    c.append(run_case(P, "ema_momentum", ["ema-momentum", "lr=0.2", "beta=0.9", "weight_decay=0.01"]))
    c.append(run_case(P, "adam_amsgrad_wd", ["adam", "lr=0.05", "amsgrad=true", "weight_decay=0.1"]))
    c.append(run_case(P, "adamw", ["adamw", "lr=0.05", "betas=0.8,0.9", "eps=1e-06"]))
    c.append(run_case(P, "rmsprop", ["rmsprop", "lr=0.01"]))
    c.append(run_case(P, "rmsprop_centered_momentum_wd", ["rmsprop", "lr=0.005", "momentum=0.9", "centered=true",
                                                          "weight_decay=0.1", "maximize=true"]))
    c.append(run_case(P, "adagrad", ["adagrad", "lr=0.3", "lr_decay=0.05", "initial_accumulator_value=0.1",
                                     "weight_decay=0.05"]))
    c.append(run_case(P, "clip_norm", ["sgd", "lr=0.1", "momentum=0.9"], clip="norm:1.0"))
    c.append(run_case(P, "clip_value_adam", ["adam", "lr=0.05"], clip="value:0.5"))
    c.append(run_case(P, "groups_sched", ["adam", "lr=0.05"], cosine_lr(10, 0.001, "step"),
                      groups=[("u", {"weight_decay": "0.2"}), ("v", {"lr": "0.1"})]))
    return c


def softmax_cases():
    P = Softmax
    c = []
    c.append(run_case(P, "sgd_plain", ["sgd", "lr=0.5"]))
    c.append(run_case(P, "sgd_momentum", ["sgd", "lr=0.1", "momentum=0.9"]))
    c.append(run_case(P, "sgd_dampening", ["sgd", "lr=0.1", "momentum=0.9", "dampening=0.3"]))
    c.append(run_case(P, "sgd_nesterov", ["sgd", "lr=0.1", "momentum=0.9", "nesterov=true"]))
    c.append(run_case(P, "sgd_weight_decay", ["sgd", "lr=0.5", "weight_decay=0.05"]))
    c.append(run_case(P, "sgd_maximize", ["sgd", "lr=0.1", "momentum=0.5", "maximize=true"]))
    c.append(run_case(P, "momentum_default", ["momentum", "lr=0.1"]))
    c.append(run_case(P, "ema_momentum", ["ema-momentum", "lr=0.5", "beta=0.9"]))
    c.append(run_case(P, "ema_momentum_wd_maximize",
                      ["ema-momentum", "lr=0.5", "beta=0.7", "weight_decay=0.01", "maximize=true"]))
    c.append(run_case(P, "adam_default", ["adam", "lr=0.05"]))
    c.append(run_case(P, "adam_amsgrad", ["adam", "lr=0.05", "amsgrad=true"]))
    c.append(run_case(P, "adam_weight_decay", ["adam", "lr=0.05", "weight_decay=0.1"]))
    c.append(run_case(P, "adam_maximize", ["adam", "lr=0.05", "maximize=true"]))
    c.append(run_case(P, "adamw_default", ["adamw", "lr=0.05"]))
    c.append(run_case(P, "adamw_amsgrad_wd", ["adamw", "lr=0.05", "weight_decay=0.2", "amsgrad=true"]))
    c.append(run_case(P, "rmsprop_plain", ["rmsprop", "lr=0.01"]))
    c.append(run_case(P, "rmsprop_centered", ["rmsprop", "lr=0.01", "centered=true"]))
    c.append(run_case(P, "rmsprop_momentum", ["rmsprop", "lr=0.005", "momentum=0.9"]))
    c.append(run_case(P, "rmsprop_weight_decay", ["rmsprop", "lr=0.01", "alpha=0.9", "weight_decay=0.1"]))
    c.append(run_case(P, "adagrad_lr_decay", ["adagrad", "lr=0.2", "lr_decay=0.05"]))
    c.append(run_case(P, "adagrad_initial_accumulator", ["adagrad", "lr=0.2", "initial_accumulator_value=0.1"]))
    c.append(run_case(P, "adagrad_weight_decay", ["adagrad", "lr=0.2", "weight_decay=0.1"]))
    # parameter groups with their own lr and weight decay
    c.append(run_case(P, "groups_sgd", ["sgd", "lr=0.1", "momentum=0.9", "weight_decay=0.001"],
                      groups=[("W", {"lr": "0.2", "weight_decay": "0.01"}), ("b", {"weight_decay": "0.0"})]))
    c.append(run_case(P, "groups_adamw", ["adamw", "lr=0.05"],
                      groups=[("b", {"lr": "0.01"}), ("W", {"weight_decay": "0.1"})]))
    c.append(run_case(P, "groups_cosine", ["adam", "lr=0.05"], cosine_lr(4, 0.001, "epoch"),
                      groups=[("W", {}), ("b", {"lr": "0.02"})]))
    # schedules (an epoch is 5 steps)
    c.append(run_case(P, "sched_step", ["sgd", "lr=0.5", "momentum=0.5"], step_lr(3, 0.3, "epoch")))
    c.append(run_case(P, "sched_exponential", ["adam", "lr=0.05"], exp_lr(0.8, "epoch")))
    c.append(run_case(P, "sched_cosine", ["rmsprop", "lr=0.01"], cosine_lr(6, 0.0005, "epoch")))
    c.append(run_case(P, "sched_warmup_cosine", ["adamw", "lr=0.05"],
                      warmup(10, 0.1, cosine_lr(40, 0.0, "step"), "step")))
    c.append(run_case(P, "sched_plateau", ["sgd", "lr=2.0", "momentum=0.9"],
                      plateau(factor=0.5, patience=0, threshold=0.01, cooldown=1, min_lr=0.1),
                      groups=[("W", {}), ("b", {"lr": "0.5"})]))
    # clipping over two tensors
    c.append(run_case(P, "clip_norm", ["sgd", "lr=0.5", "momentum=0.9"], clip="norm:0.1"))
    c.append(run_case(P, "clip_norm_adam", ["adam", "lr=0.05"], clip="norm:0.05"))
    c.append(run_case(P, "clip_value", ["sgd", "lr=0.5"], clip="value:0.02"))
    return c


# ----------------------------------------------------------------------------------------------- schedules only

def schedule_cases():
    """Learning rates of two groups (base 0.1 and 0.02) over 60 epochs (or a case's own number of scheduler steps:
    "events N" in the case; onecycle's runs are total_steps long, its rates of steps 0 ... total_steps - 1); plateau
    fed a fixed metric sequence. The cases after plateau_eps are the schedules added for issue 21."""
    metrics = []
    for e in range(60):
        base = 1.0 / (1 + e // 5)
        wiggle = [0.0, 0.003, -0.001, 0.002, 0.0][e % 5]
        metrics.append(base + wiggle)
    metrics[17] = float("nan")
    cases = [
        ("step", step_lr(7, 0.5, "epoch")),
        ("step_gamma", step_lr(1, 0.97, "epoch")),
        ("exponential", exp_lr(0.93, "epoch")),
        ("cosine", cosine_lr(10, 0.001, "epoch")),
        ("cosine_tmax1", cosine_lr(1, 0.0, "epoch")),
        ("cosine_tmax3", cosine_lr(3, 0.005, "epoch")),
        ("cosine_long", cosine_lr(45, 0.0, "epoch")),
        ("warmup_cosine", warmup(5, 0.1, cosine_lr(20, 0.0001, "epoch"), "epoch")),
        ("warmup_step", warmup(4, 0.25, step_lr(3, 0.5, "epoch"), "epoch")),
        ("warmup_exponential", warmup(6, 1.0 / 3, exp_lr(0.9, "epoch"), "epoch")),
        ("warmup_constant", warmup(7, 0.01, CONSTANT, "epoch")),
        ("plateau_default", plateau()),
        ("plateau", plateau(factor=0.5, patience=2, threshold=0.01, cooldown=0, min_lr=0.0)),
        ("plateau_cooldown_minlr", plateau(factor=0.3, patience=1, threshold=0.001, cooldown=2, min_lr=0.005)),
        ("plateau_abs", plateau(factor=0.5, patience=1, threshold=0.05, threshold_mode="abs")),
        ("plateau_max", plateau(mode="max", factor=0.7, patience=1, threshold=0.0)),
        ("plateau_eps", plateau(factor=0.9, patience=0, threshold=0.5, min_lr=0.0, eps=0.002)),
        # issue 21
        ("multistep", multistep_lr([10, 25, 40], 0.1, "epoch")),
        ("multistep_repeated", multistep_lr([5, 12, 12, 30, 30, 30], 0.5, "epoch")),
        ("multistep_gamma", multistep_lr([3, 7, 7, 20, 20, 20, 20], 0.3, "epoch")),
        ("multistep_zero", multistep_lr([0, 15], 0.7, "epoch")),
        ("linear", linear_lr(1.0 / 3, 1.0, 5, "epoch")),
        ("linear_decay", linear_lr(1.0, 0.1, 30, "epoch")),
        ("linear_to_zero", linear_lr(0.5, 0.0, 20, "epoch")),
        ("linear_long", linear_lr(0.05, 1.0, 45, "step")),
        ("polynomial", polynomial_lr(5, 1.0, "epoch")),
        ("polynomial_long", polynomial_lr(50, 1.0, "epoch")),
        ("polynomial_power2", polynomial_lr(40, 2.0, "epoch")),
        ("polynomial_power_half", polynomial_lr(30, 0.5, "epoch")),
        ("polynomial_power3", polynomial_lr(25, 3.0, "step")),
        ("warm_restarts", warm_restarts(10, 1, 0.001, "epoch")),
        ("warm_restarts_tmult2", warm_restarts(3, 2, 0.0, "epoch")),
        ("warm_restarts_tmult3", warm_restarts(1, 3, 0.005, "step")),
        ("warm_restarts_t0_1", warm_restarts(1, 1, 0.0, "epoch")),
        ("onecycle", onecycle(100, max_lr=0.5), 99),
        ("onecycle_groups", onecycle(50), 49),
        ("onecycle_linear", onecycle(80, max_lr=0.2, pct=0.25, anneal="linear", div=10.0, final_div=100.0), 79),
        ("onecycle_three_phase", onecycle(90, max_lr=0.3, three=True), 89),
        ("onecycle_three_phase_linear", onecycle(61, pct=0.45, anneal="linear", three=True), 60),
        ("onecycle_three_phase_late", onecycle(40, max_lr=0.1, pct=0.7, three=True), 39),
        ("onecycle_pct0", onecycle(20, max_lr=0.05, pct=0.0), 19),
        ("onecycle_epoch", onecycle(30, max_lr=0.4, pct=0.5, unit="epoch"), 29),
        ("cyclic", cyclic(0.001, 0.1, 10), 120),
        ("cyclic_up_down", cyclic(0.01, 0.05, 7, 13), 120),
        ("cyclic_triangular2", cyclic(0.001, 0.1, 5, 8, mode="triangular2"), 120),
        ("cyclic_exp_range", cyclic(0.001, 0.1, 6, mode="exp_range", gamma=0.97), 120),
        ("cyclic_down0", cyclic(0.002, 0.02, 9, 0), 60),
        ("cyclic_reversed", cyclic(0.1, 0.01, 4, 3, unit="epoch")),
        ("lambda_inverse", lambda_lr("inverse", "epoch")),
        ("lambda_halving", lambda_lr("halving", "step")),
        ("lambda_ramp10", lambda_lr("ramp10", "epoch")),
        ("warmup_multistep", warmup(4, 0.25, multistep_lr([3, 10, 10], 0.5, "epoch"), "epoch")),
        ("warmup_warm_restarts", warmup(5, 0.1, warm_restarts(7, 2, 0.0001, "epoch"), "epoch")),
        ("warmup_linear", warmup(3, 0.5, linear_lr(1.0, 0.2, 20, "epoch"), "epoch")),
        ("warmup_polynomial", warmup(6, 0.2, polynomial_lr(30, 2.0, "epoch"), "epoch")),
        ("warmup_cyclic", warmup(5, 0.1, cyclic(0.001, 0.05, 4, 6, mode="triangular2"), "step"), 80),
        ("warmup_lambda", warmup(3, 0.5, lambda_lr("inverse", "epoch"), "epoch")),
    ]
    lines = ["bases 0.1 0.02", "metrics " + " ".join(fmtd(m) for m in metrics)]
    for case in cases:
        cid, sched = case[0], case[1]
        events = case[2] if len(case) > 2 else 60
        w1 = torch.zeros(1, requires_grad=True)
        w2 = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([{"params": [w1], "lr": 0.1}, {"params": [w2], "lr": 0.02}], lr=0.1)
        sch = sched.make(opt) if sched.make is not None else None
        rows = [[g["lr"] for g in opt.param_groups]]
        for e in range(events):
            opt.step()
            if sched.plateau:
                sch.step(metrics[e])
            elif sch is not None:
                sch.step()
            rows.append([g["lr"] for g in opt.param_groups])
        lines += ["case " + cid, "schedule " + sched.spec]
        if events != 60:
            lines.append("events %d" % events)
        for gi in range(2):
            lines.append("lr.%d " % gi + " ".join(fmtd(r[gi]) for r in rows))
        lines.append("end")
    return lines


def write(name, lines):
    path = os.path.join(OUT, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("# Generated by integration-tests/scripts/make_golden_optim.py with torch %s (CPU, float32). "
                "Do not edit.\n" % torch.__version__)
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main(names):
    files = ("rosenbrock.txt", "quadratic.txt", "softmax.txt", "schedules.txt")
    unknown = [n for n in names if n not in files]
    if unknown:
        print("unknown file %s; known: %s" % (", ".join(unknown), ", ".join(files)), file=sys.stderr)
        return 2
    wanted = set(names or files)
    os.makedirs(OUT, exist_ok=True)
    if "rosenbrock.txt" in wanted:
        r = Rosenbrock().header()
        for case in rosenbrock_cases():
            r += case
        write("rosenbrock.txt", r)
    if "quadratic.txt" in wanted:
        q = Quadratic().header()
        for case in quadratic_cases():
            q += case
        write("quadratic.txt", q)
    if "softmax.txt" in wanted:
        s = Softmax().header()
        for case in softmax_cases():
            s += case
        write("softmax.txt", s)
    if "schedules.txt" in wanted:
        write("schedules.txt", schedule_cases())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

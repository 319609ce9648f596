"""Out-of-place, differentiable re-implementations of ``torch.optim.Adam`` and ``torch.optim.SGD`` steps.

The unrolled GAN (Metz et al., 2017) differentiates G's loss through k updates of D, so the
updates must be ordinary autograd functions of D's parameters (and of the gradients, which
depend on G). ``torch.optim`` updates tensors in place and does not record the graph; its
``differentiable=True`` flag still works in place on the optimizer's own state, which would have
to be copied and restored around every unrolling. Hand-written here instead (no library in the
environment does this: ``higher`` is not installed and not maintained), as pure functions of
``(params, grads, state, hyper-parameters)`` that return new tensors and leave the optimizer and
its state untouched. The formulas follow torch's single-tensor implementations (same operation
order, so the values agree with ``torch.optim`` to float rounding; see the tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from gan_lab.errors import IncompatibleConfigError


class UnsupportedOptimizerError(IncompatibleConfigError):
    """The optimizer has no differentiable re-implementation here."""


SUPPORTED = ("torch.optim.Adam", "torch.optim.AdamW", "torch.optim.SGD")


@dataclass
class OptimizerSnapshot:
    """One optimizer's hyper-parameters and per-parameter state, read (not copied) by name.

    ``state[name]`` holds plain tensors (``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``,
    ``momentum_buffer``) and ``step`` as a float; missing entries mean "no step taken yet".
    """

    kind: str  # "adam" or "sgd"
    hyper: dict[str, dict[str, Any]]  # name -> the param group's settings
    state: dict[str, dict[str, Any]] = field(default_factory=dict)


def optimizer_kind(optimizer: torch.optim.Optimizer) -> str:
    """``"adam"`` (Adam, AdamW) or ``"sgd"``; anything else raises :class:`UnsupportedOptimizerError`."""
    optimizer = getattr(optimizer, "optimizer", optimizer)  # a LightningOptimizer wraps the torch one
    if isinstance(optimizer, torch.optim.Adam):  # AdamW is an Adam with decoupled_weight_decay=True
        return "adam"
    if type(optimizer) is torch.optim.SGD:
        return "sgd"
    name = f"{type(optimizer).__module__}.{type(optimizer).__qualname__}"
    raise UnsupportedOptimizerError(
        f"unrolling D needs a differentiable copy of D's optimizer step, written for {', '.join(SUPPORTED)}; "
        f"D's optimizer is {name}. Use optimizer=adam (or an SGD discriminator optimizer), or task.unroll_steps=0"
    )


def snapshot(optimizer: torch.optim.Optimizer, named_params: Iterable[tuple[str, Tensor]]) -> OptimizerSnapshot:
    """The optimizer's settings and state for the parameters ``named_params`` (matched by identity)."""
    optimizer = getattr(optimizer, "optimizer", optimizer)
    kind = optimizer_kind(optimizer)
    group_of = {id(p): group for group in optimizer.param_groups for p in group["params"]}
    hyper: dict[str, dict[str, Any]] = {}
    state: dict[str, dict[str, Any]] = {}
    for name, param in named_params:
        group = group_of.get(id(param))
        if group is None:
            raise UnsupportedOptimizerError(f"parameter {name} is not optimised by D's optimizer")
        hyper[name] = {k: v for k, v in group.items() if k != "params"}
        raw = optimizer.state.get(param, {})
        entry = {k: v for k, v in raw.items() if isinstance(v, Tensor) and k != "step"}
        if "step" in raw:
            entry["step"] = float(raw["step"])
        state[name] = entry
    return OptimizerSnapshot(kind, hyper, state)


def _safe_sqrt(x: Tensor) -> Tensor:
    """``sqrt(x)`` whose gradient is 0 (not inf, which times a zero gradient makes NaN) where x is 0.

    A second moment is exactly 0 only where every gradient so far was 0 (a dead unit); the
    update there does not depend on the second moment to first order.
    """
    positive = x > 0
    return torch.where(positive, torch.where(positive, x, torch.ones_like(x)).sqrt(), torch.zeros_like(x))


def adam_step(
    param: Tensor, grad: Tensor, state: dict[str, Any], hyper: dict[str, Any]
) -> tuple[Tensor, dict[str, Any]]:
    """One Adam/AdamW step as a function: ``(new param, new state)``; inputs are not modified."""
    lr, (beta1, beta2) = float(hyper["lr"]), (float(b) for b in hyper["betas"])
    eps, weight_decay = float(hyper["eps"]), float(hyper.get("weight_decay", 0.0))
    if hyper.get("maximize", False):
        grad = -grad
    step = state.get("step", 0.0) + 1.0
    if weight_decay != 0.0:
        if hyper.get("decoupled_weight_decay", False):
            param = param * (1.0 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    exp_avg = state.get("exp_avg", torch.zeros_like(param))
    exp_avg_sq = state.get("exp_avg_sq", torch.zeros_like(param))
    exp_avg = torch.lerp(exp_avg, grad, 1.0 - beta1)
    exp_avg_sq = torch.addcmul(exp_avg_sq * beta2, grad, grad, value=1.0 - beta2)
    bias_correction1 = 1.0 - beta1**step
    bias_correction2_sqrt = (1.0 - beta2**step) ** 0.5
    new_state = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
    second = exp_avg_sq
    if hyper.get("amsgrad", False):
        second = torch.maximum(state.get("max_exp_avg_sq", torch.zeros_like(param)), exp_avg_sq)
        new_state["max_exp_avg_sq"] = second
    denom = _safe_sqrt(second) / bias_correction2_sqrt + eps
    return torch.addcdiv(param, exp_avg, denom, value=-(lr / bias_correction1)), new_state


def sgd_step(
    param: Tensor, grad: Tensor, state: dict[str, Any], hyper: dict[str, Any]
) -> tuple[Tensor, dict[str, Any]]:
    """One SGD step (momentum, dampening, Nesterov, weight decay, maximize) as a function."""
    lr, momentum = float(hyper["lr"]), float(hyper.get("momentum", 0.0))
    dampening, weight_decay = float(hyper.get("dampening", 0.0)), float(hyper.get("weight_decay", 0.0))
    if hyper.get("maximize", False):
        grad = -grad
    if weight_decay != 0.0:
        grad = grad.add(param, alpha=weight_decay)
    new_state: dict[str, Any] = {}
    if momentum != 0.0:
        buffer = state.get("momentum_buffer")
        buffer = grad if buffer is None else torch.add(buffer * momentum, grad, alpha=1.0 - dampening)
        new_state["momentum_buffer"] = buffer
        grad = grad.add(buffer, alpha=momentum) if hyper.get("nesterov", False) else buffer
    return param.add(grad, alpha=-lr), new_state


STEPS = {"adam": adam_step, "sgd": sgd_step}


def functional_step(params: dict[str, Tensor], grads: dict[str, Tensor], snap: OptimizerSnapshot) -> dict[str, Tensor]:
    """New parameters after one step of the snapshot's optimizer; advances ``snap.state``
    (a fresh dict per parameter: the optimizer's own state tensors are never written)."""
    step = STEPS[snap.kind]
    new_params = {}
    for name, param in params.items():
        new_params[name], snap.state[name] = step(param, grads[name], snap.state[name], snap.hyper[name])
    return new_params

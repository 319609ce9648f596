"""The functional Adam/SGD steps (gan_lab/utils/differentiable_optimizers.py) agree with torch.optim."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from gan_lab.utils.differentiable_optimizers import (
    UnsupportedOptimizerError,
    adam_step,
    functional_step,
    optimizer_kind,
    snapshot,
)

OPTIMIZERS = {
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.5, 0.999)),
    "adam_wd_amsgrad": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, amsgrad=True),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "adam_maximize": lambda p: torch.optim.Adam(p, lr=0.01, maximize=True),
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
}


def loss_of(net: nn.Module, x: torch.Tensor, params: dict | None = None) -> torch.Tensor:
    out = torch.func.functional_call(net, params, (x,)) if params is not None else net(x)
    return (out.tanh() - 0.3).pow(2).mean()


@pytest.mark.parametrize("steps", [1, 4])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_functional_steps_follow_torch_optim(name, steps):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
    twin = copy.deepcopy(net)
    opt = OPTIMIZERS[name](net.parameters())
    # the functional copy starts from the optimizer as it stands (here: before its first step)
    snap = snapshot(OPTIMIZERS[name](twin.parameters()), twin.named_parameters())
    params = {n: p.detach().clone() for n, p in twin.named_parameters()}
    for k in range(steps):
        x = torch.randn(7, 3, generator=torch.Generator().manual_seed(k))
        opt.zero_grad()
        loss_of(net, x).backward()
        opt.step()
        live = {n: p.detach().requires_grad_(True) for n, p in params.items()}
        grads = dict(zip(live, torch.autograd.grad(loss_of(twin, x, live), list(live.values()))))
        params = functional_step(live, grads, snap)
    for n, p in net.named_parameters():
        torch.testing.assert_close(params[n], p.detach(), rtol=1e-6, atol=1e-7)


def test_snapshot_reads_the_optimizer_state_without_touching_it():
    torch.manual_seed(0)
    net = nn.Linear(2, 1)
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        net(torch.randn(4, 2)).sum().backward()
        opt.step()
    before = copy.deepcopy(opt.state_dict())
    snap = snapshot(opt, net.named_parameters())
    assert snap.state["weight"]["step"] == 3.0
    params = {n: p.detach() for n, p in net.named_parameters()}
    functional_step(params, {n: torch.ones_like(p) for n, p in params.items()}, snap)
    assert snap.state["weight"]["step"] == 4.0  # the snapshot advanced ...
    for key, entry in before["state"].items():  # ... the optimizer did not
        for field, value in entry.items():
            assert torch.equal(opt.state_dict()["state"][key][field], value)


def test_adam_hand_computed_first_step():
    """First Adam step: m = (1-b1) g, v = (1-b2) g^2, update = lr * m/(1-b1) / (sqrt(v/(1-b2)) + eps) = lr * sign(g)."""
    param, grad = torch.tensor([1.0, -2.0]), torch.tensor([0.5, -4.0])
    hyper = {"lr": 0.1, "betas": (0.9, 0.999), "eps": 0.0, "weight_decay": 0.0}
    new, state = adam_step(param, grad, {}, hyper)
    torch.testing.assert_close(new, torch.tensor([0.9, -1.9]))
    torch.testing.assert_close(state["exp_avg"], 0.1 * grad)
    assert state["step"] == 1.0


def test_zero_second_moment_gives_finite_second_derivatives():
    """A parameter whose gradient is exactly 0 (a dead unit) must not turn the unrolled gradient into NaN."""
    theta = torch.tensor([0.0, 1.0], requires_grad=True)
    grad = theta * torch.tensor([0.0, 1.0])  # the first entry's gradient is identically 0
    hyper = {"lr": 0.1, "betas": (0.5, 0.999), "eps": 1e-8}
    new, _ = adam_step(theta, grad, {}, hyper)
    (d,) = torch.autograd.grad(new.sum(), theta)
    assert torch.isfinite(d).all()


def test_other_optimizers_are_refused():
    net = nn.Linear(2, 1)
    assert optimizer_kind(torch.optim.AdamW(net.parameters())) == "adam"
    assert optimizer_kind(torch.optim.SGD(net.parameters(), lr=0.1)) == "sgd"
    for opt in (torch.optim.RMSprop(net.parameters()), torch.optim.Adagrad(net.parameters())):
        with pytest.raises(UnsupportedOptimizerError, match="Adam"):
            optimizer_kind(opt)

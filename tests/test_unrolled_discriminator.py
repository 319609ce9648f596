"""The unrolled GAN's look-ahead discriminator (gan_lab/tasks/unrolled_discriminator.py)."""

from __future__ import annotations

import copy

import pytest
import torch
from helpers import TINY, compose_config
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.losses import NonSaturatingLoss
from gan_lab.tasks.unrolled_discriminator import UnrolledDiscriminator
from gan_lab.train import train
from gan_lab.utils.differentiable_optimizers import UnsupportedOptimizerError


def toy(batch_norm: bool = False, optimizer: str = "adam"):
    """A 2-D toy: G is one Linear on 2-d noise, D a small MLP; D's optimizer has taken two steps."""
    torch.manual_seed(0)
    g = nn.Linear(2, 2)
    layers = [nn.Linear(2, 8)] + ([nn.BatchNorm1d(8)] if batch_norm else []) + [nn.Tanh(), nn.Linear(8, 1)]
    d = nn.Sequential(*layers)
    if optimizer == "adam":
        opt = torch.optim.Adam(d.parameters(), lr=0.05, betas=(0.5, 0.999))
    elif optimizer == "sgd":
        opt = torch.optim.SGD(d.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.RMSprop(d.parameters(), lr=0.01)
    loss = NonSaturatingLoss()
    real = torch.randn(16, 2) + 2.0
    for _ in range(2):
        opt.zero_grad()
        loss.discriminator_loss(d(real), d(g(torch.randn(16, 2)).detach())).backward()
        opt.step()
    opt.zero_grad(set_to_none=True)
    return g, d, opt, loss, real


def g_gradient(order: str, steps: int, **kw) -> torch.Tensor:
    g, d, opt, loss, real = toy(**kw)
    torch.manual_seed(1)
    fake = g(torch.randn(16, 2))
    if steps < 0:  # the plain G loss against D as it is
        run = d
    else:
        unrolled = UnrolledDiscriminator(steps, order)
        run = unrolled.unroll(d, opt, lambda dis: loss.discriminator_loss(dis(real), dis(fake)))
    g_loss = loss.generator_loss(run(fake).squeeze(1), None)
    return torch.cat([p.flatten() for p in torch.autograd.grad(g_loss, list(g.parameters()))])


def test_second_order_gradient_differs_from_first_order():
    first, second = g_gradient("first", 3), g_gradient("second", 3)
    assert torch.isfinite(second).all()
    assert (first - second).abs().max() > 1e-4 * first.abs().max()


def test_first_order_changes_the_gradient_after_a_look_ahead_and_equals_plain_without_one():
    plain = g_gradient("first", -1)
    assert torch.equal(g_gradient("first", 0), plain)
    assert torch.equal(g_gradient("second", 0), plain)
    assert not torch.allclose(g_gradient("first", 3), plain)


def test_second_order_matches_finite_differences_through_sgd_updates():
    """d/dθ_G of the G loss at D_k, with D_k a function of θ_G through k SGD steps (no momentum)."""
    torch.manual_seed(0)
    d = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    opt = torch.optim.SGD(d.parameters(), lr=0.5)
    loss = NonSaturatingLoss()
    real, z = torch.randn(8, 1, dtype=torch.double) + 1.0, torch.randn(8, 1, dtype=torch.double)

    def g_loss(theta: torch.Tensor) -> torch.Tensor:
        fake = z * theta
        run = UnrolledDiscriminator(3, "second").unroll(
            d, opt, lambda dis: loss.discriminator_loss(dis(real).squeeze(1), dis(fake).squeeze(1))
        )
        return loss.generator_loss(run(fake).squeeze(1), None)

    theta = torch.tensor(0.7, dtype=torch.double, requires_grad=True)
    (analytic,) = torch.autograd.grad(g_loss(theta), theta)
    eps = 1e-6
    with torch.no_grad():
        numeric = (g_loss(theta + eps) - g_loss(theta - eps)) / (2 * eps)
    assert float(analytic) == pytest.approx(float(numeric), rel=1e-5)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("order", ["first", "second"])
def test_discriminator_state_is_exactly_restored(order, optimizer):
    g, d, opt, loss, real = toy(batch_norm=True, optimizer=optimizer)
    state_before = copy.deepcopy(d.state_dict())
    opt_before = copy.deepcopy(opt.state_dict())
    fake = g(torch.randn(16, 2))
    run = UnrolledDiscriminator(4, order).unroll(d, opt, lambda dis: loss.discriminator_loss(dis(real), dis(fake)))
    loss.generator_loss(run(fake), None).backward()
    for name, value in d.state_dict().items():  # parameters and BatchNorm running statistics
        assert torch.equal(value, state_before[name]), name
    opt_after = opt.state_dict()
    assert opt_after["param_groups"] == opt_before["param_groups"]
    for key, entry in opt_before["state"].items():
        for field, value in entry.items():
            assert torch.equal(opt_after["state"][key][field], value), (key, field)
    assert all(p.grad is None for p in d.parameters())  # G's backward did not reach D's own parameters
    # the look-ahead did move the parameters it used (otherwise the test above proves nothing)
    moved = UnrolledDiscriminator(4, order).unroll(d, opt, lambda dis: loss.discriminator_loss(dis(real), dis(fake)))
    assert not torch.allclose(moved(real), d(real))


def test_bad_settings_and_optimizers_are_refused():
    with pytest.raises(IncompatibleConfigError, match="unroll_order"):
        UnrolledDiscriminator(5, "third")
    with pytest.raises(IncompatibleConfigError, match="unroll_steps"):
        UnrolledDiscriminator(-1)
    _, d, opt, loss, real = toy(optimizer="rmsprop")
    with pytest.raises(UnsupportedOptimizerError, match="RMSprop"):
        UnrolledDiscriminator(2).unroll(d, opt, lambda dis: loss.discriminator_loss(dis(real), dis(real)))


MLP = ["model=mlp", "dataset=ring", "model.generator.hidden_dims=[16]", "model.discriminator.hidden_dims=[16]"]


@pytest.mark.parametrize("order", ["first", "second"])
def test_training_runs_through_the_composed_config(order, tmp_path):
    cfg = compose_config([*TINY, *MLP, "g_steps=3", "task.unroll_steps=2", f"task.unroll_order={order}"], tmp_path)
    module = train(cfg).lightning_module
    assert int(module.generator_steps) == 3 and int(module.discriminator_steps) == 3  # D: one step per G step
    assert module.unrolling.steps == 2 and module.unrolling.order == order
    assert all(torch.isfinite(p).all() for p in module.parameters())


def test_an_optimizer_without_a_differentiable_step_is_refused_before_training(tmp_path):
    cfg = compose_config([*TINY, *MLP, "task.unroll_steps=2", "optimizer=rmsprop"], tmp_path)
    with pytest.raises(UnsupportedOptimizerError, match="unroll_steps=0"):
        train(cfg)


def test_the_dcgan_discriminator_with_spectral_norm_unrolls(tmp_path):
    cfg = compose_config(
        [*TINY, "model.generator.width=8", "model.discriminator.width=8", "model.latent_dim=8", "task.unroll_steps=1"],
        tmp_path,
    )
    assert cfg.model.spectral_norm.discriminator  # the default D: spectral norm's u/v buffers must stay untouched
    module = train(cfg).lightning_module
    assert int(module.generator_steps) == 2

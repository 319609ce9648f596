"""Each loss against values computed by hand from its formula."""

import math

import pytest
import torch

from gan_lab.losses import (
    HingeLoss,
    LeastSquaresLoss,
    MinimaxLoss,
    NonSaturatingLoss,
    WassersteinGPLoss,
    WassersteinLoss,
)

REAL = torch.tensor([0.0, 2.0])
FAKE = torch.tensor([-1.0, 1.0])


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def test_minimax_matches_log_formulas():
    loss = MinimaxLoss()
    # D: -[log σ(0) + log σ(2)]/2 - [log(1-σ(-1)) + log(1-σ(1))]/2
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    d_expected = -(math.log(sig(0)) + math.log(sig(2))) / 2 - (math.log(1 - sig(-1)) + math.log(1 - sig(1))) / 2
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(d_expected, rel=1e-6)
    # G minimises log(1 - D(G(z)))
    g_expected = (math.log(1 - sig(-1)) + math.log(1 - sig(1))) / 2
    assert loss.generator_loss(FAKE).item() == pytest.approx(g_expected, rel=1e-6)
    assert loss.n_critic == 1


def test_non_saturating_generator_maximises_log_d():
    loss = NonSaturatingLoss()
    g_expected = (softplus(1.0) + softplus(-1.0)) / 2  # -log σ(l) = softplus(-l)
    assert loss.generator_loss(FAKE).item() == pytest.approx(g_expected, rel=1e-6)
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(
        MinimaxLoss().discriminator_loss(REAL, FAKE).item()
    )


def test_wasserstein_values():
    loss = WassersteinLoss()
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(0.0 - 1.0)  # mean fake 0, mean real 1
    assert loss.generator_loss(torch.tensor([1.0, 3.0])).item() == pytest.approx(-2.0)
    assert loss.n_critic == 5


def test_least_squares_values():
    loss = LeastSquaresLoss()
    # ½·mean((0-1)², (2-1)²) + ½·mean(1, 1) = ½·1 + ½·1
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(1.0)
    # ½·mean((-1-1)², (1-1)²) = ½·2
    assert loss.generator_loss(FAKE).item() == pytest.approx(1.0)


def test_hinge_values():
    loss = HingeLoss()
    # mean(relu(1-0), relu(1-2)) + mean(relu(1-1), relu(1+1)) = 0.5 + 1.0
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(1.5)
    assert loss.generator_loss(FAKE).item() == pytest.approx(0.0)


def test_weight_clipping_bounds_every_parameter():
    critic = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        for p in critic.parameters():
            p.normal_(0, 1.0)
    loss = WassersteinLoss(clip_value=0.05)
    loss.after_discriminator_step(critic)
    for p in critic.parameters():
        assert p.abs().max().item() <= 0.05 + 1e-7
    assert any((p.abs() == 0.05).any() for p in critic.parameters())


def test_gp_loss_has_no_clipping_and_weighted_penalty():
    loss = WassersteinGPLoss(penalty_weight=10.0)
    assert loss.clip_value is None
    w = torch.tensor([[3.0, 4.0]])  # linear critic with gradient norm 5 everywhere
    critic = lambda x: x @ w.T  # noqa: E731
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    assert loss.penalty(critic, real, fake).item() == pytest.approx(10.0 * (5.0 - 1.0) ** 2, rel=1e-5)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        WassersteinLoss(clip_value=0.0)
    with pytest.raises(ValueError, match="n_critic must be >= 0"):
        NonSaturatingLoss(n_critic=-1)
    assert NonSaturatingLoss(n_critic=0).n_critic == 0  # a reconstruction-only run (checked by the run config)

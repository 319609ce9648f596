"""WGAN-GP's drift term (progressive GAN's epsilon_drift)."""

import pytest
import torch

from gan_lab.losses import WassersteinGPLoss, WassersteinLoss


def test_drift_adds_its_weight_times_mean_squared_real_output():
    real, fake = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, -0.5, 1.0])
    loss = WassersteinGPLoss(drift=0.001).discriminator_loss(real, fake)
    by_hand = (0.5 - 0.5 + 1.0) / 3 - (1.0 + 2.0 + 3.0) / 3 + 0.001 * (1.0 + 4.0 + 9.0) / 3
    assert loss.item() == pytest.approx(by_hand, abs=1e-7)


def test_drift_gradient_reaches_only_the_real_outputs():
    real = torch.tensor([1.0, -2.0], requires_grad=True)
    fake = torch.tensor([0.0, 0.0], requires_grad=True)
    WassersteinGPLoss(drift=0.5).discriminator_loss(real, fake).backward()
    # d/dr [-mean(r) + 0.5 mean(r^2)] = -1/2 + 0.5 * 2 r / 2
    assert torch.allclose(real.grad, torch.tensor([-0.5 + 0.5, -0.5 - 1.0]))
    assert torch.allclose(fake.grad, torch.tensor([0.5, 0.5]))


def test_no_drift_is_bit_identical_to_the_plain_critic_loss():
    real, fake = torch.randn(64), torch.randn(64)
    assert torch.equal(
        WassersteinGPLoss().discriminator_loss(real, fake), WassersteinLoss().discriminator_loss(real, fake)
    )
    assert WassersteinGPLoss().drift == 0.0
    assert WassersteinGPLoss(drift=0.001).generator_loss(fake) == WassersteinLoss().generator_loss(fake)


def test_negative_drift_is_refused():
    with pytest.raises(ValueError, match="drift"):
        WassersteinGPLoss(drift=-0.1)

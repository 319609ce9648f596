"""RaGAN / RaLSGAN against hand-computed values; GANModule passes real outputs to G's loss."""

import math

import pytest
import torch

from gan_lab.losses import RelativisticAverageLoss, RelativisticAverageLSLoss
from zoo_config import build_run, compose_train

REAL = torch.tensor([1.0, 3.0])  # mean 2
FAKE = torch.tensor([0.0, 2.0])  # mean 1
# Δr = real - mean(fake) = [0, 2];  Δf = fake - mean(real) = [-2, 0]


def softplus(v: float) -> float:
    return math.log1p(math.exp(v))


def test_ralsgan_values():
    loss = RelativisticAverageLSLoss()
    # D: ½(mean((Δr-1)²) + mean((Δf+1)²)) = ½(mean(1, 1) + mean(1, 1)) = 1
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx(1.0)
    # G: ½(mean((Δf-1)²) + mean((Δr+1)²)) = ½(mean(9, 1) + mean(1, 9)) = 5
    assert loss.generator_loss(FAKE, REAL).item() == pytest.approx(5.0)


def test_ragan_values():
    loss = RelativisticAverageLoss()
    # D: ½(mean(sp(-Δr)) + mean(sp(Δf))) = ½(mean(sp(0), sp(-2)) + mean(sp(-2), sp(0)))
    assert loss.discriminator_loss(REAL, FAKE).item() == pytest.approx((softplus(0) + softplus(-2)) / 2)
    # G: ½(mean(sp(-Δf)) + mean(sp(Δr))) = ½(mean(sp(2), sp(0)) + mean(sp(0), sp(2)))
    assert loss.generator_loss(FAKE, REAL).item() == pytest.approx((softplus(2) + softplus(0)) / 2)


def test_generator_loss_needs_real_outputs():
    assert RelativisticAverageLoss.needs_real_for_generator
    with pytest.raises(ValueError, match="real_out"):
        RelativisticAverageLoss().generator_loss(FAKE)


@pytest.mark.parametrize("loss", ["ragan", "ralsgan"])
def test_trains_with_gan_module(tmp_path, loss):
    cfg = compose_train(
        [
            "model=mlp",
            "dataset=ring",
            "model.generator.hidden_dims=[16]",
            "model.discriminator.hidden_dims=[16]",
            f"loss={loss}",
        ],
        tmp_path,
    )
    datamodule, module, trainer = build_run(cfg)
    calls = []
    original = module.loss.generator_loss
    module.loss.generator_loss = lambda fake_out, real_out=None: calls.append(real_out) or original(fake_out, real_out)
    trainer.fit(module, datamodule=datamodule)
    assert len(calls) == 2 and all(r is not None and r.shape == (8,) for r in calls)

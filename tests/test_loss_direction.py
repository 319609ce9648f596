"""Loss directions, for every family: one D step lowers D's loss on a fixed batch, and one G
step raises D's score of the fakes. A sign error in any term (the Lightning Bolts SRGAN bug:
G trained towards D's own "fake" label) fails here."""

import functools

import pytest
import torch
from torch import nn

from gan_lab.losses import HingeLoss, LeastSquaresLoss, NonSaturatingLoss, RelativisticAverageLoss
from gan_lab.models import MLPDiscriminator, MLPGenerator
from gan_lab.tasks import NoiseToImage, PairedImageToImage

SGD = functools.partial(torch.optim.SGD, lr=0.05)
LOSSES = [NonSaturatingLoss, LeastSquaresLoss, HingeLoss, RelativisticAverageLoss]


def noise_family(loss):
    torch.manual_seed(0)
    g = MLPGenerator(latent_dim=4, data_shape=[2], hidden_dims=[16], batch_norm=False)
    d = MLPDiscriminator(data_shape=[2], hidden_dims=[16])
    module = NoiseToImage(g, d, loss, SGD, SGD, num_fixed_samples=4)
    return module, (torch.randn(32, 2) + 2.0, torch.zeros(32, dtype=torch.long))


def paired_family(loss):
    torch.manual_seed(0)
    g = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, 3, padding=1), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(2, 8, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(8, 1, 3, padding=1))
    module = PairedImageToImage(g, d, loss, SGD, SGD, source_channels=1, target_channels=1, pixel_weight=0.0)
    target = torch.rand(8, 1, 8, 8) * 2 - 1
    return module, {"source": -target, "target": target, "label": torch.zeros(8, dtype=torch.long)}


def score_of_fakes(module, batch, outputs):
    """Mean raw D output on the generated samples, as D sees them."""
    with torch.no_grad():
        if isinstance(module, PairedImageToImage):
            return module.discriminate(module.judged(batch, outputs["output"])).mean()
        return module.discriminate(outputs["fake"], None).mean()


def fixed_outputs(module, batch):
    torch.manual_seed(123)  # the same noise every time we ask
    return module.generator_outputs(batch)


@pytest.mark.parametrize("family", [noise_family, paired_family], ids=["noise_to_image", "paired"])
@pytest.mark.parametrize("loss_class", LOSSES)
def test_one_d_step_lowers_d_loss(family, loss_class):
    module, batch = family(loss_class())
    optimizer = SGD(module.discriminator.parameters())
    with torch.no_grad():
        outputs = fixed_outputs(module, batch)
    before = sum(module.discriminator_terms(batch, outputs).values())
    optimizer.zero_grad()
    before.backward()
    optimizer.step()
    after = sum(module.discriminator_terms(batch, outputs).values())
    assert after < before


@pytest.mark.parametrize("family", [noise_family, paired_family], ids=["noise_to_image", "paired"])
@pytest.mark.parametrize("loss_class", LOSSES)
def test_one_g_step_raises_d_score_of_fakes(family, loss_class):
    module, batch = family(loss_class())
    optimizer = SGD(module.generator.parameters())
    outputs = fixed_outputs(module, batch)
    before = score_of_fakes(module, batch, outputs)
    module.discriminator.requires_grad_(False)
    optimizer.zero_grad()
    sum(module.generator_terms(batch, outputs).values()).backward()
    optimizer.step()
    after = score_of_fakes(module, batch, fixed_outputs(module, batch))
    assert after > before

"""ResNet (SNGAN-style) G and D: resolutions, shapes, spectral norm on D by default."""

import pytest
import torch
from torch import nn

from gan_lab.builders import build_networks
from gan_lab.errors import IncompatibleConfigError
from gan_lab.models import ResNetDiscriminator, ResNetGenerator
from gan_lab.regularizers.spectral_norm import is_spectrally_normalized
from zoo_config import compose_train


@pytest.mark.parametrize("size, channels", [(32, 3), (48, 3), (64, 1)])
def test_shapes_and_gradients(size, channels):
    g = ResNetGenerator(16, (channels, size, size), width=8)
    d = ResNetDiscriminator((channels, size, size), width=8)
    x = g(torch.randn(3, 16))
    assert x.shape == (3, channels, size, size) and x.abs().max() <= 1
    out = d(x)
    assert out.shape == (3,)
    out.sum().backward()
    assert all(p.grad is not None for p in g.parameters())


def test_unsupported_resolution_refused():
    with pytest.raises(IncompatibleConfigError, match="32/48/64"):
        ResNetGenerator(16, (1, 28, 28))


def test_spectral_norm_on_discriminator_by_default(tmp_path):
    cfg = compose_train(
        ["model=resnet", "dataset.image_size=32", "model.generator.width=8", "model.discriminator.width=8"], tmp_path
    )
    g, d = build_networks(cfg)
    weight_layers = [m for m in d.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert weight_layers and all(is_spectrally_normalized(m) for m in weight_layers)
    assert not any(is_spectrally_normalized(m) for m in g.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))
    cfg = compose_train(
        [
            "model=resnet",
            "dataset.image_size=32",
            "model.spectral_norm.generator=true",
            "model.generator.width=8",
            "model.discriminator.width=8",
        ],
        tmp_path,
    )
    g, _ = build_networks(cfg)
    assert all(is_spectrally_normalized(m) for m in g.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))

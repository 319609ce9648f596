"""The progressive generator and discriminator: shapes per stage, the fade-in blend, the layers."""

import pytest
import torch
import torch.nn.functional as F

from gan_lab.models.layers import EqualizedConv2d, EqualizedLinear, MinibatchStdDev, PixelNorm
from gan_lab.models.progressive import ProgressiveDiscriminator, ProgressiveGenerator

SHAPE = (1, 16, 16)


def nets():
    torch.manual_seed(0)
    return ProgressiveGenerator(8, SHAPE, channel_base=64, channel_max=8), ProgressiveDiscriminator(
        SHAPE, channel_base=64, channel_max=8
    )


@pytest.mark.parametrize("resolution,alpha", [(4, 1.0), (8, 0.5), (16, 0.0), (16, 1.0)])
def test_shapes_at_every_stage(resolution, alpha):
    g, d = nets()
    for net in (g, d):
        net.set_stage(resolution, alpha)
    z = torch.randn(5, 8)
    assert g(z).shape == (5, 1, 16, 16)  # dataset size by default
    small = g(z, full_size=False)
    assert small.shape == (5, 1, resolution, resolution)
    assert torch.equal(g(z), small.repeat_interleave(16 // resolution, 2).repeat_interleave(16 // resolution, 3))
    assert d(small).shape == (5,)
    assert torch.allclose(d(g(z)), d(small), atol=1e-6)  # D box-downsamples dataset-size inputs


def test_fresh_networks_run_at_the_final_resolution():
    g, d = nets()
    assert (g.resolution, g.alpha, d.resolution, d.alpha) == (16, 1.0, 16, 1.0)
    assert g(torch.randn(2, 8), full_size=False).shape == (2, 1, 16, 16)


def test_generator_fade_blends_the_previous_resolution_upsampled():
    g, _ = nets()
    z = torch.randn(4, 8)
    g.set_stage(8, 1.0)
    old = F.interpolate(g(z, full_size=False), scale_factor=2, mode="nearest")
    g.set_stage(16, 1.0)
    new = g(z, full_size=False)
    g.set_stage(16, 0.0)
    assert torch.allclose(g(z, full_size=False), old, atol=1e-6)
    g.set_stage(16, 0.3)
    assert torch.allclose(g(z, full_size=False), 0.7 * old + 0.3 * new, atol=1e-6)


def test_discriminator_fade_starts_from_the_previous_resolution():
    _, d = nets()
    x = torch.randn(4, 1, 16, 16)
    d.set_stage(8, 1.0)
    old = d(F.avg_pool2d(x, 2))
    d.set_stage(16, 0.0)
    assert torch.allclose(d(x), old, atol=1e-6)
    d.set_stage(16, 1.0)
    assert not torch.allclose(d(x), old, atol=1e-3)


def test_stage_layers_get_gradients_only_up_to_the_current_resolution():
    g, _ = nets()
    g.set_stage(8, 1.0)
    g(torch.randn(2, 8)).sum().backward()
    assert g.blocks[1].layers[0].weight.grad is not None and g.to_rgb[1].weight.grad is not None
    assert g.blocks[2].layers[0].weight.grad is None and g.to_rgb[0].weight.grad is None  # not fading: unused


def test_the_paper_layers_are_there():
    g, d = nets()
    assert any(isinstance(m, PixelNorm) for m in g.modules())
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in [*g.modules(), *d.modules()])
    assert any(isinstance(m, MinibatchStdDev) for m in d.modules())
    for net in (g, d):
        weighted = [m for m in net.modules() if hasattr(m, "weight") and isinstance(m.weight, torch.nn.Parameter)]
        assert all(isinstance(m, (EqualizedConv2d, EqualizedLinear)) for m in weighted)
    paper = ProgressiveGenerator(512, (3, 128, 128))
    assert [rgb.in_channels for rgb in paper.to_rgb] == [512, 512, 512, 512, 256, 128]


def test_bad_stage_is_refused():
    g, _ = nets()
    with pytest.raises(ValueError, match="resolution"):
        g.set_stage(12)
    with pytest.raises(ValueError, match="alpha"):
        g.set_stage(8, 1.5)

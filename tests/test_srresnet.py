"""SRResNet generator: output sizes for x2/x3/x4 on odd inputs, no BatchNorm, the global skip, scale errors."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired import SRResNetGenerator


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_scale_times_any_size(scale):
    g = SRResNetGenerator(channels=3, scale=scale, num_blocks=2, width=8)
    y = g(torch.randn(2, 3, 7, 9))
    assert y.shape == (2, 3, 7 * scale, 9 * scale)
    y.mean().backward()
    assert all(p.grad is not None for p in g.parameters())


def test_no_normalisation_anywhere():
    g = SRResNetGenerator(channels=1, scale=4, num_blocks=3, width=8)
    norms = (nn.BatchNorm2d, nn.InstanceNorm2d, nn.GroupNorm, nn.LayerNorm)
    assert not any(isinstance(m, norms) for m in g.modules())
    assert sum(isinstance(m, nn.PixelShuffle) for m in g.modules()) == 2


def _conv3(cin: int, cout: int) -> int:
    return cin * cout * 9 + cout


def test_msrresnet_parameter_count():
    with torch.device("meta"):
        g = SRResNetGenerator(channels=3, scale=4)
    expected = _conv3(3, 64) + 16 * 2 * _conv3(64, 64) + 2 * _conv3(64, 256) + _conv3(64, 64) + _conv3(64, 3)
    assert sum(p.numel() for p in g.parameters()) == expected == 1_517_571


def test_global_skip_is_bilinear_upsampling():
    g = SRResNetGenerator(channels=3, scale=2, num_blocks=1, width=8)
    nn.init.zeros_(g.tail[-1].weight)
    nn.init.zeros_(g.tail[-1].bias)
    x = torch.randn(1, 3, 5, 6)
    expected = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    assert torch.allclose(g(x), expected)
    g.global_skip = False
    assert torch.equal(g(x), torch.zeros_like(expected))


def test_residual_blocks_start_near_identity():
    g = SRResNetGenerator(channels=3, scale=2, num_blocks=4, width=16)
    x = torch.randn(1, 16, 8, 8)
    block = g.body[0]
    assert (block(x) - x).abs().mean() < 0.2 * x.abs().mean()


@pytest.mark.parametrize("scale", [1, 8])
def test_unsupported_scale_refused(scale):
    with pytest.raises(IncompatibleConfigError, match="2, 3 or 4"):
        SRResNetGenerator(scale=scale)

"""Shared pieces of the progressive networks: widths, resampling, the real-image fade."""

import math

import pytest
import torch

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.progressive.blocks import (
    ScaledLeakyReLU,
    downsample,
    fade_reals,
    feature_width,
    progressive_resolutions,
    upsample,
)


def test_widths_follow_the_official_formula():
    # official: min(8192 / 2**(log2(r) - 1), 512) = min(16384 // r, 512)
    assert [feature_width(r, 16384, 512) for r in (4, 8, 16, 32, 64, 128, 256, 1024)] == [
        512,
        512,
        512,
        512,
        256,
        128,
        64,
        16,
    ]
    assert feature_width(32, 2048, 128) == 64 and feature_width(4096, 16, 16) == 1


def test_resolutions_from_the_data_shape():
    assert progressive_resolutions([1, 32, 32]) == [4, 8, 16, 32]
    assert progressive_resolutions([3, 4, 4]) == [4]
    for shape in ([1, 28, 28], [3, 64, 32], [1, 2, 2], [64]):
        with pytest.raises(IncompatibleConfigError, match="power of two"):
            progressive_resolutions(shape)


def test_scaled_leaky_relu():
    x = torch.tensor([-1.0, 2.0])
    assert torch.allclose(ScaledLeakyReLU()(x), torch.tensor([-0.2, 2.0]) * math.sqrt(2))


def test_box_down_and_nearest_up():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    down = downsample(x, 2)
    assert torch.equal(down, torch.tensor([[[[2.5, 4.5], [10.5, 12.5]]]]))
    up = upsample(down, 4)
    assert torch.equal(up[0, 0, :2, :2], torch.full((2, 2), 2.5)) and torch.equal(
        up[0, 0, 2:, 2:], torch.full((2, 2), 12.5)
    )
    assert torch.equal(downsample(up, 2), down)  # box down-sampling undoes nearest up-sampling


def test_reals_are_faded_like_the_official_process_reals():
    real = torch.arange(64.0).view(1, 1, 8, 8)
    # at 8x8 (the image's own size) with alpha 0.25: each 2x2 block's mean, 3/4 of it, plus 1/4 the image
    block_means = real.view(1, 1, 4, 2, 4, 2).mean(dim=(3, 5))
    coarse = block_means.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    assert torch.allclose(fade_reals(real, 8, 0.25), 0.75 * coarse + 0.25 * real)
    # at 4x4: down-sampled first, then faded with the 2x2 version of that
    fine = block_means
    coarse4 = fine.view(1, 1, 2, 2, 2, 2).mean(dim=(3, 5)).repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    assert torch.allclose(fade_reals(real, 4, 1.0), fine)
    assert torch.allclose(fade_reals(torch.cat([real, real]), 8, 0.0), torch.cat([coarse, coarse]))
    assert torch.equal(fade_reals(real, 4, 0.3), fine)  # 4x4 has nothing to fade from
    assert not torch.allclose(coarse4, fine)

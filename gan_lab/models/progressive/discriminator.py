"""The progressive GAN discriminator (Karras et al., 2018, Table 2), in plain PyTorch.

Per resolution a 1x1 ``from_rgb`` (leaky ReLU); per doubling two 3x3 convs and a
2x box down-sampling; at 4x4 the minibatch standard deviation, a 3x3 conv and two
dense layers to one output. All layers use equalized learning rate; no
normalisation (the WGAN-GP penalty is per sample). While a resolution fades in,
the features entering the next block are ``(1 - alpha) * from_rgb_prev(down(x)) +
alpha * block(from_rgb(x))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from torch import Tensor, nn

from gan_lab.models.layers import EqualizedConv2d, EqualizedLinear, MinibatchStdDev
from gan_lab.models.progressive.blocks import (
    DiscriminatorConvPair,
    GrowingNetwork,
    ScaledLeakyReLU,
    downsample,
    feature_width,
    progressive_resolutions,
)


class LastDiscriminatorBlock(nn.Module):
    """``[N, width, 4, 4]`` -> ``[N]``: minibatch stddev, 3x3 conv, dense, dense to one output."""

    def __init__(self, width: int, mbstd_group_size: int, mbstd_channels: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            MinibatchStdDev(mbstd_group_size, mbstd_channels),
            EqualizedConv2d(width + mbstd_channels, width, 3),
            ScaledLeakyReLU(),
            nn.Flatten(),
            EqualizedLinear(width * 16, width),
            ScaledLeakyReLU(),
            EqualizedLinear(width, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x).squeeze(1)


class ProgressiveDiscriminator(GrowingNetwork):
    """Args:
    data_shape: (C, H, W) of the dataset, H = W a power of two >= 4.
    channel_base, channel_max: as the generator's (paper: 16384 and 512).
    mbstd_group_size, mbstd_channels: the minibatch-stddev layer (paper: 4 and 1).

    Takes images at the current resolution, or larger (the dataset's size): those are
    box-downsampled first, which undoes the generator's nearest up-sampling exactly.
    """

    num_classes = None  # unconditional

    def __init__(
        self,
        data_shape: Sequence[int],
        channel_base: int = 16384,
        channel_max: int = 512,
        mbstd_group_size: int = 4,
        mbstd_channels: int = 1,
    ) -> None:
        super().__init__(progressive_resolutions(data_shape))
        channels = int(data_shape[0])
        widths = [feature_width(r, channel_base, channel_max) for r in self.resolutions]
        self.from_rgb = nn.ModuleList(nn.Sequential(EqualizedConv2d(channels, w, 1), ScaledLeakyReLU()) for w in widths)
        self.blocks = nn.ModuleList([LastDiscriminatorBlock(widths[0], mbstd_group_size, mbstd_channels)])
        self.blocks.extend(DiscriminatorConvPair(b, a) for a, b in pairwise(widths))

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        level = self.level
        x = downsample(x, self.resolution)
        h = self.from_rgb[level](x)
        if level > 0:
            h = self.blocks[level](h)
        if self.fading():
            h = self.from_rgb[level - 1](downsample(x, self.resolution // 2)).lerp(h, self.alpha)
        for block in reversed(self.blocks[1:level]):
            h = block(h)
        return self.blocks[0](h)

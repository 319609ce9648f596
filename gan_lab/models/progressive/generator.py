"""The progressive GAN generator (Karras et al., 2018, Table 2), in plain PyTorch.

Normalised latent -> dense 4x4 map -> 3x3 conv; then per doubling: nearest 2x
up-sampling and two 3x3 convs. Every conv is followed by a leaky ReLU and
pixelwise feature normalisation; all layers use equalized learning rate. Each
resolution has its own 1x1 ``to_rgb`` (linear, no tanh, as in the official code).
While a resolution fades in, the image is ``(1 - alpha) * up(to_rgb_prev(h_prev)) +
alpha * to_rgb(h)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from torch import Tensor, nn

from gan_lab.models.layers import EqualizedConv2d, EqualizedLinear, PixelNorm
from gan_lab.models.progressive.blocks import (
    GeneratorConvPair,
    GrowingNetwork,
    ScaledLeakyReLU,
    feature_width,
    progressive_resolutions,
    upsample,
)


class FirstGeneratorBlock(nn.Module):
    """Latent ``[N, latent_dim]`` -> ``[N, width, 4, 4]``: dense layer, then one 3x3 conv."""

    def __init__(self, latent_dim: int, width: int) -> None:
        super().__init__()
        self.width = width
        self.dense = EqualizedLinear(latent_dim, width * 16)
        self.after_dense = nn.Sequential(ScaledLeakyReLU(), PixelNorm())
        self.conv = nn.Sequential(EqualizedConv2d(width, width, 3), ScaledLeakyReLU(), PixelNorm())

    def forward(self, z: Tensor) -> Tensor:
        x = self.dense(z).view(-1, self.width, 4, 4)
        return self.conv(self.after_dense(x))


class ProgressiveGenerator(GrowingNetwork):
    """Args:
    latent_dim: length of the latent vectors (512 in the paper).
    data_shape: (C, H, W) of the dataset, H = W a power of two >= 4.
    channel_base, channel_max: channels at resolution r = min(channel_base // r, channel_max)
        (paper: 16384 and 512).
    normalize_latents: pixel-normalise z first (the paper does).

    ``forward(z, full_size=True)`` returns images at the dataset's size: the current stage's
    output nearest-upsampled, so sample grids and metrics see dataset-size images;
    ``full_size=False`` returns the current resolution (what the family trains on).
    """

    def __init__(
        self,
        latent_dim: int,
        data_shape: Sequence[int],
        channel_base: int = 16384,
        channel_max: int = 512,
        normalize_latents: bool = True,
    ) -> None:
        super().__init__(progressive_resolutions(data_shape))
        self.latent_dim = int(latent_dim)
        self.num_classes = None  # unconditional
        self.data_shape = tuple(int(s) for s in data_shape)
        widths = [feature_width(r, channel_base, channel_max) for r in self.resolutions]
        self.latent_norm = PixelNorm() if normalize_latents else nn.Identity()
        self.blocks = nn.ModuleList([FirstGeneratorBlock(self.latent_dim, widths[0])])
        self.blocks.extend(GeneratorConvPair(a, b) for a, b in pairwise(widths))
        self.to_rgb = nn.ModuleList(EqualizedConv2d(w, self.data_shape[0], 1) for w in widths)

    def forward(self, z: Tensor, labels: Tensor | None = None, full_size: bool = True) -> Tensor:
        level = self.level
        x = self.blocks[0](self.latent_norm(z))
        previous = x
        for block in self.blocks[1 : level + 1]:
            previous, x = x, block(x)
        image = self.to_rgb[level](x)
        if self.fading():
            coarse = upsample(self.to_rgb[level - 1](previous), self.resolution)
            image = coarse.lerp(image, self.alpha)
        return upsample(image, self.final_resolution) if full_size else image

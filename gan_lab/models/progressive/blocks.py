"""Pieces shared by the progressive generator and discriminator (Karras et al., 2018).

Convolutions and dense layers use equalized learning rate
(:mod:`gan_lab.models.layers.equalized`), whose run-time weight scale is
``1 / sqrt(fan_in)``; the He gain ``sqrt(2)`` of the paper's leaky-ReLU layers is
applied after the activation instead (:class:`ScaledLeakyReLU`), which is the same
function because the leaky ReLU is positively homogeneous.
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.layers import EqualizedConv2d, PixelNorm


def progressive_resolutions(data_shape: tuple[int, ...] | list[int], model: str = "progressive") -> list[int]:
    """``[4, 8, ..., H]`` for square images whose side ``H`` is a power of two >= 4; refuses other shapes."""
    shape = [int(s) for s in data_shape]
    if len(shape) != 3 or shape[1] != shape[2] or shape[1] < 4 or shape[1] & (shape[1] - 1):
        raise IncompatibleConfigError(
            f"model={model} grows square images from 4x4 by doublings: it needs a side that is a power of two "
            f">= 4 (4, 8, ..., 32, ..., 128, ...); this dataset gives shape {shape}. Set dataset.image_size "
            "(e.g. dataset.image_size=32 for the MNIST digits)"
        )
    return [4 * 2**i for i in range(int(math.log2(shape[1])) - 1)]


def feature_width(resolution: int, channel_base: int, channel_max: int) -> int:
    """Channels of the layers at ``resolution``: ``min(channel_base // resolution, channel_max)``.

    The official code's ``min(fmap_base / 2**(log2(resolution) - 1), fmap_max)`` with
    ``fmap_base = channel_base / 2`` (8192 and 512 there: 512 channels up to 32 px, then
    halving: 256 at 64, 128 at 128, ..., 16 at 1024)."""
    return max(1, min(int(channel_base) // int(resolution), int(channel_max)))


class ScaledLeakyReLU(nn.Module):
    """``leaky_relu(x, 0.2) * sqrt(2)``: the activation with the He gain of the layer before it."""

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, 0.2) * math.sqrt(2.0)


def upsample(x: Tensor, size: int) -> Tensor:
    """Nearest-neighbour up-sampling to ``size`` px (each pixel repeated): the official ``upscale2d``."""
    return x if x.shape[-1] == size else F.interpolate(x, size=(size, size), mode="nearest")


def downsample(x: Tensor, size: int) -> Tensor:
    """Box (average-pool) down-sampling to ``size`` px: the official ``downscale2d``."""
    return x if x.shape[-1] == size else F.avg_pool2d(x, x.shape[-1] // size)


def fade_reals(real: Tensor, resolution: int, alpha: float) -> Tensor:
    """Real images as D sees them while ``resolution`` fades in with weight ``alpha``:
    box-downsampled to ``resolution`` and blended with their ``resolution / 2`` version
    (nearest up-sampled back), ``(1 - alpha) * coarse + alpha * fine``, the official
    ``process_reals``. With ``alpha = 1`` only the down-sampling remains."""
    fine = downsample(real, resolution)
    if alpha >= 1.0 or resolution <= 4:
        return fine
    coarse = upsample(downsample(fine, resolution // 2), resolution)
    return coarse.lerp(fine, float(alpha))


class GeneratorConvPair(nn.Module):
    """Two 3x3 convolutions, each followed by the scaled leaky ReLU and pixelwise feature
    normalisation; the first one after a 2x nearest up-sampling when ``upsample``."""

    def __init__(self, in_channels: int, out_channels: int, upsample: bool = True) -> None:
        super().__init__()
        self.upsample = upsample
        self.layers = nn.Sequential(
            EqualizedConv2d(in_channels, out_channels, 3),
            ScaledLeakyReLU(),
            PixelNorm(),
            EqualizedConv2d(out_channels, out_channels, 3),
            ScaledLeakyReLU(),
            PixelNorm(),
        )

    def forward(self, x: Tensor) -> Tensor:
        if self.upsample:
            x = upsample(x, 2 * x.shape[-1])
        return self.layers(x)


class DiscriminatorConvPair(nn.Module):
    """Two 3x3 convolutions with the scaled leaky ReLU, then a 2x box down-sampling."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            EqualizedConv2d(in_channels, in_channels, 3),
            ScaledLeakyReLU(),
            EqualizedConv2d(in_channels, out_channels, 3),
            ScaledLeakyReLU(),
        )

    def forward(self, x: Tensor) -> Tensor:
        return downsample(self.layers(x), x.shape[-1] // 2)


class GrowingNetwork(nn.Module):
    """A network that runs at one of ``resolutions`` (its *stage*), fading in the newest one.

    The stage is plain state, not a buffer: the progressive family derives it from the
    images shown (saved in checkpoints) and sets it on every copy (G, D, the EMA G)
    before each step and after every checkpoint load. A fresh network runs at its
    final resolution with ``alpha = 1``, so it also works as an ordinary G or D.
    """

    def __init__(self, resolutions: list[int]) -> None:
        super().__init__()
        self.resolutions = list(resolutions)
        self.resolution = self.resolutions[-1]
        self.alpha = 1.0

    @property
    def final_resolution(self) -> int:
        return self.resolutions[-1]

    @property
    def level(self) -> int:
        """Index of the current resolution in ``resolutions`` (0 = 4x4)."""
        return self.resolutions.index(self.resolution)

    def set_stage(self, resolution: int, alpha: float = 1.0) -> None:
        if int(resolution) not in self.resolutions:
            raise ValueError(f"resolution {resolution} is not one of {self.resolutions}")
        if not 0.0 <= float(alpha) <= 1.0:
            raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
        self.resolution, self.alpha = int(resolution), float(alpha)

    def fading(self) -> bool:
        return self.level > 0 and self.alpha < 1.0

    def extra_repr(self) -> str:
        return f"stage={self.resolution}x{self.resolution}, alpha={self.alpha:g}"

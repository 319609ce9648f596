"""StyleGAN2's synthesis network w -> image, skip architecture (Karras et al., 2020, §4.1).

A learned 4x4 constant goes through one block per resolution (4, 8, ..., the image
size). A block is two style-modulated 3x3 convolutions (the first of a block above
4x4 doubles the resolution), each followed by per-pixel noise with a learned
strength, a bias and leaky ReLU; a toRGB layer (modulated 1x1, not demodulated)
adds the block's contribution to the up-sampled image of the previous blocks.
Channels per resolution: ``min(channel_base // res, channel_max)`` as in
stylegan2-ada-pytorch (``channel_base`` 32768 there is ``fmaps=1``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.models.stylegan2.modulated_conv import ModulatedConv2d

LRELU_GAIN = math.sqrt(2.0)
NOISE_MODES = ("random", "const", "none")


def block_resolutions(resolution: int) -> list[int]:
    """``[4, 8, ..., resolution]``; the resolution must be a power of two >= 4."""
    if resolution < 4 or resolution & (resolution - 1):
        raise ValueError(f"StyleGAN2 needs a power-of-two image size >= 4, got {resolution}")
    return [2**i for i in range(2, int(math.log2(resolution)) + 1)]


def channels_at(resolution: int, channel_base: int, channel_max: int) -> int:
    return max(1, min(int(channel_base) // resolution, int(channel_max)))


class SynthesisLayer(nn.Module):
    """Modulated 3x3 convolution, per-pixel noise (strength learned, 0 at init), bias, leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, up: bool = False) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim, demodulate=True, up=up)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.register_buffer("noise_const", torch.randn(resolution, resolution))

    def forward(self, x: Tensor, w: Tensor, noise_mode: str = "random") -> Tensor:
        x = self.conv(x, w)
        if noise_mode == "random":
            x = (
                x
                + torch.randn(x.shape[0], 1, x.shape[2], x.shape[3], device=x.device, dtype=x.dtype)
                * self.noise_strength
            )
        elif noise_mode == "const":
            x = x + self.noise_const * self.noise_strength
        return F.leaky_relu(x + self.bias.view(1, -1, 1, 1), 0.2) * LRELU_GAIN


class ToRGB(nn.Module):
    def __init__(self, in_channels: int, image_channels: int, w_dim: int) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, image_channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(image_channels))

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        return self.conv(x, w) + self.bias.view(1, -1, 1, 1)


class SynthesisBlock(nn.Module):
    """One resolution: (constant input at 4x4 |) conv0 (up) + conv1, then toRGB into the skip image."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, image_channels: int) -> None:
        super().__init__()
        self.first = resolution == 4
        if self.first:
            self.const = nn.Parameter(torch.randn(out_channels, 4, 4))
            self.convs = nn.ModuleList([SynthesisLayer(out_channels, out_channels, w_dim, resolution)])
        else:
            self.convs = nn.ModuleList(
                [
                    SynthesisLayer(in_channels, out_channels, w_dim, resolution, up=True),
                    SynthesisLayer(out_channels, out_channels, w_dim, resolution),
                ]
            )
        self.torgb = ToRGB(out_channels, image_channels, w_dim)

    @property
    def num_conv(self) -> int:
        return len(self.convs)

    def forward(self, x: Tensor | None, img: Tensor | None, ws: Tensor, noise_mode: str) -> tuple[Tensor, Tensor]:
        """``ws [N, num_conv + 1, w_dim]``: one per convolution, the last for toRGB."""
        if self.first:
            x = self.const.unsqueeze(0).expand(ws.shape[0], -1, -1, -1)
        for i, conv in enumerate(self.convs):
            x = conv(x, ws[:, i], noise_mode)
        rgb = self.torgb(x, ws[:, self.num_conv])
        img = rgb if img is None else F.interpolate(img, scale_factor=2, mode="bilinear", align_corners=False) + rgb
        return x, img


class SynthesisNetwork(nn.Module):
    """Args: w_dim, resolution (power of two), image_channels, channel_base, channel_max.

    ``num_ws`` style inputs: one per convolution plus one for the last toRGB (each
    toRGB shares its w with the next block's first convolution, as in NVIDIA's code).
    """

    def __init__(
        self, w_dim: int, resolution: int, image_channels: int, channel_base: int = 32768, channel_max: int = 512
    ) -> None:
        super().__init__()
        self.w_dim, self.resolution, self.image_channels = int(w_dim), int(resolution), int(image_channels)
        resolutions = block_resolutions(self.resolution)
        blocks = []
        in_ch = 0
        for res in resolutions:
            out_ch = channels_at(res, channel_base, channel_max)
            blocks.append(SynthesisBlock(in_ch, out_ch, w_dim, res, image_channels))
            in_ch = out_ch
        self.blocks = nn.ModuleList(blocks)
        self.num_ws = sum(block.num_conv for block in self.blocks) + 1

    def forward(self, ws: Tensor, noise_mode: str = "random") -> Tensor:
        if noise_mode not in NOISE_MODES:
            raise ValueError(f"noise_mode must be one of {NOISE_MODES}, got {noise_mode!r}")
        if ws.dim() != 3 or ws.shape[1] != self.num_ws:
            raise ValueError(f"ws must have shape [N, {self.num_ws}, {self.w_dim}], got {list(ws.shape)}")
        x = img = None
        index = 0
        for block in self.blocks:
            x, img = block(x, img, ws[:, index : index + block.num_conv + 1], noise_mode)
            index += block.num_conv
        return img

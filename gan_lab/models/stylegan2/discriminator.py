"""StyleGAN2's residual discriminator (Karras et al., 2020, §4.1, "resnet" D).

fromRGB (1x1) at the image size, then one residual block per resolution down to
4x4: two 3x3 convolutions (the second halves the resolution) plus a 1x1 shortcut,
summed and scaled by sqrt(1/2). At 4x4 a minibatch standard deviation layer, a 3x3
convolution and two fully connected layers give one logit per sample. Equalized
learning rate everywhere; down-sampling is 2x2 average pooling (NVIDIA filters with
[1, 3, 3, 1] and strides; the box filter keeps it plain PyTorch and cheap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.models.layers import EqualizedConv2d, EqualizedLinear, MinibatchStdDev
from gan_lab.models.stylegan2.generator import check_image_shape
from gan_lab.models.stylegan2.synthesis import block_resolutions, channels_at

LRELU_GAIN = math.sqrt(2.0)


def lrelu(x: Tensor) -> Tensor:
    return F.leaky_relu(x, 0.2) * LRELU_GAIN


class DiscriminatorBlock(nn.Module):
    """Residual block that halves the resolution."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv0 = EqualizedConv2d(in_channels, in_channels, 3)
        self.conv1 = EqualizedConv2d(in_channels, out_channels, 3)
        self.skip = EqualizedConv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        shortcut = self.skip(F.avg_pool2d(x, 2))
        h = lrelu(self.conv0(x))
        h = lrelu(self.conv1(F.avg_pool2d(h, 2)))
        return (h + shortcut) * math.sqrt(0.5)


class StyleGAN2Discriminator(nn.Module):
    """Args: data_shape (C, H, W), channel_base, channel_max (channels at resolution r:
    ``min(channel_base // r, channel_max)``), mbstd_group_size (4; 32 in the ``cifar``
    config), mbstd_channels (1)."""

    def __init__(
        self,
        data_shape: Sequence[int],
        channel_base: int = 32768,
        channel_max: int = 512,
        mbstd_group_size: int = 4,
        mbstd_channels: int = 1,
    ) -> None:
        super().__init__()
        channels, size = check_image_shape(data_shape)
        self.num_classes = None  # unconditional
        resolutions = block_resolutions(size)[::-1]  # size, ..., 4
        self.from_rgb = EqualizedConv2d(channels, channels_at(size, channel_base, channel_max), 1)
        self.blocks = nn.Sequential(
            *(
                DiscriminatorBlock(
                    channels_at(res, channel_base, channel_max), channels_at(res // 2, channel_base, channel_max)
                )
                for res in resolutions[:-1]
            )
        )
        ch = channels_at(4, channel_base, channel_max)
        self.mbstd = MinibatchStdDev(mbstd_group_size, mbstd_channels)
        self.conv = EqualizedConv2d(ch + mbstd_channels, ch, 3)
        self.fc = EqualizedLinear(ch * 16, ch)
        self.out = EqualizedLinear(ch, 1)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.blocks(lrelu(self.from_rgb(x)))
        h = lrelu(self.conv(self.mbstd(h)))
        h = lrelu(self.fc(h.flatten(1)))
        return self.out(h).squeeze(1)

"""The pix2pix U-Net generator (Isola et al., 2017; Ronneberger et al., 2015).

Encoder: ``num_downs`` 4x4 stride-2 convolutions, each preceded by LeakyReLU(0.2) and followed
by the norm, except the first (no activation before it, no norm) and the innermost (no norm: its
output is 1x1 at full depth, where BatchNorm with batch 1 or InstanceNorm would erase it).
Decoder: ReLU, 4x4 stride-2 transposed convolution, norm, and dropout in the three innermost
decoder blocks (the paper's CD512-CD512-CD512); each decoder output is concatenated with the
encoder feature of the same size. The outermost block maps to ``out_channels`` with tanh.
Widths double from ``width`` and stop at ``max_width`` (pix2pix 256 px: 64, 128, 256, 512 x 5).

The network is fully convolutional: any height and width that are multiples of
``2 ** num_downs`` go through, also sizes other than the training ``image_size``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired.init import init_normal_
from gan_lab.models.paired.norm import check_norm, conv_bias, norm_layer

DROPOUT_BLOCKS = 3  # the innermost decoder blocks with dropout (pix2pix paper, section 6.1.1)


def check_unet_size(height: int, width: int, num_downs: int) -> None:
    """Refuse a spatial size that a U-Net with ``num_downs`` halvings cannot take: the skip
    concatenations need every encoder feature map to halve exactly."""
    factor = 2**num_downs
    if height % factor or width % factor or height < factor or width < factor:
        examples = ", ".join(str(factor * k) for k in (1, 2, 4))
        raise IncompatibleConfigError(
            f"the U-Net generator has {num_downs} down-samplings, so image height and width must be multiples of "
            f"{factor} (e.g. {examples}); got {height}x{width}. Resize or crop the images to such a size, or build "
            f"the U-Net with fewer down-samplings (model.generator.num_downs)."
        )


def default_num_downs(image_size: int) -> int:
    """log2(image_size): down-sample to a 1x1 bottleneck (256 px: 8; 32 px: 5)."""
    size = int(image_size)
    if size < 2 or size & (size - 1):
        raise IncompatibleConfigError(
            f"the U-Net generator picks its depth as log2(image_size), which needs a power of two; "
            f"dataset.image_size is {size}. Use a power-of-two image size (32, 64, 128, 256) or set "
            f"model.generator.num_downs so that the size is a multiple of 2**num_downs."
        )
    return int(math.log2(size))


class UNetDown(nn.Module):
    """[LeakyReLU(0.2)] -> conv 4x4 stride 2 -> [norm]."""

    def __init__(self, in_ch: int, out_ch: int, norm: str, activate: bool) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.LeakyReLU(0.2) if activate else nn.Identity(),
            nn.Conv2d(in_ch, out_ch, 4, stride=2, padding=1, bias=conv_bias(norm)),
            norm_layer(norm, out_ch),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.block(x)


class UNetUp(nn.Module):
    """ReLU -> transposed conv 4x4 stride 2 -> norm -> [dropout]; the last block: ReLU -> transposed conv -> tanh."""

    def __init__(self, in_ch: int, out_ch: int, norm: str, dropout: float, outermost: bool = False) -> None:
        super().__init__()
        if outermost:
            layers = [nn.ReLU(), nn.ConvTranspose2d(in_ch, out_ch, 4, stride=2, padding=1), nn.Tanh()]
        else:
            layers = [
                nn.ReLU(),
                nn.ConvTranspose2d(in_ch, out_ch, 4, stride=2, padding=1, bias=conv_bias(norm)),
                norm_layer(norm, out_ch),
            ]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        self.block = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.block(x)


class UNetGenerator(nn.Module):
    """Args: in_channels (source), out_channels (target); image_size: training size, which sets the
    depth when ``num_downs`` is None; width: channels of the first layer; max_width: cap of the doubling;
    norm: 'batch' | 'instance' | 'none'; dropout: probability in the three innermost decoder blocks
    (0 turns it off); init_std: N(0, init_std) init of pix2pix, None keeps PyTorch's default."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        image_size: int,
        width: int = 64,
        max_width: int = 512,
        norm: str = "batch",
        dropout: float = 0.5,
        num_downs: int | None = None,
        init_std: float | None = 0.02,
    ) -> None:
        super().__init__()
        norm = check_norm(norm)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.num_downs = default_num_downs(image_size) if num_downs is None else int(num_downs)
        if self.num_downs < 1:
            raise IncompatibleConfigError(f"model.generator.num_downs must be at least 1; got {self.num_downs}")
        check_unet_size(int(image_size), int(image_size), self.num_downs)
        widths = [min(int(width) * 2**i, int(max_width)) for i in range(self.num_downs)]

        self.downs = nn.ModuleList()
        in_ch = self.in_channels
        for i, out_ch in enumerate(widths):
            innermost = i == self.num_downs - 1
            self.downs.append(UNetDown(in_ch, out_ch, "none" if i == 0 or innermost else norm, activate=i > 0))
            in_ch = out_ch

        # ups[0] is the innermost block; every other block takes its inner block's output
        # concatenated with the skip (2x channels).
        self.ups = nn.ModuleList()
        for depth in range(self.num_downs - 1, 0, -1):
            inner = depth == self.num_downs - 1
            in_ch = widths[depth] if inner else 2 * widths[depth]
            block_dropout = float(dropout) if len(self.ups) < DROPOUT_BLOCKS else 0.0
            self.ups.append(UNetUp(in_ch, widths[depth - 1], norm, block_dropout))
        first_in = widths[0] if self.num_downs == 1 else 2 * widths[0]
        self.ups.append(UNetUp(first_in, self.out_channels, norm, 0.0, outermost=True))
        if init_std is not None:
            init_normal_(self, float(init_std))

    def check_size(self, height: int, width: int) -> None:
        """Raise IncompatibleConfigError unless height and width are multiples of 2**num_downs."""
        check_unet_size(height, width, self.num_downs)

    def forward(self, x: Tensor) -> Tensor:
        self.check_size(x.shape[-2], x.shape[-1])
        skips = []
        for down in self.downs:
            x = down(x)
            skips.append(x)
        x = skips.pop()  # the bottleneck feeds the innermost up block without a skip
        for i, up in enumerate(self.ups):
            if i > 0:
                x = torch.cat([x, skips.pop()], dim=1)
            x = up(x)
        return x

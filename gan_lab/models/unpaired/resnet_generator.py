"""The ResNet generator of CycleGAN (Zhu et al., 2017; the architecture of Johnson et al., 2016).

c7s1-``width`` -> two 3x3 stride-2 convolutions doubling the width (d128, d256) -> ``num_blocks``
residual blocks at 4x ``width`` (3x3 convolutions with reflection padding and the norm) -> two
up-sampling steps halving the width (u128, u64) -> c7s1-``out_channels`` -> tanh. Every layer but
the last is followed by the norm (instance norm in CycleGAN) and ReLU. The paper uses 9 blocks at
256 px and 6 at 128 px.

``upsample``:
- ``transposed``: 3x3 stride-2 transposed convolutions, as the paper and its code;
- ``resize_conv``: nearest-neighbour 2x resize, then a 3x3 convolution with reflection padding,
  the remedy for the checkerboard artefacts of transposed convolutions (Odena et al., 2016,
  "Deconvolution and Checkerboard Artifacts"; junyanz/pytorch-CycleGAN-and-pix2pix's qa.md).

Fully convolutional: any height and width that are multiples of 4 (and at least 8) go through.
"""

from __future__ import annotations

from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired.init import init_normal_
from gan_lab.models.paired.norm import check_norm, conv_bias, norm_layer

UPSAMPLING = ("transposed", "resize_conv")
DOWNSAMPLINGS = 2  # two stride-2 convolutions: sizes must be multiples of 4
MIN_SIZE = 8  # the bottleneck (size / 4) must be wider than the blocks' reflection padding of 1


def check_resnet_size(height: int, width: int) -> None:
    """Refuse a size the two halvings (and the reflection padding) cannot take, naming sizes that work."""
    step = 2**DOWNSAMPLINGS
    for side in (int(height), int(width)):
        if side % step or side < MIN_SIZE:
            lower = max(MIN_SIZE, side - side % step)
            raise IncompatibleConfigError(
                f"the ResNet generator takes heights and widths that are multiples of {step} and at least "
                f"{MIN_SIZE} px; got {height}x{width}. Sizes that work: {lower}, {lower + step}, {lower + 2 * step}"
            )


class ResidualBlock(nn.Module):
    """x + [reflect pad, 3x3 conv, norm, ReLU, (dropout), reflect pad, 3x3 conv, norm](x)."""

    def __init__(self, channels: int, norm: str, dropout: float = 0.0) -> None:
        super().__init__()
        bias = conv_bias(norm)
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=bias),
            norm_layer(norm, channels),
            nn.ReLU(True),
        ]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=bias), norm_layer(norm, channels)]
        self.body = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


def upsampling_layer(in_ch: int, out_ch: int, upsample: str, bias: bool) -> list[nn.Module]:
    if upsample == "transposed":
        return [nn.ConvTranspose2d(in_ch, out_ch, 3, stride=2, padding=1, output_padding=1, bias=bias)]
    return [nn.Upsample(scale_factor=2, mode="nearest"), nn.ReflectionPad2d(1), nn.Conv2d(in_ch, out_ch, 3, bias=bias)]


class ResnetGenerator(nn.Module):
    """Args: in_channels, out_channels; width: channels of the first layer (64); num_blocks: residual
    blocks (9 at 256 px, 6 at 128 px); upsample: ``transposed`` | ``resize_conv``; norm: ``instance`` |
    ``batch`` | ``none``; dropout: in the residual blocks (CycleGAN: 0); init_std: N(0, init_std)
    init (0.02 in CycleGAN), None keeps PyTorch's default. Output in [-1, 1] (tanh)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        width: int = 64,
        num_blocks: int = 9,
        upsample: str = "transposed",
        norm: str = "instance",
        dropout: float = 0.0,
        init_std: float | None = 0.02,
    ) -> None:
        super().__init__()
        norm = check_norm(norm)
        if upsample not in UPSAMPLING:
            raise IncompatibleConfigError(f"model.generator.upsample must be one of {UPSAMPLING}; got {upsample!r}")
        if int(num_blocks) < 0:
            raise IncompatibleConfigError(f"model.generator.num_blocks must be >= 0; got {num_blocks}")
        width, bias = int(width), conv_bias(norm)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.num_blocks, self.upsample = int(num_blocks), upsample
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(self.in_channels, width, 7, bias=bias),
            norm_layer(norm, width),
            nn.ReLU(True),
        ]
        channels = width
        for _ in range(DOWNSAMPLINGS):
            layers += [
                nn.Conv2d(channels, channels * 2, 3, stride=2, padding=1, bias=bias),
                norm_layer(norm, channels * 2),
                nn.ReLU(True),
            ]
            channels *= 2
        layers += [ResidualBlock(channels, norm, float(dropout)) for _ in range(self.num_blocks)]
        for _ in range(DOWNSAMPLINGS):
            layers += [*upsampling_layer(channels, channels // 2, upsample, bias), norm_layer(norm, channels // 2)]
            layers.append(nn.ReLU(True))
            channels //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(channels, self.out_channels, 7), nn.Tanh()]
        self.layers = nn.Sequential(*layers)
        if init_std is not None:
            init_normal_(self, float(init_std))

    def check_size(self, height: int, width: int) -> None:
        check_resnet_size(height, width)

    def forward(self, x: Tensor) -> Tensor:
        self.check_size(x.shape[-2], x.shape[-1])
        return self.layers(x)

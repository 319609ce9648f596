"""The VGG-style discriminator of SRGAN/ESRGAN (Ledig et al., 2017; BasicSR's VGGStyleDiscriminator).

Blocks of (3x3 stride-1 conv, 4x4 stride-2 conv), each conv followed by BatchNorm (except the very
first) and LeakyReLU(0.2), halve the image down to 4x4; widths are ``width * (1, 2, 4, 8, 8, ...)``.
Then linear(-> 100), LeakyReLU(0.2), linear(-> 1): one logit per image. At 128 px this is
BasicSR's 128 px network (5 blocks). It judges the high-resolution image only, so its
``image_size`` is the HR crop size and inputs must have exactly that size.
"""

from __future__ import annotations

from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError

FINAL_SIZE = 4
HIDDEN = 100
MAX_WIDTH_FACTOR = 8


def _conv_bn(in_ch: int, out_ch: int, kernel: int, stride: int, norm: bool) -> list[nn.Module]:
    conv = nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=1, bias=not norm)
    return [conv, nn.BatchNorm2d(out_ch), nn.LeakyReLU(0.2)] if norm else [conv, nn.LeakyReLU(0.2)]


class VGGStyleDiscriminator(nn.Module):
    """Args: in_channels; image_size: side of the (square) HR images, a power of two >= 16;
    width: channels of the first block. Returns logits ``[N]``."""

    def __init__(self, in_channels: int = 3, image_size: int = 128, width: int = 64) -> None:
        super().__init__()
        size = int(image_size)
        if size < 16 or size & (size - 1):
            raise IncompatibleConfigError(
                f"the VGG-style discriminator needs a square image size that is a power of two of at least 16 "
                f"(16, 32, 64, 128, ...); dataset.image_size is {size}. Change the HR crop size."
            )
        self.image_size = size
        num_blocks = (size // FINAL_SIZE).bit_length() - 1  # halvings from image_size to 4
        layers: list[nn.Module] = []
        in_ch = int(in_channels)
        for i in range(num_blocks):
            out_ch = int(width) * min(2**i, MAX_WIDTH_FACTOR)
            layers += _conv_bn(in_ch, out_ch, 3, 1, norm=i > 0)
            layers += _conv_bn(out_ch, out_ch, 4, 2, norm=True)
            in_ch = out_ch
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_ch * FINAL_SIZE * FINAL_SIZE, HIDDEN),
            nn.LeakyReLU(0.2),
            nn.Linear(HIDDEN, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        if tuple(x.shape[-2:]) != (self.image_size, self.image_size):
            raise IncompatibleConfigError(
                f"the VGG-style discriminator was built for {self.image_size}x{self.image_size} images "
                f"(model.discriminator.image_size) but got {x.shape[-2]}x{x.shape[-1]}; train on HR crops of that size."
            )
        return self.classifier(self.features(x)).squeeze(1)

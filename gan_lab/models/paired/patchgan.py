"""The PatchGAN discriminator of pix2pix (Isola et al., 2017): a fully convolutional D that
classifies each overlapping patch of the image as real or fake.

C64 (no norm) -> ``n_layers - 1`` stride-2 blocks doubling the width (capped at 8x) -> one
stride-1 block -> a stride-1 convolution to one channel; every convolution is 4x4 with padding 1
and followed by LeakyReLU(0.2). With ``n_layers=3`` a 256 px input gives a 30x30 logit map and
each logit sees a 70x70 patch ("70x70 PatchGAN").
For pix2pix, D sees the source and the image (real or translated) concatenated along channels.
"""

from __future__ import annotations

from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired.init import init_normal_
from gan_lab.models.paired.norm import check_norm, conv_bias, norm_layer

MAX_WIDTH_FACTOR = 8


def receptive_field(n_layers: int) -> int:
    """Side of the input patch one output logit sees.

    Walking back from one output pixel: the last two stride-1 4x4 convolutions give 4 + 3 = 7
    pixels; each stride-2 4x4 convolution before them maps r to 2r + 2. Hence
    r + 2 = 9 * 2**n_layers, i.e. r = 9 * 2**n_layers - 2 (n_layers=3: 70; 1: 16)."""
    return 9 * 2 ** int(n_layers) - 2


def min_input_size(n_layers: int) -> int:
    """Smallest input side that still leaves a 1x1 map: each stride-2 layer floors the size to
    half, and the two stride-1 4x4 layers take 1 pixel each, so 3 pixels must remain."""
    return 3 * 2 ** int(n_layers)


class PatchGANDiscriminator(nn.Module):
    """Args: in_channels (pix2pix: source + target channels); width: channels of the first layer;
    n_layers: number of stride-2 convolutions (3: the 70x70 PatchGAN); norm: 'batch' | 'instance' |
    'none'; init_std: N(0, init_std) init of pix2pix, None keeps PyTorch's default.
    Returns logits ``[N, 1, h, w]``, one per patch."""

    def __init__(
        self,
        in_channels: int,
        width: int = 64,
        n_layers: int = 3,
        norm: str = "batch",
        init_std: float | None = 0.02,
    ) -> None:
        super().__init__()
        norm = check_norm(norm)
        self.n_layers = int(n_layers)
        if self.n_layers < 1:
            raise IncompatibleConfigError(f"model.discriminator.n_layers must be at least 1; got {self.n_layers}")
        width = int(width)
        layers: list[nn.Module] = [nn.Conv2d(int(in_channels), width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        in_ch = width
        for i in range(1, self.n_layers + 1):
            out_ch = width * min(2**i, MAX_WIDTH_FACTOR)
            stride = 2 if i < self.n_layers else 1  # the last block keeps the resolution
            layers += [
                nn.Conv2d(in_ch, out_ch, 4, stride=stride, padding=1, bias=conv_bias(norm)),
                norm_layer(norm, out_ch),
                nn.LeakyReLU(0.2),
            ]
            in_ch = out_ch
        layers.append(nn.Conv2d(in_ch, 1, 4, stride=1, padding=1))
        self.layers = nn.Sequential(*layers)
        if init_std is not None:
            init_normal_(self, float(init_std))

    def forward(self, x: Tensor) -> Tensor:
        smallest = min_input_size(self.n_layers)
        if min(x.shape[-2:]) < smallest:
            raise IncompatibleConfigError(
                f"a PatchGAN discriminator with n_layers={self.n_layers} needs images of at least {smallest} px; "
                f"got {x.shape[-2]}x{x.shape[-1]}. Lower model.discriminator.n_layers or use larger images."
            )
        return self.layers(x)

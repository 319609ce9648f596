"""DCGAN (Radford et al., 2016) for 28, 32 and 64 px images.

G: a linear projection to a small feature map (7x7 for 28 px, 4x4 otherwise),
then stride-2 transposed convolutions with BatchNorm and ReLU, Tanh at the end.
D mirrors it: stride-2 convolutions with LeakyReLU(0.2), BatchNorm on all but
the first layer (``norm='none'`` drops it, as WGAN-GP critics should), then a
linear layer to one logit.

Conditional (``num_classes`` set): G's BatchNorms become class-conditional and
D adds the projection term of cGAN-PD (Miyato & Koyama, 2018) on its flattened
features. Unconditional models keep exactly the layers (and checkpoint keys) above.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from gan_lab.models.conditional_batchnorm import batch_norm, run_layers
from gan_lab.models.projection import check_num_classes, class_embedding, projection
from gan_lab.models.shapes import image_shape


def _stages(image_size: int) -> tuple[int, int]:
    """(base feature-map size, number of 2x up/down-sampling stages)."""
    base = 7 if image_size == 28 else 4
    stages = {28: 2, 32: 3, 64: 4}[image_size]
    return base, stages


class DCGANGenerator(nn.Module):
    """Args: latent_dim; data_shape (C, H, W); width: base channel count (28/32 px: 4w,2w[,w]; 64 px: 8w..w);
    num_classes: set for a conditional G (class-conditional BatchNorm)."""

    def __init__(
        self, latent_dim: int, data_shape: Sequence[int], width: int = 64, num_classes: int | None = None
    ) -> None:
        super().__init__()
        channels, size, _ = image_shape(data_shape, "dcgan")
        self.latent_dim = int(latent_dim)
        self.num_classes = check_num_classes(num_classes)
        self.data_shape = (channels, size, size)
        base, stages = _stages(size)
        # Channels halve at each upsampling and end at `width` (64 px: 8w,4w,2w,w; 32 px:
        # 4w,2w,w). 28 px has one stage fewer than 32 px but keeps its 4w,2w start.
        top = width * 2 ** (max(stages, 3) - 1)
        widths = [top // 2**i for i in range(stages)]
        self.base = base
        self.project = nn.Sequential(
            nn.Linear(self.latent_dim, widths[0] * base * base, bias=False),
            nn.Unflatten(1, (widths[0], base, base)),
            batch_norm(widths[0], self.num_classes),
            nn.ReLU(inplace=True),
        )
        layers: list[nn.Module] = []
        for in_ch, out_ch in zip(widths[:-1], widths[1:]):
            layers += [
                nn.ConvTranspose2d(in_ch, out_ch, 4, stride=2, padding=1, bias=False),
                batch_norm(out_ch, self.num_classes),
                nn.ReLU(inplace=True),
            ]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, stride=2, padding=1), nn.Tanh()]
        self.upsample = nn.Sequential(*layers)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return run_layers(self.upsample, run_layers(self.project, z, labels), labels)


class DCGANDiscriminator(nn.Module):
    """Args: data_shape (C, H, W) (C may be m*channels when packing); width: channels of
    the first layer; norm: 'batch' or 'none'; num_classes: set for a projection D."""

    def __init__(
        self, data_shape: Sequence[int], width: int = 64, norm: str = "batch", num_classes: int | None = None
    ) -> None:
        super().__init__()
        channels, size, _ = image_shape(data_shape, "dcgan")
        self.num_classes = check_num_classes(num_classes)
        if norm not in ("batch", "none"):
            raise ValueError(f"norm must be 'batch' or 'none', got {norm!r}")
        base, stages = _stages(size)
        widths = [width * 2**i for i in range(stages)]  # e.g. 64,128,256
        layers: list[nn.Module] = []
        in_ch = channels
        for i, out_ch in enumerate(widths):
            layers.append(nn.Conv2d(in_ch, out_ch, 4, stride=2, padding=1, bias=(i == 0 or norm == "none")))
            if i > 0 and norm == "batch":
                layers.append(nn.BatchNorm2d(out_ch))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            in_ch = out_ch
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(widths[-1] * base * base, 1))
        self.embed = class_embedding(self.num_classes, widths[-1] * base * base)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        features = self.features(x)
        out = self.head(features).squeeze(1)
        if self.embed is None:
            return out
        return out + projection(self.embed, features.flatten(start_dim=1), labels)

"""ResNet G and D in the SNGAN style (Miyato et al., 2018; Gulrajani et al., 2017),
for 32, 48 and 64 px images, the architecture Mimicry and StudioGAN use.

G: z -> linear -> ``width`` x b x b (b = 4, or 6 at 48 px) -> up-sampling
residual blocks (BN-ReLU-up-conv3-BN-ReLU-conv3, 1x1 conv shortcut) until the
image size -> BN-ReLU-conv3-tanh.
D: an "optimized" first block (conv3-ReLU-conv3-avgpool, shortcut avgpool-conv1),
residual down-sampling blocks while the feature map is larger than 8 px, two
blocks without down-sampling, then ReLU, global sum pooling and a linear head.
All blocks of a network have the same width (SNGAN's CIFAR-10 widths are 256
for G, 128 for D). Spectral normalisation of D is applied by the builder
(``model.spectral_norm.discriminator``, on by default for this model).

Conditional (``num_classes`` set): G's BatchNorms become class-conditional,
and D adds the projection term (cGAN-PD, Miyato & Koyama, 2018).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.models.conditional_batchnorm import ConditionalBatchNorm, batch_norm
from gan_lab.models.projection import check_num_classes, class_embedding, projection
from gan_lab.models.shapes import RESNET_RESOLUTIONS, image_shape


def _norm(layer: nn.Module, x: Tensor, labels: Tensor | None) -> Tensor:
    return layer(x, labels) if isinstance(layer, ConditionalBatchNorm) else layer(x)


class GeneratorBlock(nn.Module):
    """Pre-activation residual block that doubles the resolution (nearest up-sampling)."""

    def __init__(self, in_ch: int, out_ch: int, num_classes: int | None = None) -> None:
        super().__init__()
        self.bn1 = batch_norm(in_ch, num_classes)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.bn2 = batch_norm(out_ch, num_classes)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.shortcut = nn.Conv2d(in_ch, out_ch, 1)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        h = F.relu(_norm(self.bn1, x, labels))
        h = self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(_norm(self.bn2, h, labels)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class DiscriminatorBlock(nn.Module):
    """Residual block, optionally halving the resolution (2x2 average pooling).

    ``first=True`` is SNGAN's "optimized" block for the raw image: no activation
    before the first convolution, and the shortcut pools before its 1x1 conv.
    """

    def __init__(self, in_ch: int, out_ch: int, downsample: bool, first: bool = False) -> None:
        super().__init__()
        self.downsample, self.first = downsample, first
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.shortcut = nn.Conv2d(in_ch, out_ch, 1) if (first or downsample or in_ch != out_ch) else None

    def _pool(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, 2) if self.downsample else x

    def forward(self, x: Tensor) -> Tensor:
        h = x if self.first else F.relu(x)
        h = self.conv2(F.relu(self.conv1(h)))
        h = self._pool(h)
        if self.shortcut is None:
            return h + x
        if self.first:
            return h + self.shortcut(self._pool(x))
        return h + self._pool(self.shortcut(x))


class ResNetGenerator(nn.Module):
    """Args: latent_dim; data_shape (C, H, W) with H = W in {32, 48, 64}; width: channels
    of every block; num_classes: set for a conditional G (class-conditional BatchNorm)."""

    def __init__(
        self, latent_dim: int, data_shape: Sequence[int], width: int = 256, num_classes: int | None = None
    ) -> None:
        super().__init__()
        channels, size, _ = image_shape(data_shape, "resnet", RESNET_RESOLUTIONS)
        self.latent_dim = int(latent_dim)
        self.num_classes = check_num_classes(num_classes)
        self.data_shape = (channels, size, size)
        self.base = 6 if size == 48 else 4
        n_blocks = {32: 3, 48: 3, 64: 4}[size]
        self.project = nn.Linear(self.latent_dim, width * self.base * self.base)
        self.blocks = nn.ModuleList(GeneratorBlock(width, width, self.num_classes) for _ in range(n_blocks))
        self.bn = nn.BatchNorm2d(width)
        self.to_image = nn.Conv2d(width, channels, 3, padding=1)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.project(z).view(z.shape[0], -1, self.base, self.base)
        for block in self.blocks:
            h = block(h, labels)
        return self.to_image(F.relu(self.bn(h))).tanh()


class ResNetDiscriminator(nn.Module):
    """Args: data_shape (C, H, W) with H = W in {32, 48, 64} (C may be m*channels when
    packing); width: channels of every block; num_classes: set for a projection D."""

    def __init__(self, data_shape: Sequence[int], width: int = 128, num_classes: int | None = None) -> None:
        super().__init__()
        channels, size, _ = image_shape(data_shape, "resnet", RESNET_RESOLUTIONS)
        self.num_classes = check_num_classes(num_classes)
        blocks = [DiscriminatorBlock(channels, width, downsample=True, first=True)]
        size //= 2
        while size > 8:
            blocks.append(DiscriminatorBlock(width, width, downsample=True))
            size //= 2
        blocks += [DiscriminatorBlock(width, width, downsample=False) for _ in range(2)]
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(width, 1)
        self.embed = class_embedding(self.num_classes, width)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        features = F.relu(self.blocks(x)).sum(dim=(2, 3))  # global sum pooling
        return self.linear(features).squeeze(1) + projection(self.embed, features, labels)

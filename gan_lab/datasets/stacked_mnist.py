"""Stacked MNIST: three independently drawn MNIST digits as the R, G and B channels.

1,000 modes (digit triples); the label of a sample is ``100 * r + 10 * g + b``.
The mode-collapse benchmark of VEEGAN and PacGAN (see
``gan_lab.metrics.stacked_mnist`` for its metric).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from gan_lab.errors import DatasetNotFoundError, IncompatibleConfigError


def _digits(root: str | None, train: bool) -> tuple[torch.Tensor, torch.Tensor, str]:
    """uint8 ``[N, 1, 28, 28]`` digits, int64 labels, and a name for the source."""
    if root is None:
        from gan_lab.datasets.bundled_mnist import BundledMNIST

        data = BundledMNIST()
        return data.images, data.targets, "bundled_mnist:test"
    from torchvision import datasets

    path = Path(str(root)).expanduser().resolve()
    try:
        mnist = datasets.MNIST(str(path), train=train, download=True)
    except (RuntimeError, OSError) as err:
        raise DatasetNotFoundError(
            f"MNIST not found in {path} ({str(err).strip().splitlines()[-1][:120] if str(err).strip() else err}). "
            f"Expected {path}/MNIST/raw/*-ubyte.gz; or leave dataset.root=null to use the bundled digits"
        ) from None
    return mnist.data.unsqueeze(1), mnist.targets.long(), f"mnist:{'train' if train else 'test'}"


class StackedMNIST(Dataset):
    """``num_samples`` fixed triples of digits drawn uniformly with replacement (local seed).

    Args:
        num_samples: dataset length.
        image_size: side in pixels (digits resized from 28 px when different).
        root: torchvision MNIST root; ``None`` uses the 10,000 bundled digits.
        train: which torchvision split (ignored for the bundled digits, which are the test split).
        seed: seed of the triple draw.
    Items: ``(float32 [3, image_size, image_size] in [-1, 1], int label 100*r + 10*g + b)``.
    """

    num_classes = 1000
    data_kind = "image"

    def __init__(
        self,
        num_samples: int = 60_000,
        image_size: int = 28,
        root: str | None = None,
        train: bool = True,
        seed: int = 0,
    ):
        if int(image_size) < 1:
            raise IncompatibleConfigError(f"image_size must be a positive integer, got {image_size}")
        images, labels, self.source = _digits(root, train)
        if int(image_size) != images.shape[-1]:
            resized = F.interpolate(
                images.float(), size=(int(image_size),) * 2, mode="bilinear", antialias=True, align_corners=False
            )
            images = resized.round().clamp(0, 255).to(torch.uint8)
        self.digits, self.digit_labels = images, labels
        self.image_size = int(image_size)
        gen = torch.Generator().manual_seed(seed)
        self.indices = torch.randint(len(images), (int(num_samples), 3), generator=gen)
        d = labels[self.indices]
        self.targets = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = self.digits[self.indices[index]].squeeze(1)  # [3, H, W]
        return image.float().div_(127.5).sub_(1.0), int(self.targets[index])

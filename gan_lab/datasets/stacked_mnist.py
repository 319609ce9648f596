"""Stacked MNIST (Metz et al., 2017; used by VEEGAN and PacGAN): three MNIST
digits stacked as the R, G, B channels, 1000 modes (one per digit triple).

Minimal version built on the bundled MNIST test digits (offline). Each item is
a fixed, seeded triple of digit indices; the label is 100·d_R + 10·d_G + d_B.
Items: ``(float32 [3, image_size, image_size] in [-1, 1], int label in [0, 1000))``.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

from gan_lab.datasets.bundled_mnist import BundledMNIST
from gan_lab.errors import EmptyDatasetError


class StackedMNIST(Dataset):
    num_classes = 1000
    data_kind = "image"

    def __init__(self, image_size: int = 28, num_samples: int = 100_000, seed: int = 0) -> None:
        if num_samples < 1:
            raise EmptyDatasetError(f"stacked MNIST num_samples must be >= 1, got {num_samples}")
        self.digits = BundledMNIST(image_size=image_size, channels=1)
        gen = torch.Generator().manual_seed(seed)
        self.indices = torch.randint(len(self.digits), (num_samples, 3), generator=gen)
        t = self.digits.targets[self.indices]  # [N, 3]
        self.targets = t[:, 0] * 100 + t[:, 1] * 10 + t[:, 2]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = torch.cat([self.digits[int(i)][0] for i in self.indices[index]], dim=0)
        return image, int(self.targets[index])

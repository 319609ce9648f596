"""How an unpaired dataset draws its items: A in order, B at random, flips, all resumable.

Item ``i`` of an epoch is A image ``i mod len_A`` and, on the training split, a B image drawn
uniformly (junyanz's ``unaligned_dataset``: A by index, B at random); the epoch has
``max(len_A, len_B)`` items. Other splits pair A image ``i mod len_A`` with B image
``i mod len_B`` and never flip, so evaluation sees each image of both domains.

The random draws (B's index, the two flips) come from a ``torch.Generator`` seeded from
``(seed, epoch, i)``, not from the global RNG: Lightning fetches a batch before gan_lab restores
the RNG state of a resumed run, so draws from the global RNG in ``__getitem__`` would differ
between a resumed run and an uninterrupted one. The training module calls :meth:`set_epoch`
at the start of training and of every epoch (``UnpairedImageToImage`` does). With
``data.num_workers > 0`` the workers keep the copy of the dataset they started with, so epochs
after the first repeat the first epoch's B draws and flips (the order still changes).
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from gan_lab.errors import EmptyDatasetError

_MIX = 1_000_003  # a prime: distinct (seed, epoch, index) give distinct generator seeds


class UnpairedSampling(Dataset):
    """Base of the unpaired datasets. Subclasses set ``len_a``, ``len_b`` and implement
    :meth:`image_a` / :meth:`image_b` (float ``[C, H, W]`` in [-1, 1], before flipping)."""

    provides: tuple[str, ...] = ("image_a", "image_b", "label")
    data_kind = "unpaired"

    def __init__(self, len_a: int, len_b: int, random: bool, flip: bool = True, seed: int = 0) -> None:
        if len_a < 1 or len_b < 1:
            raise EmptyDatasetError(f"an unpaired dataset needs images in both domains (A: {len_a}, B: {len_b})")
        self.len_a, self.len_b = int(len_a), int(len_b)
        self.random, self.flip, self.seed = bool(random), bool(flip), int(seed)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return max(self.len_a, self.len_b)

    def item_generator(self, index: int) -> torch.Generator:
        return torch.Generator().manual_seed(((self.seed * _MIX + self.epoch) * _MIX + int(index)) % 2**63)

    def pick(self, index: int) -> tuple[int, int, torch.Generator | None]:
        """``(A index, B index, generator for the flips or None)`` of item ``index``."""
        if not self.random:
            return index % self.len_a, index % self.len_b, None
        generator = self.item_generator(index)
        return index % self.len_a, int(torch.randint(self.len_b, (), generator=generator)), generator

    def maybe_flip(self, image: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """A horizontal flip with probability 0.5 (training with ``flip`` only)."""
        if generator is None or not self.flip:
            return image
        return TF.horizontal_flip(image) if bool(torch.rand((), generator=generator) < 0.5) else image

    def image_a(self, index: int, generator: torch.Generator | None) -> torch.Tensor:
        raise NotImplementedError

    def image_b(self, index: int, generator: torch.Generator | None) -> torch.Tensor:
        raise NotImplementedError

    def label(self, index_a: int) -> int:
        return -1

    def extras(self, index_a: int) -> dict:
        """More entries of item with A image ``index_a`` (e.g. a ground truth for evaluation)."""
        return {}

    def __getitem__(self, index: int) -> dict:
        ia, ib, generator = self.pick(int(index))
        a = self.maybe_flip(self.image_a(ia, generator), generator)
        b = self.maybe_flip(self.image_b(ib, generator), generator)
        return {"image_a": a.contiguous(), "image_b": b.contiguous(), "label": self.label(ia), **self.extras(ia)}

    def preview_item(self, index: int) -> dict:
        """Item ``index`` without random draws (A ``index``, B ``index``, no flips), for sample grids."""
        ia, ib = index % self.len_a, index % self.len_b
        return {"image_a": self.image_a(ia, None), "image_b": self.image_b(ib, None), "label": self.label(ia)}

"""A fixed random subset of a training set: the limited-data setting of StyleGAN2-ADA
(``--subset`` of stylegan2-ada-pytorch), as ``dataset.subset`` (a count, or a fraction < 1)."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset, Subset

from gan_lab.errors import IncompatibleConfigError


def subset_size(total: int, subset: float) -> int:
    """``subset`` images of ``total``: a whole number (>= 1), or a fraction in (0, 1)."""
    value = float(subset)
    if 0.0 < value < 1.0:
        return max(1, int(total * value))
    if value >= 1.0 and value == int(value):
        return min(int(value), total)
    raise IncompatibleConfigError(
        f"dataset.subset={subset!r}: give a number of images (e.g. 500) or a fraction in (0, 1) (e.g. 0.1)"
    )


class RandomSubset(Subset):
    """The same ``subset`` items of ``dataset`` for a given ``seed`` (a seeded permutation);
    keeps ``num_classes`` of the full set."""

    def __init__(self, dataset: Dataset, subset: float, seed: int = 0) -> None:
        total = len(dataset)  # type: ignore[arg-type]
        order = torch.randperm(total, generator=torch.Generator().manual_seed(int(seed)))
        super().__init__(dataset, order[: subset_size(total, subset)].tolist())
        self.num_classes: Any = getattr(dataset, "num_classes", None)

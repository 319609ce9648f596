"""A shuffling sampler that a resumed run can restart mid-epoch.

Hand-written because torch's RandomSampler and DistributedSampler cannot start
in the middle of an epoch. That is what an exact resume needs: after step k
the resumed run must see the same real batches as the uninterrupted run.
Epoch e uses the permutation drawn from ``seed + e`` (the global RNG is never
touched). Under DDP each rank takes every ``world_size``-th index of it, and
the tail is dropped so that every rank gets the same number of samples.

The indices it yields are :class:`SampleIndex` ints that also carry a seed for
the item's own random draws (crops, flips, masks), derived from the sampler's
seed, the epoch and the index. A dataset that seeds its augmentation from it
(:func:`item_generator`) gives an item the same draws in a resumed run as in an
uninterrupted one, whatever the global RNG did in between (Lightning fetches the
next batch before a resumed run's RNG states are restored), and in worker
processes too.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class SampleIndex(int):
    """A dataset index that carries ``draw_seed``, the seed of the item's own random draws."""

    draw_seed: int

    def __new__(cls, index: int, draw_seed: int) -> SampleIndex:
        value = super().__new__(cls, index)
        value.draw_seed = int(draw_seed)
        return value

    def __reduce__(self):  # noqa: ANN204  (to DataLoader workers, with the seed)
        return SampleIndex, (int(self), self.draw_seed)


def item_generator(index: int) -> torch.Generator:
    """The generator an item's random draws come from: seeded by the sampler when ``index`` is a
    :class:`SampleIndex`, else (a dataset used on its own) by one draw from the global RNG."""
    seed = getattr(index, "draw_seed", None)
    if seed is None:
        seed = int(torch.randint(0, 2**62, ()))
    return torch.Generator().manual_seed(seed)


def draw_seed(seed: int, epoch: int, index: int) -> int:
    """A distinct 62-bit seed for each (sampler seed, epoch, index)."""
    return ((seed * 1_000_003 + epoch) * 2_147_483_647 + index) % 2**62


class ResumableShuffleSampler(Sampler[int]):
    def __init__(self, num_samples: int, batch_size: int, seed: int = 0, rank: int = 0, world_size: int = 1) -> None:
        self.num_samples = int(num_samples)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.rank = int(rank)
        self.world_size = int(world_size)
        self.epoch = 0
        self._skip_batches = 0

    def set_epoch(self, epoch: int) -> None:
        """Called by Lightning at the start of every epoch."""
        self.epoch = int(epoch)

    def skip_batches(self, count: int) -> None:
        """Make the next epoch start after ``count`` batches (once)."""
        self._skip_batches = int(count)

    def __len__(self) -> int:
        return self.num_samples // self.world_size

    def __iter__(self) -> Iterator[int]:
        rng = torch.Generator().manual_seed(self.seed + self.epoch)
        order = torch.randperm(self.num_samples, generator=rng)
        order = order[: len(self) * self.world_size][self.rank :: self.world_size]
        start, self._skip_batches = self._skip_batches * self.batch_size, 0
        epoch, seed = self.epoch, self.seed
        return iter([SampleIndex(i, draw_seed(seed, epoch, i)) for i in order[start:].tolist()])

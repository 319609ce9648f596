"""A shuffling sampler that a resumed run can restart mid-epoch.

Hand-written because torch's RandomSampler and DistributedSampler cannot start
in the middle of an epoch. That is what an exact resume needs: after step k
the resumed run must see the same real batches as the uninterrupted run.
Epoch e uses the permutation drawn from ``seed + e`` (the global RNG is never
touched). Under DDP each rank takes every ``world_size``-th index of it, and
the tail is dropped so that every rank gets the same number of samples.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


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
        return iter(order[start:].tolist())

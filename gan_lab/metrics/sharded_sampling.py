"""Generating evaluation samples on every DDP rank and gathering them exactly.

Every rank draws the same seeded noise for all ``n`` samples and generates
only its own contiguous shard. The shards are padded to a common length for
``all_gather`` and trimmed again afterwards. The result is exactly ``n``
samples, no padding and no duplicates, in the same order a single process
would produce them. Hand-written: torch's DistributedSampler pads by repeating
samples, which would change the metric.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from gan_lab.metrics.sampling import conditional_labels, condition_noise, draw_noise, generate_from_noise


def shard_bounds(n: int, world_size: int) -> list[tuple[int, int]]:
    """Contiguous ``[start, end)`` ranges, one per rank, sizes differing by at most one."""
    base, extra = divmod(int(n), int(world_size))
    bounds, start = [], 0
    for rank in range(world_size):
        end = start + base + (1 if rank < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


@torch.no_grad()
def generate_shard(
    module,
    n: int,
    rank: int,
    world_size: int,
    batch_size: int = 256,
    seed: int = 0,
    use_ema: bool = True,
    captions: list[str] | None = None,
) -> tuple[Tensor, str]:
    """This rank's part of the ``n`` samples that ``generate_samples(module, n, seed=seed, captions=captions)``
    makes."""
    start, end = shard_bounds(n, world_size)[rank]
    labels = conditional_labels(module, n)
    z = draw_noise(module, n, seed)[start:end]
    labels = None if labels is None else labels[start:end]
    eps = None if captions is None else condition_noise(module, n, seed, use_ema)[start:end]
    captions = None if captions is None else captions[start:end]
    return generate_from_noise(module, z, labels, batch_size, use_ema, captions, eps)


def gather_shards(shard: Tensor, n: int, world_size: int, all_gather: Callable[[Tensor], Tensor]) -> Tensor:
    """Concatenate every rank's shard (``all_gather`` stacks ``[world_size, ...]``), padding removed."""
    bounds = shard_bounds(n, world_size)
    longest = max(end - start for start, end in bounds)
    padded = torch.zeros((longest, *shard.shape[1:]), dtype=shard.dtype, device=shard.device)
    padded[: len(shard)] = shard
    stacked = all_gather(padded).reshape(world_size, longest, *shard.shape[1:])
    return torch.cat([stacked[rank, : end - start] for rank, (start, end) in enumerate(bounds)]).cpu()


def generate_gathered(
    module,
    n: int,
    rank: int,
    world_size: int,
    all_gather: Callable[[Tensor], Tensor],
    batch_size: int = 256,
    seed: int = 0,
    use_ema: bool = True,
    captions: list[str] | None = None,
) -> tuple[Tensor, str]:
    shard, kind = generate_shard(module, n, rank, world_size, batch_size, seed, use_ema, captions)
    device = next(module.parameters()).device
    return gather_shards(shard.to(device), n, world_size, all_gather), kind

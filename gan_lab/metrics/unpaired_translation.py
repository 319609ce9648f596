"""FID/KID of an unpaired (CycleGAN) model: translated held-out images of one domain against
the real held-out images of the other, in both directions (Zhu et al., 2017 score A -> B by
comparing G_AB(test A) with test B; there is no per-image target).

Records are named ``<metric>_AtoB`` and ``<metric>_BtoA``; their protocol says the direction,
which split was translated and which split is the reference.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor

from gan_lab.errors import GanLabError

DIRECTIONS = {"AtoB": ("a", "b"), "BtoA": ("b", "a")}


def domain_count(dataset, side: str) -> int:  # noqa: ANN001
    return int(dataset.len_a if side == "a" else dataset.len_b)


def domain_batches(dataset, side: str, n: int, batch_size: int) -> Iterator[Tensor]:  # noqa: ANN001
    """The first ``n`` images of domain ``side`` (``"a"``/``"b"``) of an unpaired dataset, in file
    order, without random crops or flips, as float ``[B, C, H, W]`` batches in [-1, 1]."""
    count = min(int(n), domain_count(dataset, side))
    if count < 2:
        raise GanLabError(f"domain {side.upper()} of the held-out split has {count} image(s): FID/KID need at least 2")
    image = dataset.image_a if side == "a" else dataset.image_b
    for start in range(0, count, int(batch_size)):
        yield torch.stack([image(i, None) for i in range(start, min(start + int(batch_size), count))])


@torch.no_grad()
def translated_batches(module, dataset, direction: str, n: int, batch_size: int, use_ema: bool) -> Iterator[Tensor]:  # noqa: ANN001
    """``module.translate(x, direction)`` of the held-out source domain's first ``n`` images."""
    source, _ = DIRECTIONS[direction]
    for batch in domain_batches(dataset, source, n, batch_size):
        yield module.translate(batch.to(module.device), direction=direction, use_ema=use_ema).float().cpu()

"""Running a paired module over its held-out data: the outputs, targets, masks and labels the
paired metrics consume, batch by batch (large held-out sets never sit in memory whole)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor

from gan_lab.errors import GanLabError
from gan_lab.metrics.sampling import to_uint8, which_generator


@dataclass
class PairedBatch:
    """One batch: ``outputs``/``targets`` uint8 ``[N, C, H, W]`` (as saved PNGs would hold them),
    ``masks`` float ``[N, 1, H, W]`` (1 = hole) or None, ``labels`` int64 ``[N]`` (-1 = unknown)."""

    outputs: Tensor
    targets: Tensor
    masks: Tensor | None
    labels: Tensor


def generator_kind(module, use_ema: bool) -> str:  # noqa: ANN001
    """``"ema"`` or ``"raw"``: which generator ``module.translate(..., use_ema=use_ema)`` runs."""
    return which_generator(module, use_ema)[1]


@torch.no_grad()
def translated_batches(
    module,
    dataset,
    n: int,
    batch_size: int = 64,
    use_ema: bool = True,  # noqa: ANN001
) -> Iterator[PairedBatch]:
    """``module.translate`` over the first ``n`` items of ``dataset`` (dict items with ``source``,
    ``target``, ``label`` and, for inpainting, ``mask``), in order."""
    if n <= 0:
        raise GanLabError("the held-out dataset is empty: nothing to evaluate")
    subset = torch.utils.data.Subset(dataset, range(min(int(n), len(dataset))))
    loader = torch.utils.data.DataLoader(subset, batch_size=int(batch_size), shuffle=False)
    device = next(module.parameters()).device
    for batch in loader:
        if not isinstance(batch, dict) or "source" not in batch or "target" not in batch:
            raise GanLabError("paired evaluation needs dataset items {'source', 'target', ...}")
        mask = batch.get("mask")
        outputs = module.translate(
            batch["source"].to(device), None if mask is None else mask.to(device), use_ema=use_ema
        )
        targets = batch["target"]
        if outputs.shape[1:] != targets.shape[1:]:
            raise GanLabError(
                f"the generator's outputs {list(outputs.shape[1:])} do not match the targets {list(targets.shape[1:])}"
            )
        labels = batch.get("label")
        yield PairedBatch(
            to_uint8(outputs.float().cpu()),
            to_uint8(targets),
            None if mask is None else mask.float().cpu(),
            torch.full((len(targets),), -1, dtype=torch.long) if labels is None else labels.long().cpu(),
        )

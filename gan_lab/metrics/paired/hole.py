"""L1 and PSNR on the hole of inpainted images: only the pixels the generator filled count.

Hand-written: torchmetrics has no mask-weighted PSNR or L1. Authors define "mean L1"
differently (relative or /255, per image or pooled); here it is per image, in [0, 1]:
``sum(m * |o - t|) / (255 * C * sum(m))``, then averaged over images.
"""

from __future__ import annotations

import torch
from torch import Tensor

from gan_lab.errors import GanLabError
from gan_lab.metrics.paired.convention import DATA_RANGE


def _masked_terms(outputs: Tensor, targets: Tensor, masks: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(output - target, the mask, per image: hole pixels * channels), in float64."""
    if outputs.shape != targets.shape:
        raise GanLabError(f"output and target sizes differ: {list(outputs.shape)} vs {list(targets.shape)}")
    if masks.dim() != 4 or masks.shape[1] != 1 or masks.shape[-2:] != outputs.shape[-2:]:
        raise GanLabError(f"masks must be [N, 1, H, W] at the image size, got {list(masks.shape)}")
    m = masks.double()
    diff = outputs.double() - targets.double()
    count = m.sum(dim=(1, 2, 3)) * outputs.shape[1]
    return diff, m, count


def hole_l1(outputs: Tensor, targets: Tensor, masks: Tensor) -> Tensor:
    """``[N]`` mean absolute error on the hole, as a fraction of the data range (0 = exact); NaN for an
    image without hole."""
    diff, m, count = _masked_terms(outputs, targets, masks)
    return (diff.abs() * m).sum(dim=(1, 2, 3)) / DATA_RANGE / count


def hole_psnr(outputs: Tensor, targets: Tensor, masks: Tensor) -> Tensor:
    """``[N]`` PSNR (dB) of the hole pixels: ``10 log10(255^2 / MSE_hole)``; NaN for an image without hole."""
    diff, m, count = _masked_terms(outputs, targets, masks)
    mse = (diff.square() * m).sum(dim=(1, 2, 3)) / count
    return 10.0 * torch.log10(DATA_RANGE**2 / mse)

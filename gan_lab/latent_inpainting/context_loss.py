"""The weighted context loss of Yeh et al. (2017), eq. 3-4.

A known pixel ``i`` is weighted by the fraction of *missing* pixels in the ``window x window``
box around it, ``W_i = mean_{j in N(i)} hole_j`` (0 on missing pixels): known pixels next to
the hole count most, those far from it not at all, because they say little about what the
hole holds. This is the paper's equation 3, ``sum_j (1 - M_j) / |N(i)|`` with ``M`` = 1 on
known pixels. (The issue's wording and the official code, moodoki/semantic_image_inpainting
``createWeightedMask``, convolve the *known* mask instead, which weighs known pixels far from the
hole most; a helper module of the same code base convolves ``1 - mask`` as the paper does. We
follow the paper.) Windows that cross the image border are filled by symmetric reflection
(the edge row repeated), as ``scipy.signal.convolve2d(..., boundary="symm")`` in the
official code, so |N(i)| is always ``window**2``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def _symmetric_pad(x: Tensor, pad: int) -> Tensor:
    """Pad the last two dims by ``pad`` mirroring about the edge, edge included (numpy's "symmetric")."""
    if pad == 0:
        return x
    rows = [x[..., :pad, :].flip(-2), x, x[..., -pad:, :].flip(-2)]
    x = torch.cat(rows, dim=-2)
    return torch.cat([x[..., :pad].flip(-1), x, x[..., -pad:].flip(-1)], dim=-1)


def context_weights(hole: Tensor, window: int = 7) -> Tensor:
    """``W`` of the same shape as ``hole`` (``[N, 1, H, W]``, 1 = missing): for each known pixel, the
    fraction of missing pixels in the ``window x window`` box centred on it; 0 on missing pixels."""
    if window < 1 or window % 2 == 0:
        raise ValueError(f"window must be an odd whole number >= 1, got {window}")
    hole = hole.float()
    if window // 2 > min(hole.shape[-2:]):
        raise ValueError(f"window {window} is too large for a {tuple(hole.shape[-2:])} image")
    missing_fraction = F.avg_pool2d(_symmetric_pad(hole, window // 2), window, stride=1)
    return (1.0 - hole) * missing_fraction


def context_loss(generated: Tensor, image: Tensor, weights: Tensor) -> Tensor:
    """Per sample ``sum |W * (G(z) - y)|`` over channels and pixels: ``[N]``. ``weights`` (``[N or 1, 1, H, W]``)
    broadcasts over the channels."""
    return ((generated - image).abs() * weights).flatten(1).sum(1)

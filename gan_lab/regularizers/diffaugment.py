"""DiffAugment (Zhao et al., 2020): differentiable augmentations for D's inputs.

Hand-written (no maintained library ships it for plain tensors). The same
policy runs on every batch D sees, real and fake alike, in both the D and the
G steps, so gradients reach G through the augmentation. Every sample of a
batch goes through every operation of the policy, each with its own random
magnitude, as in the paper:

* ``color``: brightness (add U[-0.5, 0.5]), saturation (scale the deviation from
  the per-pixel channel mean by U[0, 2]), contrast (scale the deviation from
  the image mean by U[0.5, 1.5]);
* ``translation``: shift by up to 1/8 of the image size in x and y, zero fill;
* ``cutout``: zero a square of half the image size at a random centre.

Inputs are images ``[N, C, H, W]`` in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

OPERATIONS = ("color", "translation", "cutout")


def _uniform(n: int, x: Tensor, generator: torch.Generator | None) -> Tensor:
    return torch.rand(n, 1, 1, 1, generator=generator, device=x.device, dtype=x.dtype)


def brightness(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    return x + (_uniform(x.shape[0], x, generator) - 0.5)


def saturation(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (_uniform(x.shape[0], x, generator) * 2.0) + mean


def contrast(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x.shape[0], x, generator) + 0.5) + mean


def color(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    return contrast(saturation(brightness(x, generator), generator), generator)


def translation(x: Tensor, ratio: float = 0.125, generator: torch.Generator | None = None) -> Tensor:
    """out[i, :, y, x] = in[i, :, y + dy_i, x + dx_i], zero where that falls outside."""
    n, _, h, w = x.shape
    max_dy, max_dx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-max_dy, max_dy + 1, (n, 1, 1), generator=generator, device=x.device)
    dx = torch.randint(-max_dx, max_dx + 1, (n, 1, 1), generator=generator, device=x.device)
    return shift(x, dy, dx, max_dy, max_dx)


def shift(x: Tensor, dy: Tensor, dx: Tensor, pad_y: int, pad_x: int) -> Tensor:
    """Per-sample integer shift by ``dy``/``dx`` (shape [N, 1, 1], |d| <= pad), zero fill."""
    n, _, h, w = x.shape
    padded = F.pad(x, [pad_x, pad_x, pad_y, pad_y])
    rows = torch.arange(h, device=x.device).view(1, h, 1) + dy + pad_y  # [N, H, 1]
    cols = torch.arange(w, device=x.device).view(1, 1, w) + dx + pad_x  # [N, 1, W]
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    # Advanced indices around a slice: the broadcast index dims come first -> [N, H, W, C].
    return padded[batch, :, rows, cols].permute(0, 3, 1, 2)


def cutout(x: Tensor, ratio: float = 0.5, generator: torch.Generator | None = None) -> Tensor:
    """Zero a ``ratio``-sized square (clipped at the borders) centred at a random pixel."""
    n, _, h, w = x.shape
    size_y, size_x = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h, (n, 1, 1), generator=generator, device=x.device)
    cx = torch.randint(0, w, (n, 1, 1), generator=generator, device=x.device)
    top, left = cy - size_y // 2, cx - size_x // 2
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (rows >= top) & (rows < top + size_y) & (cols >= left) & (cols < left + size_x)
    return x * (~inside).unsqueeze(1).to(x.dtype)


class DiffAugment:
    """Applies a policy such as ``"color,translation,cutout"`` (order as given)."""

    def __init__(self, policy: str | Sequence[str]) -> None:
        names = [p.strip() for p in policy.split(",")] if isinstance(policy, str) else [str(p) for p in policy]
        names = [p for p in names if p]
        unknown = [p for p in names if p not in OPERATIONS]
        if unknown:
            raise ValueError(f"unknown DiffAugment operation(s) {unknown}; choose from {list(OPERATIONS)}")
        self.policy = tuple(names)

    def __bool__(self) -> bool:
        return bool(self.policy)

    def __call__(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        if x.dim() != 4:
            raise ValueError(f"DiffAugment works on image batches [N, C, H, W], got shape {list(x.shape)}")
        for name in self.policy:
            x = {"color": color, "translation": translation, "cutout": cutout}[name](x, generator=generator)
        return x.contiguous()

    def __repr__(self) -> str:
        return f"DiffAugment(policy={','.join(self.policy)!r})"

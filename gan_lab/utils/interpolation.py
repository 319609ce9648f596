"""Interpolating between latent vectors (and embeddings): linear and spherical.

Spherical linear interpolation (slerp; Shoemake, 1985, for GAN latents White, 2016, "Sampling
Generative Networks") follows the great circle between two vectors, scaling the norm linearly
between theirs. For a Gaussian prior this keeps the path where the prior puts its mass: the
midpoint of a straight line between two draws in d dimensions has norm ~ sqrt(d/2), far inside
the shell of radius ~ sqrt(d) that G was trained on. A uniform prior on a cube has no such shell,
so it stays linear. Hand-written: torch has ``torch.lerp`` but no slerp.
"""

from __future__ import annotations

import torch
from torch import Tensor

# When the cosine of the angle between the vectors is within this of 1 or -1 (an angle under
# ~0.26 degrees from 0 or from 180), slerp is numerically unstable (sin(omega) ~ 0) or undefined
# (antipodal: no unique great circle): use lerp. float32 dot products of unit vectors err by ~1e-7.
PARALLEL_TOLERANCE = 1e-5


def lerp(a: Tensor, b: Tensor, t: Tensor | float) -> Tensor:
    """``(1 - t) a + t b`` (``t`` broadcasts: a float, or ``[..., 1]``)."""
    return torch.lerp(a, b, torch.as_tensor(t, dtype=a.dtype, device=a.device))


def slerp(a: Tensor, b: Tensor, t: Tensor | float) -> Tensor:
    """Spherical interpolation of the rows of ``a`` and ``b`` (``[..., d]``) at ``t`` (a float or ``[..., 1]``):
    the direction moves along the great circle, the norm linearly from ``|a|`` to ``|b|``. Exact at
    ``t = 0`` and ``t = 1``; rows that are (anti)parallel or zero fall back to :func:`lerp`."""
    t = torch.as_tensor(t, dtype=a.dtype, device=a.device)
    norm_a, norm_b = a.norm(dim=-1, keepdim=True), b.norm(dim=-1, keepdim=True)
    unit_a, unit_b = a / norm_a.clamp_min(1e-12), b / norm_b.clamp_min(1e-12)
    cosine = (unit_a * unit_b).sum(-1, keepdim=True).clamp(-1.0, 1.0)
    omega = torch.acos(cosine)
    sin_omega = torch.sin(omega)
    degenerate = (cosine.abs() > 1 - PARALLEL_TOLERANCE) | (norm_a * norm_b == 0)
    safe_sin = torch.where(degenerate, torch.ones_like(sin_omega), sin_omega)
    direction = (torch.sin((1 - t) * omega) * unit_a + torch.sin(t * omega) * unit_b) / safe_sin
    spherical = direction * torch.lerp(norm_a, norm_b, t)
    out = torch.where(degenerate, lerp(a, b, t), spherical)
    # exact endpoints (the trigonometry leaves rounding errors of a few ulp)
    return torch.where(t == 0, a, torch.where(t == 1, b, out))


def interpolate(a: Tensor, b: Tensor, steps: int, spherical: bool) -> Tensor:
    """``[N, steps, d]``: for each row pair, ``steps`` evenly spaced points from ``a`` to ``b`` (both included)."""
    t = torch.linspace(0, 1, steps, dtype=a.dtype, device=a.device).view(1, steps, 1)
    a, b = a.unsqueeze(1).expand(-1, steps, -1), b.unsqueeze(1).expand(-1, steps, -1)
    return slerp(a, b, t) if spherical else lerp(a, b, t)

"""PacGAN packing (Lin et al., 2018): D judges m samples at once.

Consecutive samples are grouped: ``[N*m, C, H, W] -> [N, m*C, H, W]`` for
images and ``[N*m, F] -> [N, m*F]`` for vectors, so D is built for ``m``
times the channels (or features) of one sample (:func:`packed_shape`).
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor


def packed_shape(shape: Sequence[int], m: int) -> list[int]:
    """The D input shape for data of per-sample ``shape`` packed ``m`` at a time."""
    shape = [int(s) for s in shape]
    return [shape[0] * int(m), *shape[1:]]


def pack(x: Tensor, m: int) -> Tensor:
    """Group ``m`` consecutive samples into one D input along the first feature axis."""
    if m == 1:
        return x
    n = x.shape[0]
    if n % m:
        raise ValueError(f"cannot pack a batch of {n} samples in groups of {m}")
    return x.reshape(n // m, m * x.shape[1], *x.shape[2:])

"""Putting a generated sample into the hole of an image without touching its known pixels.

- ``alpha``: ``image * (1 - hole) + generated * hole`` (the hole's pixels are the sample's).
- ``poisson``: the hole gets the pixels whose discrete Laplacian equals the sample's and which meet
  the known pixels at the hole's border (Pérez et al., 2003, "Poisson image editing"; what Yeh et
  al. use, through pyamg). Hand-written with a sparse LU solve from scipy: scikit-image has no
  Poisson blending, OpenCV's ``seamlessClone`` wants 8-bit 3-channel images and a mask bounding box
  away from the border, and neither is a gan_lab dependency. Neighbours outside the image are
  left out of the stencil (a zero-gradient border).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

BLENDS = ("alpha", "poisson")


def alpha_blend(generated: Tensor, image: Tensor, hole: Tensor) -> Tensor:
    """``[N, C, H, W]``: known pixels from ``image``, missing ones (``hole`` = 1) from ``generated``."""
    return image * (1.0 - hole) + generated * hole


def _poisson_one(generated: np.ndarray, image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """One image: ``generated``/``image`` ``[C, H, W]`` float64, ``hole`` ``[H, W]`` bool."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import splu

    out = image.copy()
    height, width = hole.shape
    ys, xs = np.nonzero(hole)
    if len(ys) == 0:
        return out
    index = -np.ones((height, width), dtype=np.int64)
    index[ys, xs] = np.arange(len(ys))
    rows, cols, vals = [], [], []
    rhs = np.zeros((len(ys), image.shape[0]))
    diagonal = np.zeros(len(ys))
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
        p = np.nonzero(inside)[0]
        qy, qx = ny[inside], nx[inside]
        diagonal[p] += 1.0
        # guidance: the sample's own gradient g_p - g_q
        rhs[p] += (generated[:, ys[p], xs[p]] - generated[:, qy, qx]).T
        unknown = hole[qy, qx]
        rows.append(p[unknown])
        cols.append(index[qy[unknown], qx[unknown]])
        vals.append(-np.ones(int(unknown.sum())))
        known = ~unknown
        rhs[p[known]] += image[:, qy[known], qx[known]].T  # boundary condition: the known pixel itself
    rows.append(np.arange(len(ys)))
    cols.append(np.arange(len(ys)))
    vals.append(diagonal)
    matrix = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), (len(ys), len(ys)))
    solution = splu(matrix.tocsc()).solve(rhs)
    out[:, ys, xs] = solution.T
    return out


def poisson_blend(generated: Tensor, image: Tensor, hole: Tensor) -> Tensor:
    """``[N, C, H, W]`` Poisson blend of each sample into its image's hole, clamped to [-1, 1] inside the hole.

    A hole with no known pixel around it (the whole image missing) has no boundary values: it gets the
    sample as it is.
    """
    results = []
    for g, y, m in zip(generated.detach().cpu().double(), image.cpu().double(), hole.cpu(), strict=True):
        mask = m[0].numpy() > 0.5
        if mask.all():
            results.append(g)
            continue
        blended = torch.from_numpy(_poisson_one(g.numpy(), y.numpy(), mask))
        results.append(torch.where(torch.from_numpy(mask), blended.clamp(-1.0, 1.0), y))
    return torch.stack(results).to(dtype=image.dtype, device=image.device)


def blend(generated: Tensor, image: Tensor, hole: Tensor, how: str = "poisson") -> Tensor:
    if how == "alpha":
        return alpha_blend(generated, image, hole)
    if how == "poisson":
        return poisson_blend(generated, image, hole)
    raise ValueError(f"blend must be one of {BLENDS}, got {how!r}")

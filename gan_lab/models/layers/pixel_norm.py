"""Pixelwise feature normalisation (Karras et al., 2018, §4.2).

Each feature vector (the channels at one pixel, or a latent vector) is scaled to
unit root-mean-square: ``x / sqrt(mean_c(x^2) + eps)``. Hand-written: torch has
no layer that normalises over channels alone without learned parameters.
"""

from __future__ import annotations

from torch import Tensor, nn


class PixelNorm(nn.Module):
    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = float(eps)

    def forward(self, x: Tensor) -> Tensor:
        return x * (x.pow(2).mean(dim=1, keepdim=True) + self.eps).rsqrt()

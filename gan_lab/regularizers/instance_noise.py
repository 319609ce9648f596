"""Instance noise (Sønderby et al., 2017; Arjovsky & Bottou, 2017).

Gaussian noise added to every input the discriminator sees, real and fake
alike, with a standard deviation annealed linearly to zero over the first
``anneal_g_steps`` generator updates. Hand-written (a few lines; no library has it).
"""

from __future__ import annotations

import torch
from torch import Tensor


class InstanceNoise:
    """Args:
    sigma: initial noise standard deviation (data in [-1, 1]: 0.1 is already strong).
    anneal_g_steps: sigma(t) = sigma · max(0, 1 - t / anneal_g_steps) at G step t;
        0 keeps sigma constant for the whole run.
    """

    def __init__(self, sigma: float, anneal_g_steps: int = 0) -> None:
        if sigma < 0:
            raise ValueError(f"instance noise sigma must be >= 0, got {sigma}")
        if anneal_g_steps < 0:
            raise ValueError(f"instance noise anneal_g_steps must be >= 0, got {anneal_g_steps}")
        self.sigma = float(sigma)
        self.anneal_g_steps = int(anneal_g_steps)

    def sigma_at(self, g_step: int) -> float:
        if self.anneal_g_steps == 0:
            return self.sigma
        return self.sigma * max(0.0, 1.0 - g_step / self.anneal_g_steps)

    def __call__(self, x: Tensor, g_step: int, generator: torch.Generator | None = None) -> Tensor:
        sigma = self.sigma_at(g_step)
        if sigma == 0.0:
            return x
        noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return x + sigma * noise

    def __repr__(self) -> str:
        return f"InstanceNoise(sigma={self.sigma}, anneal_g_steps={self.anneal_g_steps})"

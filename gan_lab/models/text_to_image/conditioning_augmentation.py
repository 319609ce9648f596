"""Conditioning augmentation (StackGAN, Zhang et al., 2017, §3.1).

A linear layer turns the sentence embedding into a mean and a log-variance; G gets
``c = mu + sigma * eps`` with ``eps ~ N(0, I)``, so nearby captions cover a smooth region
of the condition space, and G's loss adds ``KL(N(mu, sigma^2) || N(0, I))``. Hand-written
(no library has it). StackGAN-Pytorch puts a ReLU before the split (a quirk,
../shared/reference/variants.md §2.8): not copied, the log-variance must be able to go negative.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ConditioningAugmentation(nn.Module):
    """Args: text_dim (sentence embedding size); condition_dim (size of ``c``; 128 in StackGAN and GAN-CLS)."""

    def __init__(self, text_dim: int, condition_dim: int = 128) -> None:
        super().__init__()
        self.condition_dim = int(condition_dim)
        self.linear = nn.Linear(int(text_dim), 2 * self.condition_dim)

    def forward(self, embedding: Tensor, noise: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """``(c, mu, logvar)``; ``noise`` replaces the fresh ``eps`` draw (fixed samples, tests)."""
        mu, logvar = self.linear(embedding).chunk(2, dim=1)
        eps = torch.randn_like(mu) if noise is None else noise.to(mu)
        return mu + eps * torch.exp(0.5 * logvar), mu, logvar


def kl_to_standard_normal(mu: Tensor, logvar: Tensor) -> Tensor:
    """``KL(N(mu, exp(logvar)) || N(0, I))`` per dimension, averaged over the batch AND the dimensions:
    ``mean(0.5 * (mu^2 + exp(logvar) - 1 - logvar))``, StackGAN-Pytorch's ``KL_loss`` (its weight 2.0
    is applied to this mean)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).mean()

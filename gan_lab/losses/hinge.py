"""Hinge loss (Lim & Ye, 2017; used by SNGAN, SAGAN, BigGAN)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from gan_lab.losses.base import GANLoss


class HingeLoss(GANLoss):
    """D: E[relu(1 - D(x))] + E[relu(1 + D(G(z)))];  G: -E[D(G(z))]."""

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        return F.relu(1.0 - real_out).mean() + F.relu(1.0 + fake_out).mean()

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        return -fake_out.mean()

"""The original (saturating) minimax GAN loss of Goodfellow et al., 2014."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from gan_lab.losses.base import GANLoss


class MinimaxLoss(GANLoss):
    """D maximises log D(x) + log(1 - D(G(z))); G minimises log(1 - D(G(z))).

    With D = sigmoid(l): -log D = softplus(-l) and log(1 - D) = -softplus(l).
    """

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        return F.softplus(-real_out).mean() + F.softplus(fake_out).mean()

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        return -F.softplus(fake_out).mean()

    @property
    def outputs_are_probabilities(self) -> bool:
        return True

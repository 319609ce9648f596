"""The non-saturating GAN loss (Goodfellow et al., 2014, section 3)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from gan_lab.losses.minimax import MinimaxLoss


class NonSaturatingLoss(MinimaxLoss):
    """Same D loss as minimax; G maximises log D(G(z)), i.e. minimises softplus(-l)."""

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        return F.softplus(-fake_out).mean()

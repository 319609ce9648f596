"""Least-squares GAN (Mao et al., 2017) with the 0-1 coding a=0, b=1, c=1."""

from __future__ import annotations

from torch import Tensor

from gan_lab.losses.base import GANLoss


class LeastSquaresLoss(GANLoss):
    """D: ½E[(D(x)-1)²] + ½E[D(G(z))²];  G: ½E[(D(G(z))-1)²]."""

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        return 0.5 * ((real_out - 1.0) ** 2).mean() + 0.5 * (fake_out**2).mean()

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        return 0.5 * ((fake_out - 1.0) ** 2).mean()

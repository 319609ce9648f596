"""WGAN-GP: the Wasserstein loss with a gradient penalty instead of clipping."""

from __future__ import annotations

from torch import Tensor, nn

from gan_lab.losses.gradient_penalty import gradient_penalty, interpolate
from gan_lab.losses.wasserstein import WassersteinLoss


class WassersteinGPLoss(WassersteinLoss):
    """Critic loss plus ``penalty_weight`` · E[(||∇D(x̂)||₂ - 1)²] on real/fake interpolates x̂.

    Args:
        penalty_weight: λ, 10 in the paper.
        n_critic: critic steps per generator step, 5 in the paper.
        drift: ε_drift of progressive GAN (Karras et al., 2018, §A.1): the critic's loss
            gains ``drift`` · E[D(x)²] on real x, which keeps its outputs from drifting far
            from 0. 0.001 in that paper, 0 (off) in WGAN-GP's.
    """

    def __init__(self, penalty_weight: float = 10.0, n_critic: int = 5, drift: float = 0.0) -> None:
        super().__init__(clip_value=None, n_critic=n_critic)
        if drift < 0:
            raise ValueError(f"drift must be >= 0, got {drift}")
        self.penalty_weight = float(penalty_weight)
        self.drift = float(drift)

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        loss = super().discriminator_loss(real_out, fake_out)
        if self.drift == 0.0:  # not even `+ 0 * ...`: runs without drift stay bit-identical
            return loss
        return loss + self.drift * real_out.pow(2).mean()

    def penalty(self, discriminator: nn.Module, real: Tensor, fake: Tensor, grad_scale: float | Tensor = 1.0) -> Tensor:
        return self.penalty_weight * gradient_penalty(discriminator, interpolate(real, fake), grad_scale=grad_scale)

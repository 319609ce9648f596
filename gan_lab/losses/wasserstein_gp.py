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
    """

    def __init__(self, penalty_weight: float = 10.0, n_critic: int = 5) -> None:
        super().__init__(clip_value=None, n_critic=n_critic)
        self.penalty_weight = float(penalty_weight)

    def penalty(self, discriminator: nn.Module, real: Tensor, fake: Tensor, grad_scale: float | Tensor = 1.0) -> Tensor:
        return self.penalty_weight * gradient_penalty(discriminator, interpolate(real, fake), grad_scale=grad_scale)

"""Wasserstein GAN with weight clipping (Arjovsky et al., 2017)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gan_lab.losses.base import GANLoss


class WassersteinLoss(GANLoss):
    """Critic minimises E[C(G(z))] - E[C(x)]; G minimises -E[C(G(z))].

    Args:
        clip_value: after every critic step each critic parameter is clamped to
            [-clip_value, clip_value]; ``None`` disables clipping (used by WGAN-GP).
        n_critic: critic steps per generator step (5 in the paper).
    """

    def __init__(self, clip_value: float | None = 0.01, n_critic: int = 5) -> None:
        super().__init__(n_critic=n_critic)
        if clip_value is not None and clip_value <= 0:
            raise ValueError(f"clip_value must be positive, got {clip_value}")
        self.clip_value = clip_value

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        return fake_out.mean() - real_out.mean()

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        return -fake_out.mean()

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        if self.clip_value is None:
            return
        for parameter in discriminator.parameters():
            parameter.clamp_(-self.clip_value, self.clip_value)

"""The interface every adversarial loss implements.

A loss sees the discriminator's raw outputs (logits, or critic values for
Wasserstein losses) and returns scalars to minimise. Losses that need more than
the outputs (a gradient penalty, weight clipping) override the optional hooks.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class GANLoss(nn.Module):
    """Base class of the adversarial losses.

    Args:
        n_critic: discriminator updates per generator update that the loss's
            paper prescribes (5 for WGAN and WGAN-GP, 1 otherwise). The trainer
            reads it from here, so ``loss.n_critic=...`` overrides it. 0: D is
            never updated, for a reconstruction-only run (every G step in the
            task's ``pretrain_g_steps`` warm-up; the run config checks this).
    """

    # True when generator_loss needs D's outputs on a real batch (relativistic losses).
    needs_real_for_generator = False

    def __init__(self, n_critic: int = 1) -> None:
        super().__init__()
        if n_critic < 0:
            raise ValueError(f"n_critic must be >= 0, got {n_critic}")
        self.n_critic = int(n_critic)

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        raise NotImplementedError

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        raise NotImplementedError

    def penalty(
        self, discriminator: nn.Module, real: Tensor, fake: Tensor, grad_scale: float | Tensor = 1.0
    ) -> Tensor | None:
        """Extra discriminator term (e.g. a gradient penalty); ``None`` when the loss has none.

        ``grad_scale`` is the fp16 GradScaler's current scale (1.0 otherwise); see
        :func:`gan_lab.losses.gradient_penalty.input_gradients`."""
        return None

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        """Hook run after each discriminator optimizer step (e.g. weight clipping)."""

    @property
    def outputs_are_probabilities(self) -> bool:
        """True when ``sigmoid(D(x))`` is a probability (logged as D(x) means)."""
        return False

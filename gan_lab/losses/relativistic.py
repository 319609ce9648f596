"""Relativistic average GAN losses (Jolicoeur-Martineau, 2019): RaGAN and RaLSGAN.

Hand-written (no maintained library provides them). D estimates how much more
realistic a real sample is than the *average* fake, and the other way round:

    Δr = C(x_r) - E[C(x_f)],   Δf = C(x_f) - E[C(x_r)]

RaGAN (standard logistic form, "RaSGAN" in the paper's code):
    D: ½ (E[softplus(-Δr)] + E[softplus(Δf)])   (= BCE(Δr, 1) and BCE(Δf, 0))
    G: ½ (E[softplus(-Δf)] + E[softplus(Δr)])   (labels swapped)
RaLSGAN:
    D: ½ (E[(Δr - 1)²] + E[(Δf + 1)²])
    G: ½ (E[(Δf - 1)²] + E[(Δr + 1)²])

The ½ matches the author's reference code. The generator loss needs D's
outputs on real data too: ``needs_real_for_generator`` tells GANModule to pass them.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from gan_lab.losses.base import GANLoss


class _RelativisticAverage(GANLoss):
    needs_real_for_generator = True

    @staticmethod
    def _deltas(real_out: Tensor, fake_out: Tensor) -> tuple[Tensor, Tensor]:
        return real_out - fake_out.mean(), fake_out - real_out.mean()

    def _pair(self, more_real: Tensor, less_real: Tensor) -> Tensor:
        raise NotImplementedError

    def discriminator_loss(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        delta_real, delta_fake = self._deltas(real_out, fake_out)
        return self._pair(delta_real, delta_fake)

    def generator_loss(self, fake_out: Tensor, real_out: Tensor | None = None) -> Tensor:
        if real_out is None:
            raise ValueError(f"{type(self).__name__}.generator_loss needs D's outputs on real data (real_out)")
        delta_real, delta_fake = self._deltas(real_out, fake_out)
        return self._pair(delta_fake, delta_real)


class RelativisticAverageLoss(_RelativisticAverage):
    """RaGAN with the standard (logistic) loss."""

    def _pair(self, more_real: Tensor, less_real: Tensor) -> Tensor:
        return 0.5 * (F.softplus(-more_real).mean() + F.softplus(less_real).mean())


class RelativisticAverageLSLoss(_RelativisticAverage):
    """RaLSGAN: the relativistic average least-squares loss."""

    def _pair(self, more_real: Tensor, less_real: Tensor) -> Tensor:
        return 0.5 * (((more_real - 1.0) ** 2).mean() + ((less_real + 1.0) ** 2).mean())

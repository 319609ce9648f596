"""The noise -> image family: G maps latent vectors (and class labels) to samples.

DCGAN, MLP and SNGAN models, unconditional or class-conditional (cGAN-PD), on
images or 2D points. Each D update sees a fresh real batch and fakes drawn
under ``no_grad``; the G update draws fresh fakes again. Batches are
``(real, labels)`` tuples; labels are ignored by unconditional models.
"""

from __future__ import annotations

import math
from typing import Any

import lightning as L
import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.tasks.adversarial import AdversarialModule
from gan_lab.tasks.unrolled_discriminator import UnrolledDiscriminator
from gan_lab.utils.eval_mode import inference_mode

PRIORS = ("normal", "uniform")


class NoiseToImage(AdversarialModule):
    """Args (besides :class:`AdversarialModule`'s):

    generator: maps latent vectors ``[N, latent_dim]`` (and labels ``[N]`` when
        conditional) to samples; must expose ``latent_dim``, and ``num_classes``
        (an int) when conditional.
    discriminator: maps samples (and labels when conditional) to one output per sample.
    prior: latent distribution, ``"normal"`` (N(0, I)) or ``"uniform"`` (U[-1, 1]).
    num_fixed_samples: size of the fixed noise batch that drives sample grids.
    fixed_noise_seed: seed of that batch (independent of the global seed).
    unroll_steps: unrolled GAN (Metz et al., 2017): G's loss is taken against D after this many
        look-ahead D updates (:mod:`gan_lab.tasks.unrolled_discriminator`); 0: off.
    unroll_order: ``"second"`` (gradients through the look-ahead updates) or ``"first"``.
    """

    task_family = "noise_to_image"

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        prior: str = "normal",
        num_fixed_samples: int = 64,
        fixed_noise_seed: int = 1234,
        unroll_steps: int = 0,
        unroll_order: str = "second",
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, *args, **kwargs)
        if prior not in PRIORS:
            raise ValueError(f"prior must be 'normal' or 'uniform', got {prior!r}")
        self.prior = prior
        self.latent_dim = int(generator.latent_dim)
        self.num_classes: int | None = getattr(generator, "num_classes", None)
        if getattr(discriminator, "num_classes", None) != self.num_classes:
            raise IncompatibleConfigError(
                f"generator and discriminator disagree on conditioning: G num_classes={self.num_classes}, "
                f"D num_classes={getattr(discriminator, 'num_classes', None)}"
            )
        if self.num_classes is not None and self.packing > 1:
            raise IncompatibleConfigError("packing (PacGAN) does not combine with conditional models")
        noise_rng = torch.Generator().manual_seed(fixed_noise_seed)
        self.register_buffer("fixed_noise", self._draw_noise(num_fixed_samples, noise_rng))
        unrolling = UnrolledDiscriminator(unroll_steps, unroll_order)  # checks both settings
        self.unrolling = unrolling if unrolling.steps > 0 else None

    @classmethod
    def required_batch_keys(cls, task_cfg: Any) -> tuple[str, ...]:
        return ("real",)

    @property
    def conditional(self) -> bool:
        return self.num_classes is not None

    # ----------------------------------------------------------------- sampling
    def _draw_noise(self, n: int, rng: torch.Generator | None = None, device: torch.device | None = None) -> Tensor:
        shape = (n, self.latent_dim)
        if self.prior == "normal":
            return torch.randn(shape, generator=rng, device=device)
        return torch.rand(shape, generator=rng, device=device) * 2.0 - 1.0

    def sample_noise(self, n: int) -> Tensor:
        """Fresh latent vectors from the prior, on the module's device."""
        return self._draw_noise(n, device=self.device)

    def sample_labels(self, n: int) -> Tensor | None:
        """Uniformly drawn class labels for fakes (None for unconditional models)."""
        if not self.conditional:
            return None
        return torch.randint(self.num_classes, (n,), device=self.device)

    @torch.no_grad()
    def generate(
        self, z: Tensor | None = None, labels: Tensor | None = None, n: int | None = None, use_ema: bool = True
    ) -> Tensor:
        """Samples in eval mode (BatchNorm running stats), restoring the previous mode.

        Uses the EMA generator when there is one, unless ``use_ema=False``.
        ``labels`` (int ``[N]``) choose the classes of a conditional model; when
        omitted, a conditional model cycles through the classes 0, 1, 2, ...
        Unconditional models ignore ``labels``.
        """
        if z is None:
            z = self.sample_noise(n if n is not None else self.fixed_noise.shape[0])
        z = z.to(self.device)
        if self.conditional:
            if labels is None:
                labels = torch.arange(z.shape[0], device=self.device) % self.num_classes
            labels = labels.to(self.device).long()
        net = self.network("generator", use_ema)
        with inference_mode(net):
            return net(z, labels) if self.conditional else net(z)

    def preview(self, trainer: L.Trainer | None = None) -> tuple[Tensor, int]:
        fake = self.generate(self.fixed_noise)
        return fake, int(math.sqrt(fake.shape[0])) or 1

    # ------------------------------------------------------------ the family
    def generator_outputs(self, batch: tuple[Tensor, Tensor]) -> dict[str, Any]:
        n = self.real_and_labels(batch)[0].shape[0]
        fake_labels = self.sample_labels(n)
        return {"fake": self.generate_fakes(n, fake_labels), "fake_labels": fake_labels}

    def discriminator_terms(self, batch: tuple[Tensor, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        real, labels = self.real_and_labels(batch)
        return self.adversarial_discriminator_terms(
            self.discriminate,
            self.discriminator_input(real),
            self.discriminator_input(outputs["fake"]),
            labels if self.conditional else None,
            outputs["fake_labels"],
        )

    def generator_terms(self, batch: tuple[Tensor, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        real, labels = self.real_and_labels(batch)
        discriminate = self.discriminate if self.unrolling is None else self.unrolled_discriminate(batch, outputs)
        loss = self.adversarial_generator_term(
            discriminate,
            self.discriminator_input(outputs["fake"]),
            lambda: self.discriminator_input(real),
            outputs["fake_labels"],
            labels if self.conditional else None,
        )
        return {"loss": loss}

    def unrolled_discriminate(self, batch: tuple[Tensor, Tensor], outputs: dict[str, Any]) -> Any:
        """D after ``unroll_steps`` look-ahead updates on this step's real batch and fakes."""
        real, labels = self.real_and_labels(batch)
        real_in, fake_in = self.discriminator_input(real), self.discriminator_input(outputs["fake"])
        real_labels = labels if self.conditional else None

        def d_loss(run: Any) -> Tensor:
            return self.loss.discriminator_loss(
                self._run(run, real_in, real_labels), self._run(run, fake_in, outputs["fake_labels"])
            )

        run_unrolled = self.unrolling.unroll(self.discriminator, self.optimizers()[0], d_loss)
        return lambda x, labels: self._run(run_unrolled, x, labels)

    def _run(self, run: Any, x: Tensor, labels: Tensor | None) -> Tensor:
        return run(x, labels) if self.conditional else run(x)

    def configure_optimizers(self) -> Any:
        configured = super().configure_optimizers()
        if self.unrolling is not None:  # refuse an optimizer the look-ahead cannot replay before training
            self.unrolling.check_optimizer((configured[0] if isinstance(configured, tuple) else configured)[0])
        return configured

    @staticmethod
    def real_and_labels(batch: Any) -> tuple[Tensor, Tensor | None]:
        """``(real, labels)`` of a tuple batch, or of a dict batch (datasets that provide more, e.g. captions)."""
        return (batch["real"], batch.get("label")) if isinstance(batch, dict) else batch

    def generate_fakes(self, n: int, labels: Tensor | None) -> Tensor:
        """``n`` samples from the (training-mode) generator."""
        z = self.sample_noise(n)
        return self.generator(z, labels) if self.conditional else self.generator(z)

    def discriminate(self, x: Tensor, labels: Tensor | None) -> Tensor:
        return self.discriminator(x, labels) if self.conditional else self.discriminator(x)

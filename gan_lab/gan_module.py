"""The GAN training algorithm as a LightningModule (manual optimization).

One training step is one generator update:

1. ``n_critic`` discriminator updates, each on a fresh real batch, with fakes
   generated under ``no_grad`` (so no gradient reaches G);
2. one generator update with D's parameters frozen.

The dataloader therefore delivers ``n_critic * batch_size`` real samples per
step (see :class:`gan_lab.datasets.GANDataModule`). Lightning's
``global_step`` counts optimizer steps, ``n_critic + 1`` per training step;
``generator_steps`` (a buffer saved with the weights) counts G updates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightning as L
import torch
from torch import Tensor, nn

from gan_lab.losses.base import GANLoss

OptimizerFactory = Callable[..., torch.optim.Optimizer]


class GANModule(L.LightningModule):
    """Args:
    generator: maps latent vectors ``[N, latent_dim]`` to samples; must expose ``latent_dim``.
    discriminator: maps samples to one output per sample, shape ``[N]``.
    loss: an adversarial loss (:class:`gan_lab.losses.GANLoss`), which also sets ``n_critic``.
    g_optimizer, d_optimizer: factories ``params -> Optimizer`` (Hydra ``_partial_``).
    prior: latent distribution, ``"normal"`` (N(0, I)) or ``"uniform"`` (U[-1, 1]).
    num_fixed_samples: size of the fixed noise batch that drives sample grids.
    fixed_noise_seed: seed of that batch (independent of the global seed).
    run_config: the run's resolved config as a plain dict, stored in checkpoints so
        commands can rebuild the model (plain types keep ``weights_only`` loading working).
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        loss: GANLoss,
        g_optimizer: OptimizerFactory,
        d_optimizer: OptimizerFactory,
        prior: str = "normal",
        num_fixed_samples: int = 64,
        fixed_noise_seed: int = 1234,
        run_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if prior not in ("normal", "uniform"):
            raise ValueError(f"prior must be 'normal' or 'uniform', got {prior!r}")
        self.automatic_optimization = False
        self.generator = generator
        self.discriminator = discriminator
        self.loss = loss
        self.g_optimizer_factory = g_optimizer
        self.d_optimizer_factory = d_optimizer
        self.prior = prior
        self.latent_dim = int(generator.latent_dim)
        self.run_config = run_config or {}
        noise_rng = torch.Generator().manual_seed(fixed_noise_seed)
        self.register_buffer("fixed_noise", self._draw_noise(num_fixed_samples, noise_rng))
        self.register_buffer("generator_steps", torch.zeros((), dtype=torch.long))

    @property
    def n_critic(self) -> int:
        return self.loss.n_critic

    # ----------------------------------------------------------------- sampling
    def _draw_noise(self, n: int, rng: torch.Generator | None = None, device: torch.device | None = None) -> Tensor:
        shape = (n, self.latent_dim)
        if self.prior == "normal":
            return torch.randn(shape, generator=rng, device=device)
        return torch.rand(shape, generator=rng, device=device) * 2.0 - 1.0

    def sample_noise(self, n: int) -> Tensor:
        """Fresh latent vectors from the prior, on the module's device."""
        return self._draw_noise(n, device=self.device)

    @torch.no_grad()
    def generate(self, z: Tensor | None = None, n: int | None = None) -> Tensor:
        """Samples from G in eval mode (BatchNorm running stats), restoring the previous mode."""
        if z is None:
            z = self.sample_noise(n if n is not None else self.fixed_noise.shape[0])
        was_training = self.generator.training
        self.generator.eval()
        try:
            return self.generator(z.to(self.device))
        finally:
            self.generator.train(was_training)

    # ----------------------------------------------------------------- training
    def configure_optimizers(self) -> list[torch.optim.Optimizer]:
        d_opt = self.d_optimizer_factory(self.discriminator.parameters())
        g_opt = self.g_optimizer_factory(self.generator.parameters())
        return [d_opt, g_opt]

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        real, _labels = batch
        d_opt, g_opt = self.optimizers()
        real_batches = real.chunk(self.n_critic)
        for real_batch in real_batches:
            d_logs = self.discriminator_step(real_batch, d_opt)
        g_logs = self.generator_step(real_batches[-1].shape[0], g_opt)
        self.generator_steps += 1
        self.log_dict({**d_logs, **g_logs}, on_step=True, on_epoch=False, prog_bar=False)
        self.log("train/g_step", self.generator_steps.float(), on_step=True)
        self.log("d_loss", d_logs["train/d_loss"], prog_bar=True, logger=False)
        self.log("g_loss", g_logs["train/g_loss"], prog_bar=True, logger=False)

    def discriminator_step(self, real: Tensor, d_opt: Any) -> dict[str, Tensor]:
        with torch.no_grad():
            fake = self.generator(self.sample_noise(real.shape[0]))
        real_out = self.discriminator(real)
        fake_out = self.discriminator(fake)
        d_loss = self.loss.discriminator_loss(real_out, fake_out)
        penalty = self.loss.penalty(self.discriminator, real, fake)
        total = d_loss if penalty is None else d_loss + penalty

        d_opt.zero_grad(set_to_none=True)
        self.manual_backward(total)
        d_opt.step()
        self.loss.after_discriminator_step(self.discriminator)

        logs = {"train/d_loss": d_loss.detach(), **self._output_stats(real_out, fake_out)}
        if penalty is not None:
            logs["train/penalty"] = penalty.detach()
        return logs

    def generator_step(self, batch_size: int, g_opt: Any) -> dict[str, Tensor]:
        self.discriminator.requires_grad_(False)
        try:
            fake_out = self.discriminator(self.generator(self.sample_noise(batch_size)))
            g_loss = self.loss.generator_loss(fake_out)
            g_opt.zero_grad(set_to_none=True)
            self.manual_backward(g_loss)
            g_opt.step()
        finally:
            self.discriminator.requires_grad_(True)
        return {"train/g_loss": g_loss.detach()}

    def _output_stats(self, real_out: Tensor, fake_out: Tensor) -> dict[str, Tensor]:
        """D(x) and D(G(z)) means: probabilities for sigmoid losses, raw values otherwise."""
        if self.loss.outputs_are_probabilities:
            return {"train/d_real": torch.sigmoid(real_out).mean().detach(), "train/d_fake": torch.sigmoid(fake_out).mean().detach()}
        return {"train/d_real": real_out.mean().detach(), "train/d_fake": fake_out.mean().detach()}

    # ------------------------------------------------------------- checkpoints
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["gan_lab_config"] = self.run_config

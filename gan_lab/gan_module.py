"""The GAN training algorithm as a LightningModule (manual optimization).

One training step is one generator update:

1. ``n_critic`` discriminator updates, each on a fresh real batch, with fakes
   generated under ``no_grad`` (so no gradient reaches G);
2. one generator update with D's parameters frozen;
3. bookkeeping: the EMA generator is updated and the learning rates decay.

Everything D sees (real and fake, in both steps) goes through
:meth:`discriminator_input`: DiffAugment, then instance noise, then PacGAN
packing. Optional penalties (the loss's own, e.g. WGAN-GP, and R1) are added to
the D loss, which is backpropagated once.

The dataloader therefore delivers ``n_critic * batch_size * packing`` real
samples per step (see :class:`gan_lab.datasets.GANDataModule`). Lightning's
``global_step`` counts optimizer steps, ``n_critic + 1`` per training step;
``generator_steps`` (a buffer saved with the weights) counts G updates and
``discriminator_steps`` D updates; :attr:`GANModule.g_step` and
:attr:`GANModule.d_step` are the same counts as Python ints, kept on the host so
that reading them every step does not wait for the GPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightning as L
import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.losses.base import GANLoss
from gan_lab.regularizers.diffaugment import DiffAugment
from gan_lab.regularizers.ema import make_ema_generator, update_ema
from gan_lab.regularizers.instance_noise import InstanceNoise
from gan_lab.regularizers.packing import pack
from gan_lab.regularizers.r1 import R1Penalty
from gan_lab.utils.nvml_check import drop_futile_nvml_check

OptimizerFactory = Callable[..., torch.optim.Optimizer]
LR_DECAYS = ("none", "linear")


class GANModule(L.LightningModule):
    """Args:
    generator: maps latent vectors ``[N, latent_dim]`` (and labels ``[N]`` when
        conditional) to samples; must expose ``latent_dim``, and ``num_classes``
        (an int) when conditional.
    discriminator: maps samples (and labels when conditional) to one output per sample, shape ``[N]``.
    loss: an adversarial loss (:class:`gan_lab.losses.GANLoss`), which also sets ``n_critic``.
    g_optimizer, d_optimizer: factories ``params -> Optimizer`` (Hydra ``_partial_``);
        different learning rates give TTUR.
    prior: latent distribution, ``"normal"`` (N(0, I)) or ``"uniform"`` (U[-1, 1]).
    num_fixed_samples: size of the fixed noise batch that drives sample grids.
    fixed_noise_seed: seed of that batch (independent of the global seed).
    r1: R1 penalty on real D inputs (None: off).
    instance_noise: Gaussian noise on every D input (None: off).
    augment: DiffAugment policy for every D input (None or empty: off).
    packing: PacGAN degree m; D takes m consecutive samples at once (1: off).
    ema_decay: keep an EMA copy of G (``ema_generator``) with this decay (None: off).
    ema_start_step: G steps during which the EMA is a plain copy of G.
    g_grad_clip, d_grad_clip: max global gradient norm of G / D (None: off).
    lr_decay: ``"none"`` or ``"linear"`` (both learning rates to 0 over ``total_g_steps``).
    total_g_steps: length of the run in G updates (needed by linear decay).
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
        r1: R1Penalty | None = None,
        instance_noise: InstanceNoise | None = None,
        augment: DiffAugment | None = None,
        packing: int = 1,
        ema_decay: float | None = None,
        ema_start_step: int = 0,
        g_grad_clip: float | None = None,
        d_grad_clip: float | None = None,
        lr_decay: str = "none",
        total_g_steps: int | None = None,
        run_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if prior not in ("normal", "uniform"):
            raise ValueError(f"prior must be 'normal' or 'uniform', got {prior!r}")
        if lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got {lr_decay!r}")
        if lr_decay == "linear" and not total_g_steps:
            raise ValueError("lr_decay='linear' needs total_g_steps")
        if int(packing) < 1:
            raise ValueError(f"packing must be >= 1, got {packing}")
        self.automatic_optimization = False
        self.generator = generator
        self.discriminator = discriminator
        self.loss = loss
        self.g_optimizer_factory = g_optimizer
        self.d_optimizer_factory = d_optimizer
        self.prior = prior
        self.latent_dim = int(generator.latent_dim)
        self.num_classes: int | None = getattr(generator, "num_classes", None)
        if getattr(discriminator, "num_classes", None) != self.num_classes:
            raise IncompatibleConfigError(
                f"generator and discriminator disagree on conditioning: G num_classes={self.num_classes}, "
                f"D num_classes={getattr(discriminator, 'num_classes', None)}"
            )
        if self.num_classes is not None and int(packing) > 1:
            raise IncompatibleConfigError("packing (PacGAN) does not combine with conditional models")
        self.r1 = r1
        self.instance_noise = instance_noise
        self.augment = augment if augment else None
        self.packing = int(packing)
        self.ema_start_step = int(ema_start_step)
        if ema_decay is not None:
            # A submodule: saved in checkpoints, moved to the device with the module.
            self.ema_generator = make_ema_generator(generator, ema_decay)
        self.g_grad_clip, self.d_grad_clip = g_grad_clip, d_grad_clip
        self.lr_decay, self.total_g_steps = lr_decay, total_g_steps
        self.run_config = run_config or {}
        noise_rng = torch.Generator().manual_seed(fixed_noise_seed)
        self.register_buffer("fixed_noise", self._draw_noise(num_fixed_samples, noise_rng))
        self.register_buffer("generator_steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("discriminator_steps", torch.zeros((), dtype=torch.long))
        self._host_counts: list[int] | None = None  # [d_step, g_step]; see _step_counts

    # ------------------------------------------------------------ step counts
    def _step_counts(self) -> list[int]:
        """``[d_step, g_step]`` as host ints, read from the buffers once after every
        (re)load and then incremented alongside them: ``int(buffer)`` on a GPU tensor
        would synchronise with the device at every step."""
        if self._host_counts is None:
            self._host_counts = [int(self.discriminator_steps), int(self.generator_steps)]
        return self._host_counts

    @property
    def g_step(self) -> int:
        """G updates done (the ``generator_steps`` buffer, as a host int)."""
        return self._step_counts()[1]

    @property
    def d_step(self) -> int:
        """D updates done (the ``discriminator_steps`` buffer, as a host int)."""
        return self._step_counts()[0]

    def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:
        self._host_counts = None  # the buffers change: read them again on next use
        return super().load_state_dict(*args, **kwargs)

    def on_train_start(self) -> None:
        self._host_counts = None

    def setup(self, stage: str) -> None:
        # In every process of the run (DDP-spawned ones too): on a machine without the
        # NVIDIA driver, spare each optimizer step a failed NVML load (see nvml_check).
        drop_futile_nvml_check()

    @property
    def n_critic(self) -> int:
        return self.loss.n_critic

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
        net = self.ema_generator if (use_ema and hasattr(self, "ema_generator")) else self.generator
        was_training = net.training
        net.eval()
        try:
            return net(z, labels) if self.conditional else net(z)
        finally:
            net.train(was_training)

    # ----------------------------------------------------------------- training
    def configure_optimizers(self) -> Any:
        d_opt = self.d_optimizer_factory(self.discriminator.parameters())
        g_opt = self.g_optimizer_factory(self.generator.parameters())
        if self.lr_decay == "none":
            return [d_opt, g_opt]
        # Linear decay to 0 at the last G update, stepped once per G update (see training_step).
        schedulers = [
            torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=self.total_g_steps)
            for opt in (d_opt, g_opt)
        ]
        return [d_opt, g_opt], schedulers

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        real, labels = batch
        d_opt, g_opt = self.optimizers()
        real_batches, label_batches = real.chunk(self.n_critic), labels.chunk(self.n_critic)
        for real_batch, label_batch in zip(real_batches, label_batches):
            d_logs = self.discriminator_step(real_batch, label_batch, d_opt)
        g_logs = self.generator_step(real_batches[-1], label_batches[-1], g_opt)
        self.generator_steps += 1
        self._step_counts()[1] += 1
        self.update_ema()
        self.step_lr_schedulers()
        self.latest_losses = {**d_logs, **g_logs}  # every step, for the divergence guard
        if self.is_logging_step():
            self.log_dict(self.latest_losses, on_step=True, on_epoch=False, prog_bar=False)
            self.log("train/g_step", self.generator_steps.float(), on_step=True)
            self.log("d_loss", d_logs["train/d_loss"], prog_bar=True, logger=False)
            self.log("g_loss", g_logs["train/g_loss"], prog_bar=True, logger=False)

    def is_logging_step(self) -> bool:
        """True on the steps Lightning writes to the loggers (every ``log_every_n_steps``).

        ``self.log`` costs a fixed amount per call, which is a measurable share of a
        small model's step (docs/speed_vs_pytorch.md), and values logged on other steps
        would never reach a logger anyway.
        """
        every = self._trainer.log_every_n_steps if self._trainer is not None else 1
        return self.g_step % max(int(every), 1) == 0

    def discriminator_step(self, real: Tensor, labels: Tensor, d_opt: Any) -> dict[str, Tensor]:
        labels = labels if self.conditional else None
        fake_labels = self.sample_labels(real.shape[0])
        with torch.no_grad():
            fake = self.generate_fakes(real.shape[0], fake_labels)
        real_in, fake_in = self.discriminator_input(real), self.discriminator_input(fake)
        r1_due = self.r1 is not None and self.r1.due(self.d_step)
        if r1_due:
            real_in = real_in.detach().requires_grad_(True)
        real_out = self.discriminate(real_in, labels)
        fake_out = self.discriminate(fake_in, fake_labels)
        d_loss = self.loss.discriminator_loss(real_out, fake_out)
        logs = {"train/d_loss": d_loss.detach(), **self._output_stats(real_out, fake_out)}

        total = d_loss
        scale = self.penalty_grad_scale()
        penalty = self.loss.penalty(lambda x: self.discriminate(x, labels), real_in.detach(), fake_in, grad_scale=scale)
        if penalty is not None:
            total = total + penalty
            logs["train/penalty"] = penalty.detach()
        if r1_due:
            r1 = self.r1(real_out, real_in, grad_scale=scale)
            total = total + r1
            logs["train/r1"] = r1.detach()

        d_opt.zero_grad(set_to_none=True)
        self.manual_backward(total)
        self.clip(d_opt, self.d_grad_clip)
        d_opt.step()
        self.loss.after_discriminator_step(self.discriminator)
        self.discriminator_steps += 1
        self._step_counts()[0] += 1
        return logs

    def generator_step(self, real: Tensor, labels: Tensor, g_opt: Any) -> dict[str, Tensor]:
        labels = labels if self.conditional else None
        self.discriminator.requires_grad_(False)
        try:
            fake_labels = self.sample_labels(real.shape[0])
            fake_out = self.discriminate(
                self.discriminator_input(self.generate_fakes(real.shape[0], fake_labels)), fake_labels
            )
            real_out = None
            if self.loss.needs_real_for_generator:  # relativistic losses compare with real outputs
                with torch.no_grad():
                    real_out = self.discriminate(self.discriminator_input(real), labels)
            g_loss = self.loss.generator_loss(fake_out, real_out)
            g_opt.zero_grad(set_to_none=True)
            self.manual_backward(g_loss)
            self.clip(g_opt, self.g_grad_clip)
            g_opt.step()
        finally:
            self.discriminator.requires_grad_(True)
        return {"train/g_loss": g_loss.detach()}

    # ------------------------------------------------------- the named pieces
    def generate_fakes(self, n: int, labels: Tensor | None) -> Tensor:
        """``n`` samples from the (training-mode) generator."""
        z = self.sample_noise(n)
        return self.generator(z, labels) if self.conditional else self.generator(z)

    def discriminate(self, x: Tensor, labels: Tensor | None) -> Tensor:
        return self.discriminator(x, labels) if self.conditional else self.discriminator(x)

    def discriminator_input(self, x: Tensor) -> Tensor:
        """What D sees of a batch: DiffAugment, then instance noise, then packing."""
        if self.augment is not None:
            x = self.augment(x)
        if self.instance_noise is not None:
            x = self.instance_noise(x, self.g_step)
        return pack(x, self.packing)

    def penalty_grad_scale(self) -> float | Tensor:
        """The fp16 GradScaler's current scale under ``16-mixed`` precision, else 1.0.

        The scale stays a 0-d tensor on the device: ``GradScaler.get_scale()`` would
        copy it to the host, a device synchronisation on every penalised D step.
        """
        trainer = self._trainer
        scaler = getattr(getattr(trainer, "precision_plugin", None), "scaler", None) if trainer else None
        if scaler is None or not scaler.is_enabled():
            return 1.0
        return scaler.scale(torch.ones((), device=self.device))

    def clip(self, optimizer: Any, max_norm: float | None) -> None:
        """Gradient clipping by global norm; Lightning's clip_gradients is the call that is
        correct under manual optimization (it unscales mixed-precision gradients first)."""
        if max_norm is not None:
            self.clip_gradients(optimizer, gradient_clip_val=max_norm, gradient_clip_algorithm="norm")

    def update_ema(self) -> None:
        if hasattr(self, "ema_generator"):
            update_ema(self.ema_generator, self.generator, self.g_step, self.ema_start_step)

    def step_lr_schedulers(self) -> None:
        schedulers = self.lr_schedulers()
        if schedulers is None:
            return
        for scheduler in schedulers if isinstance(schedulers, list) else [schedulers]:
            scheduler.step()

    def _output_stats(self, real_out: Tensor, fake_out: Tensor) -> dict[str, Tensor]:
        """D(x) and D(G(z)) means: probabilities for sigmoid losses, raw values otherwise."""
        if self.loss.outputs_are_probabilities:
            return {
                "train/d_real": torch.sigmoid(real_out).mean().detach(),
                "train/d_fake": torch.sigmoid(fake_out).mean().detach(),
            }
        return {"train/d_real": real_out.mean().detach(), "train/d_fake": fake_out.mean().detach()}

    # ------------------------------------------------------------- checkpoints
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["gan_lab_config"] = self.run_config

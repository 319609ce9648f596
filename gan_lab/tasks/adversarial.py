"""The adversarial training loop, written once for every task family.

A training step is one generator update, with ``n_critic`` discriminator
updates before it (``step_order="d_first"``, DCGAN, pix2pix) or after it
(``"g_first"``, SRGAN as in BasicSR). The dataloader delivers ``n_critic``
batches at once and :meth:`AdversarialModule.split_batch` cuts them apart.

The loop owns everything that is the same in every GAN: manual optimization,
the step order, ``n_critic``, gradient penalties and R1 (lazy or not), gradient
clipping, the learning-rate schedule, EMA copies of named networks, host-side
step counters, the losses the divergence guard reads, the run config in
checkpoints, and the logging of every named loss term. A *family* (noise ->
image, paired image -> image, ...) subclasses it and says only:

- :meth:`generator_outputs`: how a batch becomes generator outputs (a dict);
- :meth:`discriminator_terms`: the named terms D minimises;
- :meth:`generator_terms`: the named terms G minimises, each with its weight.

Families build their adversarial terms with :meth:`adversarial_discriminator_terms`
and :meth:`adversarial_generator_term`, which apply the configured loss and add
the loop's penalties. Terms are logged as ``train/d_<name>`` and
``train/g_<name>`` (a family term named ``loss`` is the total itself), the
loop's regularizers as ``train/penalty`` and ``train/r1``, and the means of D's
outputs as ``train/d_real`` and ``train/d_fake``.
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
from gan_lab.tasks.resumed_optimization import apply_configured_optimization
from gan_lab.utils.nvml_check import drop_futile_nvml_check

OptimizerFactory = Callable[..., torch.optim.Optimizer]
LR_DECAYS = ("none", "linear", "exponential")
STEP_ORDERS = ("d_first", "g_first")
# Terms the loop itself adds to D's loss: logged under their own names, not as d_<name>.
LOOP_REGULARIZERS = ("penalty", "r1")


def split_batch(batch: Any, n: int) -> list[Any]:
    """``n`` equal batches from one loader batch: a tuple of tensors or a dict of them."""
    if isinstance(batch, dict):
        chunks = {key: value.chunk(n) for key, value in batch.items()}
        return [{key: chunks[key][i] for key in batch} for i in range(n)]
    return list(zip(*(part.chunk(n) for part in batch)))


def detached(outputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v.detach() if isinstance(v, Tensor) else v for k, v in outputs.items()}


class AdversarialModule(L.LightningModule):
    """Base of every task family (see the module docstring). Args:

    generator, discriminator: the two networks (a family may use containers).
    loss: the adversarial loss (:class:`gan_lab.losses.GANLoss`); it sets ``n_critic``.
    g_optimizer, d_optimizer: factories ``params -> Optimizer`` (Hydra ``_partial_``).
    step_order: ``"d_first"`` or ``"g_first"``.
    pretrain_g_steps: G updates at the start in which G gets no adversarial term (the
        reconstruction-only warm-up of SRResNet -> SRGAN and Iizuka et al.). D keeps
        training meanwhile, so every step has its n_critic D updates and Lightning's
        optimizer-step count (``trainer.max_steps``) stays ``g_steps x (n_critic + 1)``.
        A run that is all warm-up can skip D: ``loss.n_critic=0`` (SRResNet, a vocoder's
        mel-only start), then continue as a GAN in a second run (``init_from``).
    r1: R1 penalty on real D inputs (None: off); lazy when its interval is > 1.
    instance_noise, augment, packing: what D sees (instance noise, DiffAugment or ADA, PacGAN).
    ema_decay: keep an EMA copy ``ema_<name>`` of each network in ``ema_networks`` (None: off).
    ema_start_step: G steps during which the EMA is a plain copy.
    g_grad_clip, d_grad_clip: max global gradient norm (None: off).
    lr_decay: ``"none"``, ``"linear"`` (to 0 at ``total_g_steps``, starting after
        ``lr_decay_start`` G steps of constant learning rate; stepped every G update) or
        ``"exponential"`` (times ``lr_decay_gamma`` after every epoch, as HiFi-GAN).
    run_config: the resolved run config (plain types), saved in checkpoints.
    """

    task_family = ""
    # True: one generator forward per step serves the G update and the D update of the same
    # batch (D sees it detached). False: D's fakes are drawn afresh under no_grad.
    reuse_generator_outputs = False

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        loss: GANLoss,
        g_optimizer: OptimizerFactory,
        d_optimizer: OptimizerFactory,
        step_order: str = "d_first",
        pretrain_g_steps: int = 0,
        r1: R1Penalty | None = None,
        instance_noise: InstanceNoise | None = None,
        augment: DiffAugment | nn.Module | None = None,
        packing: int = 1,
        ema_decay: float | None = None,
        ema_start_step: int = 0,
        ema_networks: tuple[str, ...] = ("generator",),
        g_grad_clip: float | None = None,
        d_grad_clip: float | None = None,
        lr_decay: str = "none",
        lr_decay_start: int = 0,
        lr_decay_gamma: float = 0.999,
        total_g_steps: int | None = None,
        run_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if step_order not in STEP_ORDERS:
            raise ValueError(f"step_order must be one of {STEP_ORDERS}, got {step_order!r}")
        if lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got {lr_decay!r}")
        if lr_decay == "linear" and not total_g_steps:
            raise ValueError("lr_decay='linear' needs total_g_steps")
        if lr_decay == "linear" and not 0 <= int(lr_decay_start) < int(total_g_steps):
            raise IncompatibleConfigError(
                f"lr_decay_start={lr_decay_start} must lie in [0, g_steps={total_g_steps}): the learning rate "
                "stays constant for lr_decay_start G steps, then decays linearly to 0 at g_steps"
            )
        if int(packing) < 1:
            raise ValueError(f"packing must be >= 1, got {packing}")
        self.automatic_optimization = False
        self.generator = generator
        self.discriminator = discriminator
        self.loss = loss
        self.g_optimizer_factory = g_optimizer
        self.d_optimizer_factory = d_optimizer
        self.step_order = step_order
        self.pretrain_g_steps = int(pretrain_g_steps)
        self.r1 = r1
        self.instance_noise = instance_noise
        self.augment = augment if augment else None
        self.packing = int(packing)
        self.ema_start_step = int(ema_start_step)
        self.ema_networks = tuple(ema_networks) if ema_decay is not None else ()
        for name in self.ema_networks:
            # A submodule: saved in checkpoints, moved to the device with the module.
            setattr(self, f"ema_{name}", make_ema_generator(getattr(self, name), ema_decay))
        self.g_grad_clip, self.d_grad_clip = g_grad_clip, d_grad_clip
        self.lr_decay, self.lr_decay_start, self.total_g_steps = lr_decay, int(lr_decay_start), total_g_steps
        self.lr_decay_gamma = float(lr_decay_gamma)
        self.run_config = run_config or {}
        self.register_buffer("generator_steps", torch.zeros((), dtype=torch.long))
        self.register_buffer("discriminator_steps", torch.zeros((), dtype=torch.long))
        self._host_counts: list[int] | None = None  # [d_step, g_step]; see _step_counts
        self._resumed_config: dict[str, Any] | None = None  # the run config of the checkpoint resumed from
        self._step_logs: dict[str, Tensor] = {}

    # ------------------------------------------------------------ family hooks
    def generator_outputs(self, batch: Any) -> dict[str, Any]:
        """The generator's outputs for ``batch`` (called under ``no_grad`` for D updates)."""
        raise NotImplementedError

    def discriminator_terms(self, batch: Any, outputs: dict[str, Any]) -> dict[str, Tensor]:
        """Named, weighted terms D minimises (``outputs`` are detached)."""
        raise NotImplementedError

    def generator_terms(self, batch: Any, outputs: dict[str, Any]) -> dict[str, Tensor]:
        """Named, weighted terms G minimises (D's parameters are frozen meanwhile)."""
        raise NotImplementedError

    def split_batch(self, batch: Any, n: int) -> list[Any]:
        return split_batch(batch, n)

    @classmethod
    def generator_regularization_interval(cls, task_cfg: Any) -> int:
        """G steps between the family's lazy G regularizer steps (1: none lazy). With
        ``regularizers.lazy_adam_correction`` the builder corrects G's optimizer for it."""
        return 1

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

    @property
    def n_critic(self) -> int:
        return self.loss.n_critic

    @property
    def adversarial_active(self) -> bool:
        """False while G is in its reconstruction-only warm-up (``pretrain_g_steps``)."""
        return self.g_step >= self.pretrain_g_steps

    def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:
        self._host_counts = None  # the buffers change: read them again on next use
        return super().load_state_dict(*args, **kwargs)

    def on_train_start(self) -> None:
        self._host_counts = None
        if self._resumed_config is not None:
            apply_configured_optimization(self, self._resumed_config)
            self._resumed_config = None

    def setup(self, stage: str) -> None:
        # In every process of the run (DDP-spawned ones too): on a machine without the
        # NVIDIA driver, spare each optimizer step a failed NVML load (see nvml_check).
        drop_futile_nvml_check()

    # ----------------------------------------------------------------- training
    def configure_optimizers(self) -> Any:
        d_opt = self.d_optimizer_factory(self.discriminator.parameters())
        g_opt = self.g_optimizer_factory(self.generator.parameters())
        if self.lr_decay == "none":
            return [d_opt, g_opt]
        return [d_opt, g_opt], [self.make_lr_scheduler(opt) for opt in (d_opt, g_opt)]

    def make_lr_scheduler(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        if self.lr_decay == "exponential":
            return torch.optim.lr_scheduler.ExponentialLR(optimizer, self.lr_decay_gamma)
        return self._linear_decay(optimizer)

    def lr_schedule_steps_done(self) -> int:
        """How often the schedule has stepped so far: per G update (linear) or per full epoch (exponential)."""
        return self.trainer.current_epoch if self.lr_decay == "exponential" else self.g_step

    def _linear_decay(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        """Constant for ``lr_decay_start`` G updates, then linear to 0 at the last one
        (stepped once per G update, see training_step)."""
        decay_steps = self.total_g_steps - self.lr_decay_start
        if self.lr_decay_start == 0:
            return torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.0, total_iters=self.total_g_steps)
        constant = torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=self.lr_decay_start)
        linear = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.0, total_iters=decay_steps)
        return torch.optim.lr_scheduler.SequentialLR(optimizer, [constant, linear], [self.lr_decay_start])

    def training_step(self, batch: Any, batch_idx: int) -> None:
        d_opt, g_opt = self.optimizers()
        batches = self.split_batch(batch, max(self.n_critic, 1))
        g_batch = batches[0] if self.step_order == "g_first" else batches[-1]
        d_batches = batches if self.n_critic > 0 else []  # n_critic=0: a reconstruction-only run
        shared = None
        if self.step_order == "g_first":
            g_logs, shared = self.generator_update(g_batch, g_opt)
        if self.reuse_generator_outputs and self.step_order == "d_first":
            shared = self.generator_outputs(g_batch)  # with grad: the G update below reuses it
        d_logs: dict[str, Tensor] = {}
        for d_batch in d_batches:
            reuse = shared if (self.reuse_generator_outputs and d_batch is g_batch) else None
            d_logs = self.discriminator_update(d_batch, d_opt, reuse)
        if self.step_order == "d_first":
            g_logs, _ = self.generator_update(g_batch, g_opt, shared)
        self._step_counts()[1] += 1  # first: a first read of the counts must see the buffer before this step
        self.generator_steps += 1
        self.update_ema()
        self.step_lr_schedulers()
        self.latest_losses = {**d_logs, **g_logs}  # every step, for the divergence guard
        if self.is_logging_step():
            self.log_dict(self.latest_losses, on_step=True, on_epoch=False, prog_bar=False)
            self.log("train/g_step", self.generator_steps.float(), on_step=True)
            if "train/d_loss" in d_logs:
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

    def discriminator_update(self, batch: Any, d_opt: Any, outputs: dict[str, Any] | None = None) -> dict[str, Tensor]:
        """One D optimizer step on ``batch``; returns the logs of its terms."""
        if outputs is None:
            with torch.no_grad():
                outputs = self.generator_outputs(batch)
        else:  # shared with the G update: D must not reach G through it
            outputs = detached(outputs)
        self._step_logs = {}
        terms = self.discriminator_terms(batch, outputs)
        total = sum(terms.values())
        d_opt.zero_grad(set_to_none=True)
        self.manual_backward(total)
        self.clip(d_opt, self.d_grad_clip)
        d_opt.step()
        self.loss.after_discriminator_step(self.discriminator)
        self._step_counts()[0] += 1  # first: a first read of the counts must see the buffer before this step
        self.discriminator_steps += 1
        return self._term_logs("d", terms)

    def generator_update(
        self, batch: Any, g_opt: Any, outputs: dict[str, Any] | None = None
    ) -> tuple[dict[str, Tensor], dict[str, Any]]:
        """One G optimizer step with D frozen; returns its logs and the outputs it used."""
        self.discriminator.requires_grad_(False)
        try:
            if outputs is None:
                outputs = self.generator_outputs(batch)
            self._step_logs = {}
            terms = self.generator_terms(batch, outputs)
            total = sum(terms.values())
            g_opt.zero_grad(set_to_none=True)
            self.manual_backward(total)
            self.clip(g_opt, self.g_grad_clip)
            g_opt.step()
        finally:
            self.discriminator.requires_grad_(True)
        return self._term_logs("g", terms), outputs

    def _term_logs(self, side: str, terms: dict[str, Tensor]) -> dict[str, Tensor]:
        """``train/<side>_<term>`` per family term, ``train/<side>_loss`` their sum (a term
        named ``loss`` is that sum), the loop's regularizers and D-output statistics."""
        family = {k: v for k, v in terms.items() if k not in LOOP_REGULARIZERS}
        logs = {f"train/{side}_{name}": value.detach() for name, value in family.items()}
        if "loss" not in family:
            logs[f"train/{side}_loss"] = sum(family.values()).detach()
        logs.update(self._step_logs)
        logs.update({f"train/{k}": v.detach() for k, v in terms.items() if k in LOOP_REGULARIZERS})
        return logs

    # ------------------------------------------------- adversarial term builders
    def adversarial_discriminator_terms(
        self,
        discriminate: Callable[[Tensor, Any], Tensor],
        real_in: Tensor,
        fake_in: Tensor,
        real_condition: Any = None,
        fake_condition: Any = None,
        weight: float = 1.0,
    ) -> dict[str, Tensor]:
        """``{"loss": weight * D loss, "penalty": ..., "r1": ...}`` for one discriminator.

        ``real_in``/``fake_in`` are exactly what D sees; ``discriminate(x, condition)``
        runs D. The loss's own penalty (e.g. WGAN-GP) and R1 on real inputs are added
        when configured (R1 only on its lazy steps); the means of D's outputs are logged.
        An ``augment`` with an ``observe_real_outputs(real_out) -> logs`` method (ADA,
        :mod:`gan_lab.regularizers.ada`) is shown D's real outputs of every D step.
        """
        r1_due = self.r1 is not None and self.r1.due(self.d_step)
        if r1_due:
            real_in = real_in.detach().requires_grad_(True)
        real_out = discriminate(real_in, real_condition)
        fake_out = discriminate(fake_in, fake_condition)
        d_loss = self.loss.discriminator_loss(real_out, fake_out)
        terms = {"loss": d_loss if weight == 1.0 else weight * d_loss}
        self._step_logs.update(self._output_stats(real_out, fake_out))
        observe = getattr(self.augment, "observe_real_outputs", None)
        if observe is not None:  # an adaptive augmentation (ADA) tunes itself on D(real); returns its logs
            self._step_logs.update(observe(real_out.detach()))
        scale = self.penalty_grad_scale()
        penalty = self.loss.penalty(
            lambda x: discriminate(x, real_condition), real_in.detach(), fake_in, grad_scale=scale
        )
        if penalty is not None:
            terms["penalty"] = penalty
        if r1_due:
            terms["r1"] = self.r1(real_out, real_in, grad_scale=scale)
        return terms

    def adversarial_generator_term(
        self,
        discriminate: Callable[[Tensor, Any], Tensor],
        fake_in: Tensor,
        real_in: Callable[[], Tensor],
        fake_condition: Any = None,
        real_condition: Any = None,
    ) -> Tensor:
        """G's adversarial loss on ``fake_in``. ``real_in()`` makes D's real input; it is
        called only for losses that compare with real outputs (relativistic ones)."""
        fake_out = discriminate(fake_in, fake_condition)
        real_out = None
        if self.loss.needs_real_for_generator:
            with torch.no_grad():
                real_out = discriminate(real_in(), real_condition)
        return self.loss.generator_loss(fake_out, real_out)

    def discriminator_input(self, x: Tensor) -> Tensor:
        """What D sees of a batch: DiffAugment or ADA, then instance noise, then packing."""
        if self.augment is not None:
            x = self.augment(x)
        if self.instance_noise is not None:
            x = self.instance_noise(x, self.g_step)
        return pack(x, self.packing)

    def _output_stats(self, real_out: Tensor, fake_out: Tensor) -> dict[str, Tensor]:
        """D(x) and D(G(z)) means: probabilities for sigmoid losses, raw values otherwise."""
        if self.loss.outputs_are_probabilities:
            real_out, fake_out = torch.sigmoid(real_out), torch.sigmoid(fake_out)
        return {"train/d_real": real_out.mean().detach(), "train/d_fake": fake_out.mean().detach()}

    # ------------------------------------------------------- loop mechanics
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
        for name in self.ema_networks:
            update_ema(getattr(self, f"ema_{name}"), getattr(self, name), self.g_step, self.ema_start_step)

    def step_lr_schedulers(self, per: str = "g_step") -> None:
        """Steps the schedulers due ``per`` G update (linear) or ``per`` epoch (exponential)."""
        schedulers = self.lr_schedulers()
        if schedulers is None or (per == "epoch") != (self.lr_decay == "exponential"):
            return
        d_scheduler, g_scheduler = schedulers  # the order of configure_optimizers
        if self.n_critic > 0:  # a reconstruction-only run never steps D's optimizer: nor its schedule
            d_scheduler.step()
        g_scheduler.step()

    def on_train_epoch_end(self) -> None:
        # Lightning also ends the epoch when max_steps stops the run mid-epoch: decay only after a full one.
        if self.trainer.fit_loop.epoch_loop.batch_progress.is_last_batch:
            self.step_lr_schedulers(per="epoch")

    def network(self, name: str, use_ema: bool = True) -> nn.Module:
        """Network ``name``, or its EMA copy when there is one and ``use_ema``."""
        ema = getattr(self, f"ema_{name}", None) if use_ema else None
        return ema if ema is not None else getattr(self, name)

    # ------------------------------------------------------------- previews
    def preview(self, trainer: L.Trainer | None = None) -> tuple[Tensor, int]:
        """``(images [N, C, H, W] in [-1, 1] or points [N, 2], grid row length)`` for the sample grids."""
        raise NotImplementedError

    # ------------------------------------------------------------- checkpoints
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["gan_lab_config"] = self.run_config

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self._resumed_config = checkpoint.get("gan_lab_config") or {}

"""The unpaired image -> image family: CycleGAN (Zhu et al., 2017).

Two generators, ``G_AB`` and ``G_BA`` (``generator = ModuleDict{"a_to_b", "b_to_a"}``), and two
discriminators, ``D_B`` judging B images and ``D_A`` judging A images (``discriminator =
ModuleDict{"b", "a"}``). One optimizer spans both generators and one both discriminators, so the
two-optimizer loop of :class:`AdversarialModule` runs it unchanged. Per batch of A images ``a``
and B images ``b`` (junyanz/pytorch-CycleGAN-and-pix2pix, ``models/cycle_gan_model.py``):

- G minimises, each term logged under its own name (``train/g_<name>``):
  ``adversarial_a_to_b`` = w_adv·L_G(D_B(G_AB(a))), ``adversarial_b_to_a`` = w_adv·L_G(D_A(G_BA(b))),
  ``cycle_a`` = λ_cyc·|G_BA(G_AB(a)) - a|₁, ``cycle_b`` = λ_cyc·|G_AB(G_BA(b)) - b|₁,
  ``identity_a`` = λ_idt·λ_cyc·|G_BA(a) - a|₁, ``identity_b`` = λ_idt·λ_cyc·|G_AB(b) - b|₁.
  **λ_idt is relative to λ_cyc** as in the authors' code (0.5 x 10 = 5); mmagic's port applies it
  as an absolute weight, a ten times weaker identity term (``../shared/reference/variants.md`` §2.2).
- D minimises ``loss_b`` = w_D·L_D(D_B(b), D_B(pool_B(G_AB(a)))) and ``loss_a`` likewise, where the
  pools hold 50 earlier fakes each (:class:`~gan_lab.regularizers.image_pool.ImagePool`).

The adversarial weights default to the reference's for the configured loss (``None``): the
authors' LSGAN is G: MSE(D(G(x)), 1) and D: 0.5·[MSE(D(real), 1) + MSE(D(fake), 0)]; gan_lab's
:class:`~gan_lab.losses.LeastSquaresLoss` is Mao et al.'s ½-scaled form, so G's weight is 2 and D's
is 1. For the other losses (the authors' ``vanilla`` mode and the rest) G's weight is 1 and D's 0.5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim.swa_utils import AveragedModel

from gan_lab.errors import IncompatibleConfigError
from gan_lab.losses import LeastSquaresLoss
from gan_lab.regularizers.image_pool import ImagePool
from gan_lab.tasks.adversarial import AdversarialModule
from gan_lab.utils.eval_mode import inference_mode

# direction -> (generator key, input domain, output domain)
DIRECTIONS = {"AtoB": ("a_to_b", "a", "b"), "BtoA": ("b_to_a", "b", "a")}


def reference_adversarial_weights(loss: nn.Module) -> tuple[float, float]:
    """``(G's adversarial weight, D's loss weight)`` that reproduce the authors' code with ``loss``."""
    return (2.0, 1.0) if isinstance(loss, LeastSquaresLoss) else (1.0, 0.5)


class UnpairedImageToImage(AdversarialModule):
    """Args (besides :class:`AdversarialModule`'s):

    channels_a, channels_b: channels of the two domains.
    cycle_weight: λ_cyc (10 in CycleGAN), the same both ways.
    identity_weight: λ_idt, RELATIVE to λ_cyc (CycleGAN: 0.5, effective weight 5); 0 = off.
        Needs ``channels_a == channels_b`` (G_AB is fed B images).
    adversarial_weight, discriminator_weight: None = the reference's for the loss (see module docstring).
    pool_size: fakes kept per discriminator (50; 0 = D sees the newest fakes only).
    num_preview: images per domain in the sample grids.
    """

    task_family = "unpaired"
    reuse_generator_outputs = True  # D trains on the fakes of the G step, as the authors' code does
    directions = tuple(DIRECTIONS)
    scale = 1
    needs_mask = False

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        channels_a: int,
        channels_b: int,
        cycle_weight: float = 10.0,
        identity_weight: float = 0.5,
        adversarial_weight: float | None = None,
        discriminator_weight: float | None = None,
        pool_size: int = 50,
        num_preview: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, *args, **kwargs)
        for name, container, keys in (
            ("model.generator", generator, {"a_to_b", "b_to_a"}),
            ("model.discriminator", discriminator, {"a", "b"}),
        ):
            if not isinstance(container, nn.ModuleDict) or set(container.keys()) != keys:
                raise IncompatibleConfigError(
                    f"task=unpaired needs {name} to be a ModuleDict with keys {sorted(keys)} "
                    f"(use model=unpaired/cyclegan); got {type(container).__name__}"
                )
        if self.packing > 1:
            raise IncompatibleConfigError("regularizers.packing (PacGAN) is for noise -> image models only")
        self.channels_a, self.channels_b = int(channels_a), int(channels_b)
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        if self.cycle_weight < 0 or self.identity_weight < 0:
            raise IncompatibleConfigError("task.cycle_weight and task.identity_weight must be >= 0")
        if self.identity_weight > 0 and self.channels_a != self.channels_b:
            raise IncompatibleConfigError(
                f"the identity loss feeds B images to G_AB (and A images to G_BA), which needs both domains to have "
                f"the same channel count; here A has {self.channels_a} and B {self.channels_b}. "
                f"Set task.identity_weight=0 (or convert one domain, e.g. dataset.channels_a={self.channels_b})"
            )
        reference = reference_adversarial_weights(self.loss)
        self.adversarial_weight = reference[0] if adversarial_weight is None else float(adversarial_weight)
        self.discriminator_weight = reference[1] if discriminator_weight is None else float(discriminator_weight)
        self.pools = nn.ModuleDict({"b": ImagePool(pool_size), "a": ImagePool(pool_size)})  # saved in checkpoints
        self.num_preview = int(num_preview)
        self._preview_batch: dict[str, Tensor] | None = None

    @classmethod
    def required_batch_keys(cls, task_cfg: Any) -> tuple[str, ...]:
        return ("image_a", "image_b")

    # ------------------------------------------------- the directions' shapes
    @property
    def source_channels(self) -> int:
        """Input channels of A -> B (``direction_channels`` gives both directions)."""
        return self.channels_a

    @property
    def target_channels(self) -> int:
        return self.channels_b

    def direction_channels(self, direction: str) -> tuple[int, int]:
        """``(input channels, output channels)`` of ``direction`` (``AtoB`` | ``BtoA``)."""
        _, source, target = self._direction(direction)
        return getattr(self, f"channels_{source}"), getattr(self, f"channels_{target}")

    @staticmethod
    def _direction(direction: str | None) -> tuple[str, str, str]:
        key = "AtoB" if direction is None else direction
        if key not in DIRECTIONS:
            raise IncompatibleConfigError(f"direction must be one of {list(DIRECTIONS)}, got {direction!r}")
        return DIRECTIONS[key]

    # --------------------------------------------------------- data plumbing
    def _set_data_epoch(self) -> None:
        """Tell the dataset the epoch its random draws derive from (see datasets.unpaired.sampling);
        the value the fit loop gives the sampler, also when a run resumes mid-epoch."""
        trainer = self._trainer
        datamodule = getattr(trainer, "datamodule", None) if trainer is not None else None
        dataset = getattr(datamodule, "train_dataset", None)
        if callable(getattr(dataset, "set_epoch", None)):
            dataset.set_epoch(trainer.fit_loop.epoch_progress.current.processed)

    def on_train_start(self) -> None:
        super().on_train_start()
        self._set_data_epoch()

    def on_train_epoch_start(self) -> None:
        self._set_data_epoch()

    # ------------------------------------------------------------ the family
    def generator_outputs(self, batch: dict[str, Tensor]) -> dict[str, Any]:
        g_ab, g_ba = self.generator["a_to_b"], self.generator["b_to_a"]
        a, b = batch["image_a"], batch["image_b"]
        fake_b, fake_a = g_ab(a), g_ba(b)
        outputs = {"fake_b": fake_b, "fake_a": fake_a, "rec_a": g_ba(fake_b), "rec_b": g_ab(fake_a)}
        if self.identity_weight > 0:
            outputs["same_a"], outputs["same_b"] = g_ba(a), g_ab(b)
        return outputs

    def judge(self, domain: str) -> Callable[..., Tensor]:
        """``discriminate(x, condition)`` of the discriminator of ``domain`` (``"a"`` | ``"b"``)."""
        net = self.discriminator[domain]
        return lambda x, condition=None: net(x)

    def discriminator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        terms: dict[str, Tensor] = {}
        regularizers: dict[str, Tensor] = {}
        for domain, fake_key in (("b", "fake_b"), ("a", "fake_a")):
            fake = self.pools[domain].query(outputs[fake_key])
            own = self.adversarial_discriminator_terms(
                self.judge(domain),
                self.discriminator_input(batch[f"image_{domain}"]),
                self.discriminator_input(fake),
                weight=self.discriminator_weight,
            )
            terms[f"loss_{domain}"] = own.pop("loss")
            for name, value in own.items():  # the loop's penalties: summed over both Ds
                regularizers[name] = regularizers[name] + value if name in regularizers else value
            for stat in ("d_real", "d_fake"):  # D's mean outputs, per discriminator
                self._step_logs[f"train/{stat}_{domain}"] = self._step_logs.pop(f"train/{stat}")
        return {**terms, **regularizers}

    def generator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        a, b = batch["image_a"], batch["image_b"]
        terms: dict[str, Tensor] = {}
        if self.adversarial_active and self.adversarial_weight > 0:
            for name, domain, fake, real in (("a_to_b", "b", "fake_b", b), ("b_to_a", "a", "fake_a", a)):
                adversarial = self.adversarial_generator_term(
                    self.judge(domain),
                    self.discriminator_input(outputs[fake]),
                    lambda real=real: self.discriminator_input(real),
                )
                terms[f"adversarial_{name}"] = self.adversarial_weight * adversarial
        if self.cycle_weight > 0:
            terms["cycle_a"] = self.cycle_weight * F.l1_loss(outputs["rec_a"], a)
            terms["cycle_b"] = self.cycle_weight * F.l1_loss(outputs["rec_b"], b)
        if self.identity_weight > 0:
            effective = self.identity_weight * self.cycle_weight  # relative weight, as the reference
            terms["identity_a"] = effective * F.l1_loss(outputs["same_a"], a)
            terms["identity_b"] = effective * F.l1_loss(outputs["same_b"], b)
        return terms

    # -------------------------------------------------------------- inference
    def direction_generator(self, direction: str | None = "AtoB", use_ema: bool = True) -> nn.Module:
        """G_AB or G_BA (their EMA copies when kept and ``use_ema``)."""
        key, _, _ = self._direction(direction)
        pair = self.network("generator", use_ema)
        if isinstance(pair, AveragedModel):
            pair = pair.module
        return pair[key]

    @torch.no_grad()
    def translate(
        self, source: Tensor, direction: str | None = "AtoB", use_ema: bool = True, *, mask: Tensor | None = None
    ) -> Tensor:
        """``direction``'s generator applied to ``source`` ``[N, C, H, W]`` in eval mode; output in [-1, 1]."""
        if mask is not None:
            raise IncompatibleConfigError("CycleGAN models take no mask (they are not inpainting models)")
        expected, _ = self.direction_channels("AtoB" if direction is None else direction)
        if source.shape[1] != expected:
            raise IncompatibleConfigError(
                f"direction={direction or 'AtoB'} takes {expected}-channel images; got {source.shape[1]} channels"
            )
        net = self.direction_generator(direction, use_ema)
        with inference_mode(net):
            return net(source.to(self.device)).clamp(-1, 1)

    def preview(self, trainer: L.Trainer | None = None) -> tuple[Tensor, int]:
        """Four rows of the same fixed images: a | G_AB(a) | b | G_BA(b) (grey rows shown as RGB
        when the other domain is in colour)."""
        batch = self.preview_batch(trainer)
        a, b = batch["image_a"], batch["image_b"]
        rows = [a, self.translate(a, "AtoB"), b, self.translate(b, "BtoA")]
        channels = max(row.shape[1] for row in rows)
        rows = [row.expand(-1, channels, -1, -1) if row.shape[1] != channels else row for row in rows]
        return torch.cat(rows), a.shape[0]

    def preview_batch(self, trainer: L.Trainer | None) -> dict[str, Tensor]:
        """The first ``num_preview`` items of the training set without random draws (the same
        images in every grid, also after a resume), drawn once."""
        if self._preview_batch is None:
            dataset = trainer.datamodule.train_dataset
            item = getattr(dataset, "preview_item", None) or dataset.__getitem__
            with torch.random.fork_rng(devices=[]):
                items = [item(i) for i in range(min(self.num_preview, len(dataset)))]
            self._preview_batch = {key: torch.stack([it[key] for it in items]) for key in ("image_a", "image_b")}
        return {key: value.to(self.device) for key, value in self._preview_batch.items()}

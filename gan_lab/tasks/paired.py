"""The paired image -> image family: pix2pix, super-resolution and inpainting in one class.

In all three published setups the generator step is "reconstruction terms +
weight x adversarial" and the discriminator step is "adversarial on the target,
conditioned or not" (``../shared/reference/variants.md`` §1.3). What differs is
configuration, not code:

============================  =================  ======================  ===================
setting                       pix2pix            SRGAN / ESRGAN          inpainting (CE)
============================  =================  ======================  ===================
``generator_inputs``          ``[source]``       ``[source]``            ``[source, mask]``
``discriminator_condition``   ``[source]``       ``[]``                  ``[]`` or ``[mask]``
``composite_mask``            false              false                   true
``pixel_loss`` / weight       l1 / 100           l1 / 1e-2               l2 / 0.999 (hole)
``adversarial_weight``        1                  5e-3                    1e-3
``pretrain_g_steps``          0                  the SRResNet warm-up    0
============================  =================  ======================  ===================

Batches are dicts with ``source``, ``target`` (and ``mask``, 1 = hole), see
:mod:`gan_lab.datasets.paired`. One generator forward per step serves both
updates (``reuse_generator_outputs``): D sees it detached.
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.tasks.adversarial import AdversarialModule
from gan_lab.utils.eval_mode import inference_mode

PIXEL_LOSSES = {"l1": F.l1_loss, "l2": F.mse_loss}
PIXEL_REGIONS = ("all", "hole")


class PairedImageToImage(AdversarialModule):
    """Args (besides :class:`AdversarialModule`'s):

    source_channels, target_channels, scale: the data's shapes (target side = scale x source side).
    generator_inputs: batch keys concatenated along channels into G's input.
    discriminator_condition: batch keys concatenated before the (real or generated) target
        into D's input; pix2pix's D judges (source, image) pairs.
    composite_mask: paste G's output into the known pixels, ``source·(1-m) + output·m``
        (the source holds the known pixels), before D and in every output.
    pixel_loss, pixel_weight, pixel_region: the reconstruction term (``l1``/``l2``, weight,
        over ``all`` pixels or the ``hole`` only).
    adversarial_weight: weight of G's adversarial term.
    discriminator_weight: weight of D's adversarial loss (pix2pix halves it).
    perceptual_weight, perceptual: a VGG feature loss (settings of
        :class:`gan_lab.models.paired.VGGPerceptualLoss`, built when training starts so
        that loading a checkpoint does not need the VGG file); weight 0 = off.
    num_preview: pairs shown in the sample grids.
    """

    task_family = "paired"
    reuse_generator_outputs = True

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        source_channels: int,
        target_channels: int,
        scale: int = 1,
        generator_inputs: tuple[str, ...] = ("source",),
        discriminator_condition: tuple[str, ...] = ("source",),
        composite_mask: bool = False,
        pixel_loss: str = "l1",
        pixel_weight: float = 100.0,
        pixel_region: str = "all",
        adversarial_weight: float = 1.0,
        discriminator_weight: float = 1.0,
        perceptual_weight: float = 0.0,
        perceptual: dict[str, Any] | None = None,
        num_preview: int = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(generator, discriminator, *args, **kwargs)
        if pixel_loss not in PIXEL_LOSSES:
            raise IncompatibleConfigError(f"task.pixel_loss must be one of {sorted(PIXEL_LOSSES)}, got {pixel_loss!r}")
        if pixel_region not in PIXEL_REGIONS:
            raise IncompatibleConfigError(f"task.pixel_region must be one of {PIXEL_REGIONS}, got {pixel_region!r}")
        if pixel_region == "hole" and not composite_mask:
            raise IncompatibleConfigError("task.pixel_region=hole needs masks: set task.composite_mask=true")
        if self.packing > 1:
            raise IncompatibleConfigError("regularizers.packing (PacGAN) is for noise -> image models only")
        self.source_channels, self.target_channels, self.scale = int(source_channels), int(target_channels), int(scale)
        self.generator_inputs = tuple(generator_inputs)
        self.discriminator_condition = tuple(discriminator_condition)
        self.composite_mask = bool(composite_mask)
        self.pixel_loss, self.pixel_weight, self.pixel_region = pixel_loss, float(pixel_weight), pixel_region
        self.adversarial_weight = float(adversarial_weight)
        self.discriminator_weight = float(discriminator_weight)
        self.perceptual_weight = float(perceptual_weight)
        self.perceptual_settings = dict(perceptual or {})
        self.perceptual_loss: nn.Module | None = None
        self.num_preview = int(num_preview)
        self._preview_batch: dict[str, Tensor] | None = None

    @classmethod
    def required_batch_keys(cls, task_cfg: Any) -> tuple[str, ...]:
        keys = ["source", "target", *task_cfg.get("generator_inputs", ["source"])]
        keys += list(task_cfg.get("discriminator_condition", ["source"]))
        if task_cfg.get("composite_mask", False):
            keys.append("mask")
        return tuple(dict.fromkeys(keys))

    @property
    def needs_mask(self) -> bool:
        return self.composite_mask or "mask" in self.generator_inputs

    def setup(self, stage: str) -> None:
        super().setup(stage)
        if stage == "fit" and self.perceptual_weight > 0 and self.perceptual_loss is None:
            from gan_lab.models.paired import VGGPerceptualLoss

            self.perceptual_loss = VGGPerceptualLoss(**self.perceptual_settings).to(self.device)

    # ------------------------------------------------------------ the family
    def run_generator(self, net: nn.Module, batch: dict[str, Tensor]) -> Tensor:
        """``net``'s output for ``batch``, composited into the known pixels when configured."""
        output = net(torch.cat([batch[key] for key in self.generator_inputs], dim=1))
        if self.composite_mask:
            mask = batch["mask"]
            output = batch["source"] * (1 - mask) + output * mask
        return output

    def generator_outputs(self, batch: dict[str, Tensor]) -> dict[str, Any]:
        return {"output": self.run_generator(self.generator, batch)}

    def judged(self, batch: dict[str, Tensor], image: Tensor) -> Tensor:
        """What D sees of ``image``: its condition channels, then the image, then the loop's D-input transforms."""
        parts = [batch[key] for key in self.discriminator_condition]
        return self.discriminator_input(torch.cat([*parts, image], dim=1) if parts else image)

    def discriminate(self, x: Tensor, condition: Any = None) -> Tensor:
        return self.discriminator(x)

    def discriminator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        return self.adversarial_discriminator_terms(
            self.discriminate,
            self.judged(batch, batch["target"]),
            self.judged(batch, outputs["output"]),
            weight=self.discriminator_weight,
        )

    def generator_terms(self, batch: dict[str, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        output, target = outputs["output"], batch["target"]
        terms = {}
        if self.adversarial_active and self.adversarial_weight > 0:
            adversarial = self.adversarial_generator_term(
                self.discriminate, self.judged(batch, output), lambda: self.judged(batch, target)
            )
            terms["adversarial"] = self.adversarial_weight * adversarial
        if self.pixel_weight > 0:
            terms[self.pixel_loss] = self.pixel_weight * self.reconstruction(output, target, batch.get("mask"))
        if self.perceptual_loss is not None:
            terms["perceptual"] = self.perceptual_weight * self.perceptual_loss(output, target)
        return terms

    def reconstruction(self, output: Tensor, target: Tensor, mask: Tensor | None) -> Tensor:
        """The pixel loss, averaged over every pixel or over the hole's pixels only."""
        if self.pixel_region == "all":
            return PIXEL_LOSSES[self.pixel_loss](output, target)
        per_pixel = PIXEL_LOSSES[self.pixel_loss](output, target, reduction="none")
        hole = mask.expand_as(per_pixel)
        return (per_pixel * hole).sum() / hole.sum().clamp_min(1.0)

    # -------------------------------------------------------------- inference
    def direction_channels(self, direction: str = "AtoB") -> tuple[int, int]:
        """``(input, output)`` channels; a paired model learnt one direction, source -> target."""
        if direction != "AtoB":
            raise IncompatibleConfigError(
                f"direction={direction}: a paired checkpoint learnt one direction, source -> target (AtoB); "
                "train with dataset.direction=BtoA to translate the other way"
            )
        return self.source_channels, self.target_channels

    def direction_generator(self, direction: str = "AtoB", use_ema: bool = True) -> nn.Module:
        self.direction_channels(direction)
        return self.network("generator", use_ema)

    @torch.no_grad()
    def translate(
        self, source: Tensor, mask: Tensor | None = None, use_ema: bool = True, direction: str = "AtoB"
    ) -> Tensor:
        """G's output in eval mode, clamped to [-1, 1] (an SR generator has no tanh)."""
        self.direction_channels(direction)
        if self.needs_mask and mask is None:
            raise IncompatibleConfigError("this inpainting model needs a mask (1 = hole) with its source images")
        batch = {"source": source.to(self.device)}
        if mask is not None:
            batch["mask"] = mask.to(self.device)
        net = self.network("generator", use_ema)
        with inference_mode(net):
            return self.run_generator(net, batch).clamp(-1, 1)

    def preview(self, trainer: L.Trainer | None = None) -> tuple[Tensor, int]:
        """Three rows of the same fixed pairs: source (resized to the target's size) | output | target."""
        batch = self.preview_batch(trainer)
        output = self.translate(batch["source"], batch.get("mask"))
        source = F.interpolate(batch["source"], size=output.shape[-2:], mode="nearest")
        if source.shape[1] != output.shape[1]:
            source = source.mean(1, keepdim=True).expand(-1, output.shape[1], -1, -1)
        return torch.cat([source, output, batch["target"]]), output.shape[0]

    def preview_batch(self, trainer: L.Trainer | None) -> dict[str, Tensor]:
        """The first ``num_preview`` training pairs, drawn once with the RNG state restored
        afterwards (a dataset's random crops must not shift the training run's random stream)."""
        if self._preview_batch is None:
            dataset = trainer.datamodule.train_dataset
            with torch.random.fork_rng(devices=[]):
                items = [dataset[i] for i in range(min(self.num_preview, len(dataset)))]
            self._preview_batch = {
                key: torch.stack([torch.as_tensor(item[key]) for item in items]) for key in items[0] if key != "label"
            }
        return {key: value.to(self.device) for key, value in self._preview_batch.items()}

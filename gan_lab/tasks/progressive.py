"""Progressive growing of GANs (Karras et al., 2018) as a noise -> image family.

Training starts at ``start_resolution`` and doubles up to the dataset's size;
each new resolution fades in over ``fade_images`` real images and then stabilises
over ``stabilise_images`` (:mod:`gan_lab.tasks.growth_schedule`). The schedule is a
function of the ``images_shown`` buffer, the real images D has seen (the whole
loader batch of every step, i.e. ``n_critic x batch_size`` per G step, as the
official code counts them). Buffers are saved in checkpoints, so a run resumed
mid-fade continues with the same stage and the same ``alpha``.

Before each training step the family sets the stage (resolution, ``alpha``) on
every growing network (G, D and the EMA G), and both updates of the step use it.
G makes fakes at the current resolution; real images are box-downsampled to it
and faded with the same ``alpha`` on the device (the data module does not
change). At every phase change (a fade-in starts, or a stabilisation starts) the
Adam state of both optimizers is cleared, as the official code does
(``reset_opt_for_new_lod``), a line "progressive growing: 8x8 fade-in" is
logged and, when a SamplePreviews callback is present, a grid of the phase just
finished is saved. Outside training G returns dataset-size images (the current
stage nearest-upsampled), so previews, ``sample`` and ``evaluate`` work unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.progressive.blocks import GrowingNetwork, fade_reals
from gan_lab.tasks.growth_schedule import GrowthPhase, growth_phase, schedule_images
from gan_lab.tasks.noise_to_image import NoiseToImage

log = logging.getLogger("gan_lab.train")


class ProgressiveGrowing(NoiseToImage):
    """Args (besides :class:`NoiseToImage`'s):

    generator, discriminator: growing networks (``model=progressive``).
    start_resolution: the first resolution trained (a power of two >= 4; paper: 4).
    fade_images: real images over which each new resolution fades in (paper: 600,000).
    stabilise_images: real images of training at each resolution after its fade-in
        (paper: 600,000); the final resolution trains on until ``g_steps``.
    stage_previews: save a sample grid at the end of every phase (needs SamplePreviews).
    """

    # task_family stays "noise_to_image": samples, grids and metrics treat it like any noise -> image module

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        *args: Any,
        start_resolution: int = 4,
        fade_images: int = 600_000,
        stabilise_images: int = 600_000,
        stage_previews: bool = True,
        **kwargs: Any,
    ) -> None:
        for role, net in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(net, GrowingNetwork):
                raise IncompatibleConfigError(
                    f"task=progressive grows its networks, but the {role} ({type(net).__name__}) cannot grow: "
                    "use model=progressive"
                )
        if generator.resolutions != discriminator.resolutions:
            raise IncompatibleConfigError(
                f"generator resolutions {generator.resolutions} differ from the discriminator's "
                f"{discriminator.resolutions}: both must be built for the dataset's shape"
            )
        if int(start_resolution) not in generator.resolutions:
            raise IncompatibleConfigError(
                f"task.start_resolution={start_resolution} must be one of {generator.resolutions} "
                "(powers of two from 4 up to the dataset's image size)"
            )
        if int(fade_images) < 0 or int(stabilise_images) < 0:
            raise IncompatibleConfigError(
                f"task.fade_images={fade_images} and task.stabilise_images={stabilise_images} must be >= 0"
            )
        super().__init__(generator, discriminator, *args, **kwargs)
        self.start_resolution = int(start_resolution)
        self.final_resolution = int(generator.final_resolution)
        self.fade_images, self.stabilise_images = int(fade_images), int(stabilise_images)
        self.stage_previews = bool(stage_previews)
        self.register_buffer("images_shown", torch.zeros((), dtype=torch.long))
        # The phase the optimizers were last reset for (-1: none yet), so a resume does not reset again.
        self.register_buffer("growth_phase_index", torch.full((), -1, dtype=torch.long))
        self._host_schedule: list[int] | None = None  # [images_shown, growth_phase_index]; see _schedule_counts
        self._announced = False
        self._growing = [m for m in self.modules() if isinstance(m, GrowingNetwork)]  # G, D, the EMA G's copy
        self.apply_phase(self.current_phase())

    # --------------------------------------------------------------- schedule
    def _schedule_counts(self) -> list[int]:
        """The two buffers as host ints, read once after every (re)load (as the step counts are)."""
        if self._host_schedule is None:
            self._host_schedule = [int(self.images_shown), int(self.growth_phase_index)]
        return self._host_schedule

    def current_phase(self) -> GrowthPhase:
        """The phase after the images shown so far."""
        return growth_phase(
            self._schedule_counts()[0],
            self.start_resolution,
            self.final_resolution,
            self.fade_images,
            self.stabilise_images,
        )

    @property
    def phase(self) -> GrowthPhase:
        return self.current_phase()

    def apply_phase(self, phase: GrowthPhase) -> None:
        """Set ``phase``'s resolution and alpha on G, D and every copy of them (the EMA G)."""
        for net in self._growing:
            net.set_stage(phase.resolution, phase.alpha)

    def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:
        result = super().load_state_dict(*args, **kwargs)
        self._host_schedule = None
        self.apply_phase(self.current_phase())  # a loaded checkpoint samples at its own stage
        return result

    def enter_phase(self, phase: GrowthPhase) -> None:
        """A phase change: a grid of the phase that ends, optimizer state reset, a log line."""
        counts = self._schedule_counts()
        if counts[1] >= 0:
            self.save_stage_preview(counts[1])
            for optimizer in self.trainer.optimizers:
                optimizer.state.clear()  # Adam's moments and step counts (official: reset_opt_for_new_lod)
        log.info(
            "progressive growing: %s (phase %d, %d images shown, G step %d)",
            phase.name,
            phase.index,
            counts[0],
            self.g_step,
        )
        counts[1] = phase.index
        self.growth_phase_index.fill_(phase.index)

    def save_stage_preview(self, finished_index: int) -> None:
        """The grid of the networks as the phase ``finished_index`` leaves them."""
        from gan_lab.callbacks.sample_previews import SamplePreviews

        if not self.stage_previews or self._trainer is None:
            return
        previews = [c for c in self.trainer.callbacks if isinstance(c, SamplePreviews)]
        if previews:
            net = self.generator
            kind = "fade-in" if net.fading() else "stabilise"
            name = f"phase_{finished_index:02d}_{net.resolution}x{net.resolution}_{kind}_end_step_{self.g_step:06d}.png"
            previews[0].save(self.trainer, self, name)

    def announce_schedule(self, real_per_step: int) -> None:
        total = schedule_images(self.start_resolution, self.final_resolution, self.fade_images, self.stabilise_images)
        steps = -(-total // max(real_per_step, 1))
        log.info(
            "progressive growing: %d -> %d px, %d images per fade-in, %d per stabilisation; the schedule takes "
            "%d real images = %d G steps at %d real images per G step (g_steps=%s; the final resolution trains "
            "until then)",
            self.start_resolution,
            self.final_resolution,
            self.fade_images,
            self.stabilise_images,
            total,
            steps,
            real_per_step,
            self.total_g_steps,
        )
        faded_in = -(-(total - self.stabilise_images) // max(real_per_step, 1))
        if self.total_g_steps is not None and self.total_g_steps < faded_in:
            log.warning(
                "progressive growing: g_steps=%d ends before %dx%d has faded in (G step %d)",
                self.total_g_steps,
                self.final_resolution,
                self.final_resolution,
                faded_in,
            )
        self._announced = True

    # ------------------------------------------------------------- checkpoints
    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """The stage, for people reading the checkpoint (a resume derives it from the buffers)."""
        super().on_save_checkpoint(checkpoint)
        phase = self.current_phase()
        checkpoint["progressive_growing"] = {
            "images_shown": self._schedule_counts()[0],
            "phase": phase.index,
            "resolution": phase.resolution,
            "alpha": phase.alpha,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        super().on_load_checkpoint(checkpoint)
        saved = checkpoint.get("progressive_growing")
        if not saved:
            return
        now = growth_phase(
            int(saved["images_shown"]),
            self.start_resolution,
            self.final_resolution,
            self.fade_images,
            self.stabilise_images,
        )
        if (now.resolution, now.alpha) != (saved["resolution"], saved["alpha"]):
            log.warning(
                "progressive growing: the checkpoint stopped at %dx%d, alpha %.4f; with this run's schedule "
                "settings the same %d images shown give %s, alpha %.4f: the run continues from there",
                saved["resolution"],
                saved["resolution"],
                saved["alpha"],
                saved["images_shown"],
                now.name,
                now.alpha,
            )

    # ----------------------------------------------------------------- training
    def training_step(self, batch: Any, batch_idx: int) -> None:
        real_per_step = int(self.real_and_labels(batch)[0].shape[0])
        if not self._announced:
            self.announce_schedule(real_per_step)
        phase = self.current_phase()
        if phase.index != self._schedule_counts()[1]:
            self.enter_phase(phase)
        self.apply_phase(phase)
        super().training_step(batch, batch_idx)
        self._schedule_counts()[0] += real_per_step
        self.images_shown += real_per_step

    def faded_reals(self, real: Tensor) -> Tensor:
        """Real images at the current resolution, faded with the current alpha."""
        return fade_reals(real, self.generator.resolution, self.generator.alpha)

    def discriminator_terms(self, batch: tuple[Tensor, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        real, labels = self.real_and_labels(batch)
        return super().discriminator_terms((self.faded_reals(real), labels), outputs)

    def generator_terms(self, batch: tuple[Tensor, Tensor], outputs: dict[str, Any]) -> dict[str, Tensor]:
        real, labels = self.real_and_labels(batch)
        return super().generator_terms((self.faded_reals(real), labels), outputs)

    def generate_fakes(self, n: int, labels: Tensor | None) -> Tensor:
        """``n`` samples at the current resolution (not up-sampled: D takes them as they are)."""
        return self.generator(self.sample_noise(n), full_size=False)

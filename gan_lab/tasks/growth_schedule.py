"""The progressive-growing schedule (Karras et al., 2018): stage and fade weight from images shown.

A pure function of the number of real images the discriminator has seen, so a run
resumed from a checkpoint (which stores that number) continues at the same stage
and the same fade weight. The layout follows the official code's
``TrainingSchedule``: the start resolution trains for ``stabilise_images``; every
later resolution first fades in over ``fade_images`` (its weight ``alpha`` rising
linearly from 0 to 1), then stabilises (``alpha = 1``) for ``stabilise_images``;
the final resolution then stays until the run ends (``g_steps``).

Phases are numbered: 0 is the start resolution; growth ``i`` (1-based) has its
fade-in as phase ``2i - 1`` and its stabilisation as phase ``2i``. The official code
resets the optimizers whenever ``floor(lod)`` or ``ceil(lod)`` changes, which is
exactly at every phase change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class GrowthPhase:
    """Where a progressive run stands: ``resolution`` trained now, its fade weight ``alpha``
    (the share of the newest layers: 0 = the previous resolution, 1 = fully faded in)."""

    index: int
    resolution: int
    alpha: float
    fading: bool

    @property
    def name(self) -> str:
        return f"{self.resolution}x{self.resolution} {'fade-in' if self.fading else 'stabilise'}"


def growth_steps(start_resolution: int, final_resolution: int) -> int:
    """How many doublings lead from ``start_resolution`` to ``final_resolution`` (both powers of two)."""
    for value, what in ((start_resolution, "start_resolution"), (final_resolution, "final resolution")):
        if value < 4 or value & (value - 1):
            raise ValueError(f"{what} must be a power of two >= 4, got {value}")
    if final_resolution < start_resolution:
        raise ValueError(f"start_resolution {start_resolution} exceeds the final resolution {final_resolution}")
    return int(math.log2(final_resolution // start_resolution))


def growth_phase(
    images_shown: int, start_resolution: int, final_resolution: int, fade_images: int, stabilise_images: int
) -> GrowthPhase:
    """The phase after ``images_shown`` real images (see the module docstring)."""
    if fade_images < 0 or stabilise_images < 0:
        raise ValueError(f"fade_images and stabilise_images must be >= 0, got {fade_images}, {stabilise_images}")
    growths = growth_steps(start_resolution, final_resolution)
    shown = int(images_shown) - int(stabilise_images)
    period = int(fade_images) + int(stabilise_images)
    if growths == 0 or (shown < 0 and period > 0):
        return GrowthPhase(0, start_resolution, 1.0, False)
    growth = shown // period if period > 0 else growths  # 0-based index of the current growth
    if growth >= growths:
        return GrowthPhase(2 * growths, final_resolution, 1.0, False)
    within = shown - growth * period
    resolution = start_resolution * 2 ** (growth + 1)
    if within < fade_images:
        return GrowthPhase(2 * growth + 1, resolution, within / fade_images, True)
    return GrowthPhase(2 * growth + 2, resolution, 1.0, False)


def schedule_images(start_resolution: int, final_resolution: int, fade_images: int, stabilise_images: int) -> int:
    """Real images until the final resolution has faded in and stabilised once."""
    growths = growth_steps(start_resolution, final_resolution)
    return stabilise_images + growths * (fade_images + stabilise_images)


def schedule_g_steps(
    start_resolution: int,
    final_resolution: int,
    fade_images: int,
    stabilise_images: int,
    batch_size: int,
    n_critic: int = 1,
) -> int:
    """G steps that cover :func:`schedule_images`: each G step shows D ``n_critic`` real batches."""
    per_step = int(batch_size) * int(n_critic)
    return -(-schedule_images(start_resolution, final_resolution, fade_images, stabilise_images) // per_step)

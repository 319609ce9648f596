"""Exponential moving average of the generator's weights (Yazıcı et al., 2019).

The averaging is PyTorch's ``torch.optim.swa_utils.AveragedModel`` with
``get_ema_multi_avg_fn``: after each update, ema = decay · ema + (1 - decay) · G.
``use_buffers=True`` averages buffers too (BatchNorm running statistics), so
the EMA generator works in eval mode. It is a submodule of GANModule
(``ema_generator``), hence saved in checkpoints, and ``GANModule.generate``
samples from it by default. StyleGAN2 states the average's speed as a half-life
in images (:func:`decay_for_half_life`, ``regularizers.ema.half_life_images``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn


def make_ema_generator(generator: nn.Module, decay: float = 0.999) -> AveragedModel:
    """A frozen copy of ``generator`` that :func:`update_ema` keeps averaged."""
    ema = AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)
    ema.requires_grad_(False)
    ema.decay = float(decay)  # plain attribute, for logs and repr
    return ema


@torch.no_grad()
def update_ema(ema: AveragedModel, generator: nn.Module, g_step: int, start_step: int = 0) -> None:
    """Call after G update number ``g_step`` (1-based).

    Until ``start_step`` the average is reset to a plain copy of G (early weights
    are poor and would linger in the average); from then on it is the EMA.
    """
    if g_step <= start_step:
        ema.n_averaged.zero_()  # AveragedModel copies the weights when n_averaged == 0
    ema.update_parameters(generator)


def decay_for_half_life(batch_size: int, half_life_images: float) -> float:
    """The per-step decay whose weight on old values halves every ``half_life_images`` images:
    ``0.5 ** (batch_size / half_life_images)`` (StyleGAN2's ``ema_kimg``: 10k images at batch 32)."""
    if batch_size < 1 or half_life_images <= 0:
        raise ValueError(f"need batch_size >= 1 and half_life_images > 0, got {batch_size}, {half_life_images}")
    return 0.5 ** (float(batch_size) / float(half_life_images))

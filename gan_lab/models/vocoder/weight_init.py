"""Weight norm over chosen initial weights, for the vocoder generators (HiFi-GAN, MelGAN).

Both reference implementations draw N(0, std) weights *after* wrapping a conv in
``weight_norm`` (HiFi-GAN 0.01, MelGAN 0.02). That init is discarded: the weight is recomputed
from its magnitude and direction before every forward (jik876/hifi-gan#145), so the references
train from PyTorch's default weights. ``init_std=None`` reproduces that; a number applies the
N(0, init_std) init for real, which has to happen *before* ``weight_norm`` to change g and v.
"""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import weight_norm


def weight_norm_with_init(conv: nn.Module, init_std: float | None = None) -> nn.Module:
    """``weight_norm(conv)`` over PyTorch's initial weights (None) or over N(0, ``init_std``) ones."""
    if init_std is not None:
        nn.init.normal_(conv.weight, 0.0, init_std)
    return weight_norm(conv)

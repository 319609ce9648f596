"""Stabilizers that GANModule applies around the adversarial loss.

Each one is a config switch under ``regularizers:`` in ``conf/train.yaml``
(all off by default); see ``docs/model_zoo.md``.
"""

from gan_lab.regularizers.diffaugment import DiffAugment
from gan_lab.regularizers.ema import make_ema_generator, update_ema
from gan_lab.regularizers.instance_noise import InstanceNoise
from gan_lab.regularizers.packing import pack, packed_shape
from gan_lab.regularizers.r1 import R1Penalty, r1_penalty
from gan_lab.regularizers.spectral_norm import apply_spectral_norm

__all__ = [
    "DiffAugment",
    "InstanceNoise",
    "R1Penalty",
    "apply_spectral_norm",
    "make_ema_generator",
    "pack",
    "packed_shape",
    "r1_penalty",
    "update_ema",
]

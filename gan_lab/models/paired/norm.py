"""The normalisation choice shared by the pix2pix networks: ``batch``, ``instance`` or ``none``."""

from __future__ import annotations

from torch import nn

NORMS = ("batch", "instance", "none")


def check_norm(norm: str) -> str:
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {', '.join(NORMS)}; got {norm!r}")
    return norm


def norm_layer(norm: str, channels: int) -> nn.Module:
    """BatchNorm2d, InstanceNorm2d without affine scale or running statistics (as pix2pix and
    CycleGAN use it), or an identity."""
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "instance":
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    return nn.Identity()


def conv_bias(norm: str) -> bool:
    """A bias before BatchNorm is cancelled by its mean subtraction, so those convolutions go without."""
    return norm != "batch"

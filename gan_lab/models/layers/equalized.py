"""Equalized learning rate (Karras et al., 2018, §4.1), hand-written: no library provides it.

Weights are stored as N(0, 1) / ``lr_multiplier`` and multiplied at run time by
``lr_multiplier / sqrt(fan_in)`` (He's constant), so every layer's effective
weights start at the He scale while Adam, which normalises its steps per
parameter, changes all layers at the same relative speed. ``lr_multiplier``
(0.01 in StyleGAN's mapping network) slows a layer down further.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class EqualizedLinear(nn.Module):
    """``y = x @ (w * gain).T + b * lr_multiplier`` with ``gain = lr_multiplier / sqrt(in_features)``."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, bias_init: float = 0.0, lr_multiplier: float = 1.0
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.lr_multiplier = float(lr_multiplier)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / self.lr_multiplier)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init) / self.lr_multiplier)) if bias else None
        self.weight_gain = self.lr_multiplier / math.sqrt(in_features)

    def forward(self, x: Tensor) -> Tensor:
        bias = self.bias * self.lr_multiplier if self.bias is not None else None
        return F.linear(x, self.weight * self.weight_gain, bias)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, lr_multiplier={self.lr_multiplier:g}"


class EqualizedConv2d(nn.Module):
    """A convolution whose weight is scaled by ``1 / sqrt(in_channels * k * k)`` at run time."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, padding: int | None = None, bias: bool = True
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = int(in_channels), int(out_channels), int(kernel_size)
        self.padding = kernel_size // 2 if padding is None else int(padding)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.weight_gain, self.bias, padding=self.padding)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, padding={self.padding}"

"""Modulated and demodulated convolution (Karras et al., 2020, §2.2), in plain PyTorch.

Hand-written: no library provides it. Each sample's style ``s`` scales the input
channels of the weight, w'_{oik} = s_i w_{oik}; demodulation then rescales every
output channel to unit norm, w''_{oik} = w'_{oik} / sqrt(sum_{ik} w'^2_{oik} + eps),
so unit-variance inputs give unit-variance outputs whatever the style. Only
``F.conv2d`` is used, which every device supports (NVIDIA's version needs custom
CUDA kernels for its filters and gradients; see docs/stylegan2.md).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.models.layers import EqualizedLinear


def modulated_conv2d(x: Tensor, weight: Tensor, styles: Tensor, demodulate: bool = True, eps: float = 1e-8) -> Tensor:
    """``x [N, I, H, W]``, ``weight [O, I, k, k]`` (already scaled), ``styles [N, I]`` ->
    ``[N, O, H, W]`` ('same' padding).

    Computed as NVIDIA's non-fused path: scale the input channels by the styles, one
    ordinary convolution with the shared weight, scale the output channels by the
    demodulation coefficients 1/sqrt(sum_{ik} (s_i w_oik)² + eps). This equals the
    convolution with per-sample weights (tested) and is much faster on CPUs than a
    grouped convolution with one group per sample.
    """
    out = F.conv2d(x * styles.unsqueeze(-1).unsqueeze(-1), weight, padding=weight.shape[-1] // 2)
    if demodulate:
        coefficients = (styles.square() @ weight.square().sum(dim=(2, 3)).t() + eps).rsqrt()  # [N, O]
        out = out * coefficients.unsqueeze(-1).unsqueeze(-1)
    return out


class ModulatedConv2d(nn.Module):
    """A style-modulated convolution with its affine style layer (w -> s, bias 1 at init).

    ``up=True`` doubles the resolution first (bilinear, i.e. the separable [1, 3, 3, 1]
    filter, where NVIDIA uses a transposed convolution followed by that filter).
    ``demodulate=False`` is the toRGB layer.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        w_dim: int,
        demodulate: bool = True,
        up: bool = False,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = int(in_channels), int(out_channels), int(kernel_size)
        self.demodulate, self.up = bool(demodulate), bool(up)
        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)  # equalized learning rate

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        styles = self.affine(w)
        if self.up:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        if not self.demodulate:  # toRGB: NVIDIA scales the styles instead of the weight; same product
            return modulated_conv2d(x, self.weight * self.weight_gain, styles, demodulate=False)
        return modulated_conv2d(x, self.weight, styles, demodulate=True)  # demodulation cancels the gain

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"demodulate={self.demodulate}, up={self.up}"
        )

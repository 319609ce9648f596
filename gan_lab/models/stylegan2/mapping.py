"""StyleGAN's mapping network z -> w (Karras et al., 2019, §2; 2020, appendix B).

z is normalised to unit second moment, then goes through ``num_layers`` equalized
fully connected layers with leaky ReLU (learning-rate multiplier 0.01, so the
mapping moves slowly). In training mode the network tracks the mean of w
(``w_avg``, decay 0.995) for the truncation trick: w' = w_avg + ψ (w - w_avg).
The output is broadcast to the ``num_ws`` style inputs of the synthesis network.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.models.layers import EqualizedLinear, PixelNorm

LRELU_GAIN = math.sqrt(2.0)  # keeps the activations' magnitude through leaky ReLU (He)


class MappingNetwork(nn.Module):
    """Args: z_dim, w_dim, num_ws (style inputs of the synthesis network), num_layers
    (8 in StyleGAN2, 2 in the ``cifar``/``auto`` configs of stylegan2-ada), lr_multiplier,
    w_avg_beta (decay of the tracked mean of w)."""

    def __init__(
        self,
        z_dim: int,
        w_dim: int,
        num_ws: int,
        num_layers: int = 8,
        lr_multiplier: float = 0.01,
        w_avg_beta: float = 0.995,
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"the mapping network needs >= 1 layer, got {num_layers}")
        self.z_dim, self.w_dim, self.num_ws = int(z_dim), int(w_dim), int(num_ws)
        self.w_avg_beta = float(w_avg_beta)
        self.normalize = PixelNorm()
        dims = [self.z_dim] + [self.w_dim] * num_layers
        self.layers = nn.ModuleList(
            EqualizedLinear(dims[i], dims[i + 1], lr_multiplier=lr_multiplier) for i in range(num_layers)
        )
        self.register_buffer("w_avg", torch.zeros(self.w_dim))

    def forward(
        self, z: Tensor, truncation_psi: float = 1.0, truncation_cutoff: int | None = None, update_w_avg: bool = True
    ) -> Tensor:
        """``[N, z_dim]`` -> ``[N, num_ws, w_dim]``. ``w_avg`` moves only in training mode;
        truncation applies to the first ``truncation_cutoff`` style inputs (all when None)."""
        x = self.normalize(z)
        for layer in self.layers:
            x = F.leaky_relu(layer(x), 0.2) * LRELU_GAIN
        if update_w_avg and self.training:
            with torch.no_grad():
                self.w_avg.copy_(x.detach().float().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))  # fp32 under autocast
        ws = x.unsqueeze(1).repeat(1, self.num_ws, 1)
        if truncation_psi != 1.0:
            cutoff = self.num_ws if truncation_cutoff is None else int(truncation_cutoff)
            ws[:, :cutoff] = self.w_avg.to(ws.dtype).lerp(ws[:, :cutoff], truncation_psi)
        return ws

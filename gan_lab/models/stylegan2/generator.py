"""The StyleGAN2 generator: mapping network z -> w, then synthesis w -> image.

It fits the noise -> image family's interface (``latent_dim``, ``forward(z)``), so
training, sampling and the metrics use it like any generator; the truncation trick,
style mixing and W-space metrics use :meth:`mapping` and :meth:`synthesis`. Outputs
are not squashed (no tanh), as in the paper; the metrics clamp to [-1, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.stylegan2.mapping import MappingNetwork
from gan_lab.models.stylegan2.synthesis import SynthesisNetwork, block_resolutions


def check_image_shape(data_shape: Sequence[int]) -> tuple[int, int]:
    """``(channels, size)`` of a square power-of-two image shape, else a config error."""
    shape = tuple(int(s) for s in data_shape)
    try:
        if len(shape) != 3 or shape[1] != shape[2]:
            raise ValueError
        block_resolutions(shape[1])
    except ValueError:
        raise IncompatibleConfigError(
            f"model=stylegan2 needs square images whose size is a power of two >= 4 (e.g. 32, 64, 256); "
            f"this dataset gives shape {list(shape)}: set dataset.image_size (e.g. dataset.image_size=32)"
        ) from None
    return shape[0], shape[1]


class StyleGAN2Generator(nn.Module):
    """Args: latent_dim (z), data_shape (C, H, W), w_dim, mapping_layers, mapping_lr_multiplier,
    channel_base, channel_max (see :mod:`synthesis`), w_avg_beta."""

    def __init__(
        self,
        latent_dim: int,
        data_shape: Sequence[int],
        w_dim: int = 512,
        mapping_layers: int = 8,
        mapping_lr_multiplier: float = 0.01,
        channel_base: int = 32768,
        channel_max: int = 512,
        w_avg_beta: float = 0.995,
    ) -> None:
        super().__init__()
        channels, size = check_image_shape(data_shape)
        self.latent_dim, self.w_dim = int(latent_dim), int(w_dim)
        self.data_shape = (channels, size, size)
        self.synthesis_network = SynthesisNetwork(w_dim, size, channels, channel_base, channel_max)
        self.num_ws = self.synthesis_network.num_ws
        self.mapping_network = MappingNetwork(
            latent_dim, w_dim, self.num_ws, mapping_layers, mapping_lr_multiplier, w_avg_beta
        )

    def mapping(
        self, z: Tensor, truncation_psi: float = 1.0, truncation_cutoff: int | None = None, update_w_avg: bool = True
    ) -> Tensor:
        """``z [N, latent_dim]`` -> ``ws [N, num_ws, w_dim]`` (truncated towards ``w_avg`` when ψ != 1)."""
        return self.mapping_network(z, truncation_psi, truncation_cutoff, update_w_avg)

    def synthesis(self, ws: Tensor, noise_mode: str = "random") -> Tensor:
        """``ws [N, num_ws, w_dim]`` (or ``[N, w_dim]``, broadcast) -> images ``[N, C, H, W]``."""
        if ws.dim() == 2:
            ws = ws.unsqueeze(1).repeat(1, self.num_ws, 1)
        return self.synthesis_network(ws, noise_mode)

    def forward(
        self,
        z: Tensor,
        labels: Tensor | None = None,
        truncation_psi: float = 1.0,
        truncation_cutoff: int | None = None,
        noise_mode: str = "random",
    ) -> Tensor:
        return self.synthesis(self.mapping(z, truncation_psi, truncation_cutoff), noise_mode)

"""Fully connected G and D for 2D points and flattened images."""

from __future__ import annotations

import math
from collections.abc import Sequence

from torch import Tensor, nn


def _hidden_stack(in_dim: int, hidden_dims: Sequence[int], activation: nn.Module, batch_norm: bool) -> tuple[nn.Sequential, int]:
    layers: list[nn.Module] = []
    for width in hidden_dims:
        layers.append(nn.Linear(in_dim, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(activation)
        in_dim = width
    return nn.Sequential(*layers), in_dim


class MLPGenerator(nn.Module):
    """z -> hidden layers (Linear[-BatchNorm]-ReLU) -> data, reshaped to ``data_shape``.

    ``output_activation='tanh'`` suits images in [-1, 1]; 2D points use ``'none'``.
    """

    def __init__(
        self,
        latent_dim: int,
        data_shape: Sequence[int],
        hidden_dims: Sequence[int] = (256, 256),
        batch_norm: bool = True,
        output_activation: str = "auto",
    ) -> None:
        super().__init__()
        self.latent_dim = int(latent_dim)
        self.data_shape = tuple(int(s) for s in data_shape)
        if output_activation == "auto":
            output_activation = "tanh" if len(self.data_shape) == 3 else "none"
        if output_activation not in ("tanh", "none"):
            raise ValueError(f"output_activation must be 'tanh', 'none' or 'auto', got {output_activation!r}")
        body, width = _hidden_stack(self.latent_dim, hidden_dims, nn.ReLU(inplace=True), batch_norm)
        head: list[nn.Module] = [nn.Linear(width, math.prod(self.data_shape))]
        if output_activation == "tanh":
            head.append(nn.Tanh())
        self.net = nn.Sequential(body, *head)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z).view(z.shape[0], *self.data_shape)


class MLPDiscriminator(nn.Module):
    """data (flattened) -> hidden layers (Linear-LeakyReLU(0.2)) -> one logit per sample."""

    def __init__(self, data_shape: Sequence[int], hidden_dims: Sequence[int] = (256, 256)) -> None:
        super().__init__()
        self.data_shape = tuple(int(s) for s in data_shape)
        body, width = _hidden_stack(math.prod(self.data_shape), hidden_dims, nn.LeakyReLU(0.2, inplace=True), False)
        self.net = nn.Sequential(nn.Flatten(), body, nn.Linear(width, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(1)

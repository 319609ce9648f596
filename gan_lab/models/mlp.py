"""Fully connected G and D for 2D points and flattened images.

Conditional (``num_classes`` set): G's BatchNorms become class-conditional (so
a conditional MLP G needs ``batch_norm=true``) and D adds the projection term
of cGAN-PD on its last hidden layer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.conditional_batchnorm import batch_norm, run_layers
from gan_lab.models.projection import check_num_classes, class_embedding, projection

# Hidden-layer activations by name (the unrolled GAN's 2D setting uses tanh in G and D).
ACTIVATIONS = {
    "relu": lambda: nn.ReLU(inplace=True),
    "leaky_relu": lambda: nn.LeakyReLU(0.2, inplace=True),
    "tanh": nn.Tanh,
}


def hidden_activation_module(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise IncompatibleConfigError(f"hidden_activation={name!r}: choose from {list(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


def _hidden_stack(
    in_dim: int, hidden_dims: Sequence[int], activation: nn.Module, use_bn: bool, num_classes: int | None = None
) -> tuple[nn.Sequential, int]:
    layers: list[nn.Module] = []
    for width in hidden_dims:
        layers.append(nn.Linear(in_dim, width))
        if use_bn:
            layers.append(batch_norm(width, num_classes, dims=1))
        layers.append(activation)
        in_dim = width
    return nn.Sequential(*layers), in_dim


class MLPGenerator(nn.Module):
    """z -> hidden layers (Linear[-BatchNorm]-ReLU) -> data, reshaped to ``data_shape``.

    ``output_activation='tanh'`` suits images in [-1, 1]; 2D points use ``'none'``.
    ``hidden_activation``: ``relu`` (default), ``leaky_relu`` (slope 0.2) or ``tanh``.
    """

    def __init__(
        self,
        latent_dim: int,
        data_shape: Sequence[int],
        hidden_dims: Sequence[int] = (256, 256),
        batch_norm: bool = True,
        output_activation: str = "auto",
        num_classes: int | None = None,
        hidden_activation: str = "relu",
    ) -> None:
        super().__init__()
        self.latent_dim = int(latent_dim)
        self.num_classes = check_num_classes(num_classes)
        if self.num_classes is not None and not batch_norm:
            raise IncompatibleConfigError(
                "a conditional MLP generator takes its labels through conditional BatchNorm: "
                "set model.generator.batch_norm=true (or model.conditional=false)"
            )
        self.data_shape = tuple(int(s) for s in data_shape)
        if output_activation == "auto":
            output_activation = "tanh" if len(self.data_shape) == 3 else "none"
        if output_activation not in ("tanh", "none"):
            raise ValueError(f"output_activation must be 'tanh', 'none' or 'auto', got {output_activation!r}")
        activation = hidden_activation_module(hidden_activation)
        body, width = _hidden_stack(self.latent_dim, hidden_dims, activation, batch_norm, self.num_classes)
        head: list[nn.Module] = [nn.Linear(width, math.prod(self.data_shape))]
        if output_activation == "tanh":
            head.append(nn.Tanh())
        self.net = nn.Sequential(body, *head)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        body, *head = self.net
        out = run_layers(body, z, labels)
        for layer in head:
            out = layer(out)
        return out.view(z.shape[0], *self.data_shape)


class MLPDiscriminator(nn.Module):
    """data (flattened) -> hidden layers (Linear-LeakyReLU(0.2)) -> one logit per sample.

    ``data_shape`` may be m times a sample's size when packing (PacGAN). ``hidden_activation``:
    ``leaky_relu`` (slope 0.2, default), ``relu`` or ``tanh``."""

    def __init__(
        self,
        data_shape: Sequence[int],
        hidden_dims: Sequence[int] = (256, 256),
        num_classes: int | None = None,
        hidden_activation: str = "leaky_relu",
    ) -> None:
        super().__init__()
        self.data_shape = tuple(int(s) for s in data_shape)
        self.num_classes = check_num_classes(num_classes)
        body, width = _hidden_stack(
            math.prod(self.data_shape), hidden_dims, hidden_activation_module(hidden_activation), False
        )
        self.net = nn.Sequential(nn.Flatten(), body, nn.Linear(width, 1))
        self.embed = class_embedding(self.num_classes, width)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        if self.embed is None:
            return self.net(x).squeeze(1)
        features = self.net[:-1](x)
        return self.net[-1](features).squeeze(1) + projection(self.embed, features, labels)

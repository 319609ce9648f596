"""Conditional batch normalisation (de Vries et al., 2017; Dumoulin et al., 2017),
as used in the generators of cGAN-PD (Miyato & Koyama, 2018) and BigGAN.

Hand-written (PyTorch has no class-conditional BatchNorm): normalise without
affine parameters, then scale and shift with a per-class gain and bias looked
up from embeddings (gain initialised to 1, bias to 0, so training starts as
plain BatchNorm).
"""

from __future__ import annotations

from torch import Tensor, nn


class ConditionalBatchNorm(nn.Module):
    """BatchNorm over ``num_features`` channels of ``[N, C]`` or ``[N, C, ...]`` inputs,
    with class-dependent affine parameters. ``forward(x, labels)``, labels int ``[N]``."""

    def __init__(self, num_features: int, num_classes: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features, self.num_classes = int(num_features), int(num_classes)
        # BatchNorm1d and BatchNorm2d run the same kernel; 1d accepts [N, C] and [N, C, L],
        # so normalise any input as [N, C, L] with L = product of the spatial sizes.
        self.bn = nn.BatchNorm1d(num_features, eps=eps, momentum=momentum, affine=False)
        self.gain = nn.Embedding(num_classes, num_features)
        self.bias = nn.Embedding(num_classes, num_features)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        shape = x.shape
        out = self.bn(x.reshape(shape[0], shape[1], -1)).reshape(shape)
        extra = (1,) * (x.dim() - 2)
        gain = self.gain(labels).view(shape[0], shape[1], *extra)
        bias = self.bias(labels).view(shape[0], shape[1], *extra)
        return out * gain + bias


def batch_norm(num_features: int, num_classes: int | None, dims: int = 2) -> nn.Module:
    """Plain BatchNorm (1d or 2d) when ``num_classes`` is None, else :class:`ConditionalBatchNorm`."""
    if num_classes is None:
        return nn.BatchNorm2d(num_features) if dims == 2 else nn.BatchNorm1d(num_features)
    return ConditionalBatchNorm(num_features, num_classes)


def run_layers(layers: nn.Sequential, x: Tensor, labels: Tensor | None) -> Tensor:
    """Run a Sequential, passing ``labels`` to its conditional layers."""
    for layer in layers:
        x = layer(x, labels) if isinstance(layer, ConditionalBatchNorm) else layer(x)
    return x

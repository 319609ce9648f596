"""The weight initialisation of pix2pix and DCGAN: N(0, std) for convolution and linear
weights, N(1, std) for normalisation scales, zero biases (std 0.02 in both papers).

Hand-written because torch.nn.init has the distributions but not this per-layer-type rule.
"""

from __future__ import annotations

from torch import nn

_WEIGHT_LAYERS = (
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.ConvTranspose1d,
    nn.ConvTranspose2d,
    nn.ConvTranspose3d,
    nn.Linear,
)
_NORM_LAYERS = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.SyncBatchNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
    nn.GroupNorm,
    nn.LayerNorm,
)


def init_normal_(module: nn.Module, std: float = 0.02) -> nn.Module:
    """Re-initialise every conv/linear/norm layer inside ``module`` in place; returns ``module``."""
    for layer in module.modules():
        if isinstance(layer, _WEIGHT_LAYERS):
            nn.init.normal_(layer.weight, 0.0, std)
        elif isinstance(layer, _NORM_LAYERS):
            if getattr(layer, "weight", None) is not None:
                nn.init.normal_(layer.weight, 1.0, std)
        else:
            continue
        if getattr(layer, "bias", None) is not None:
            nn.init.zeros_(layer.bias)
    return module

"""Spectral normalisation (Miyato et al., 2018) of every weight layer of a module.

The normalisation itself is PyTorch's
``torch.nn.utils.parametrizations.spectral_norm`` (one power iteration per
training-mode forward pass); this helper only walks the module tree.
"""

from __future__ import annotations

from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

# Layers whose ``weight`` is a linear map. ConvTranspose layers keep their output
# channels on dim 1, which PyTorch's spectral_norm picks by itself.
WEIGHT_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


def apply_spectral_norm(module: nn.Module, include_embeddings: bool = True, n_power_iterations: int = 1) -> nn.Module:
    """Parametrize the ``weight`` of every Linear/Conv (and Embedding) layer of ``module`` in place.

    Embeddings are included by default because the projection discriminator's
    class embedding is normalised too in SNGAN-projection. Layers that already
    carry a parametrization on ``weight`` are left alone, so calling this twice
    is harmless. Returns ``module``.
    """
    kinds = WEIGHT_LAYERS + ((nn.Embedding,) if include_embeddings else ())
    for layer in list(module.modules()):
        if isinstance(layer, kinds) and not parametrize.is_parametrized(layer, "weight"):
            spectral_norm(layer, n_power_iterations=n_power_iterations)
    return module


def is_spectrally_normalized(layer: nn.Module) -> bool:
    return parametrize.is_parametrized(layer, "weight") and any(
        type(p).__name__ == "_SpectralNorm" for p in layer.parametrizations["weight"]
    )

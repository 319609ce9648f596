"""The caption-conditioned generator: text encoder -> conditioning augmentation -> DCGAN G on ``[z, c]``
(GAN-CLS feeds the concatenation of z and the projected text to a DCGAN G the same way)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from gan_lab.errors import GanLabError
from gan_lab.models.dcgan import DCGANGenerator
from gan_lab.models.text_to_image.conditioning_augmentation import ConditioningAugmentation


class TextConditionedGenerator(nn.Module):
    """Args: latent_dim (z); data_shape (C, H, W); text_encoder (token ids -> ``[N, output_dim]``);
    condition_dim (c); width (the DCGAN G's). ``forward(z, tokens)`` -> images in [-1, 1]."""

    num_classes = None  # conditioned on text, not on class labels

    def __init__(
        self,
        latent_dim: int,
        data_shape: Sequence[int],
        text_encoder: nn.Module,
        condition_dim: int = 128,
        width: int = 32,
    ) -> None:
        super().__init__()
        self.latent_dim = int(latent_dim)
        self.text_encoder = text_encoder
        self.augmentation = ConditioningAugmentation(text_encoder.output_dim, condition_dim)
        self.image = DCGANGenerator(self.latent_dim + int(condition_dim), data_shape, width)

    def embed(self, tokens: Tensor) -> Tensor:
        """Sentence embeddings ``[N, text_encoder.output_dim]`` of token ids ``[N, L]``."""
        return self.text_encoder(tokens)

    def condition(self, embedding: Tensor, noise: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """``(c, mu, logvar)`` of the conditioning augmentation."""
        return self.augmentation(embedding, noise)

    def from_condition(self, z: Tensor, c: Tensor) -> Tensor:
        return self.image(torch.cat([z, c], dim=1))

    def forward(self, z: Tensor, tokens: Tensor | None = None, embedding: Tensor | None = None) -> Tensor:
        if embedding is None:
            if tokens is None or tokens.dtype != torch.long:
                raise GanLabError(
                    "this is a text -> image generator: it needs captions (token ids), not only noise or class "
                    'labels; sample it with prompt="..." (python -m gan_lab.sample)'
                )
            embedding = self.embed(tokens)
        c, _, _ = self.condition(embedding)
        return self.from_condition(z, c)

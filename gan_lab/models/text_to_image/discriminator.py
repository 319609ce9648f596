"""The matching-aware discriminator of GAN-CLS (Reed et al., 2016, §4.1): it judges (image, caption)
pairs, so it can call a real image with the wrong caption fake. DCGAN convolutions down to a small
map, then the caption joins in one of two ways:

- ``concat`` (GAN-CLS): the projected sentence embedding, replicated over the map and concatenated
  with it, a 1x1 conv, then a logit;
- ``projection`` (cGAN-PD, Miyato & Koyama, 2018, with a sentence embedding in place of the class
  embedding): ``psi(phi(x)) + <W e, phi(x)>`` on the flattened features.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.dcgan import DCGANDiscriminator

CONDITIONINGS = ("concat", "projection")


class MatchingAwareDiscriminator(nn.Module):
    """Args: data_shape; text_encoder (its own, trained by D's loss unless frozen); width and norm (the
    DCGAN D's); text_dim (the text projection of ``concat``, 128 in GAN-CLS); conditioning: ``concat`` or
    ``projection``. ``forward(x, embedding)`` -> ``[N]`` logits, where ``embedding = self.embed(tokens)``
    (or a mix of embeddings, for GAN-INT)."""

    num_classes = None

    def __init__(
        self,
        data_shape: Sequence[int],
        text_encoder: nn.Module,
        width: int = 32,
        norm: str = "none",
        text_dim: int = 128,
        conditioning: str = "concat",
    ) -> None:
        super().__init__()
        if conditioning not in CONDITIONINGS:
            raise IncompatibleConfigError(
                f"model.discriminator.conditioning must be one of {CONDITIONINGS}, got {conditioning!r}"
            )
        self.conditioning = conditioning
        self.text_encoder = text_encoder
        self.features = DCGANDiscriminator(data_shape, width, norm).features  # the DCGAN D without its head
        with torch.no_grad():
            channels, height, width_out = self.features(torch.zeros(1, *data_shape)).shape[1:]
        self.map_size = (int(height), int(width_out))
        flat = int(channels) * int(height) * int(width_out)
        if conditioning == "projection":
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(flat, 1))
            self.project_text = nn.Linear(text_encoder.output_dim, flat)
            return
        self.project_text = nn.Sequential(nn.Linear(text_encoder.output_dim, int(text_dim)), nn.LeakyReLU(0.2))
        self.joint = nn.Sequential(
            nn.Conv2d(int(channels) + int(text_dim), int(channels), 1),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(int(channels) * int(height) * int(width_out), 1),
        )

    def embed(self, tokens: Tensor) -> Tensor:
        return self.text_encoder(tokens)

    def forward(self, x: Tensor, embedding: Tensor) -> Tensor:
        features = self.features(x)
        if self.conditioning == "projection":
            flat = features.flatten(start_dim=1)
            return self.head(flat).squeeze(1) + (self.project_text(embedding) * flat).sum(dim=1)
        text = self.project_text(embedding)[:, :, None, None].expand(-1, -1, *features.shape[-2:])
        return self.joint(torch.cat([features, text], dim=1)).squeeze(1)

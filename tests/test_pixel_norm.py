"""Pixelwise feature normalisation: unit RMS over channels at every pixel."""

from __future__ import annotations

import torch

from gan_lab.models.layers import PixelNorm


def test_unit_rms_per_pixel():
    x = torch.randn(2, 8, 4, 4) * 7
    y = PixelNorm()(x)
    assert torch.allclose(y.pow(2).mean(dim=1), torch.ones(2, 4, 4), atol=1e-4)


def test_by_hand_on_a_latent_vector():
    y = PixelNorm()(torch.tensor([[3.0, 4.0]]))  # rms = sqrt(12.5)
    assert torch.allclose(y, torch.tensor([[3.0, 4.0]]) / 12.5**0.5, atol=1e-6)

"""Layers shared by the progressive-growing and StyleGAN families (Karras et al.)."""

from gan_lab.models.layers.equalized import EqualizedConv2d, EqualizedLinear
from gan_lab.models.layers.minibatch_std import MinibatchStdDev
from gan_lab.models.layers.pixel_norm import PixelNorm

__all__ = ["EqualizedConv2d", "EqualizedLinear", "MinibatchStdDev", "PixelNorm"]

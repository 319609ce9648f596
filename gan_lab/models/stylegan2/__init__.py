"""StyleGAN2 (Karras et al., 2020) in plain PyTorch: no custom CUDA ops, runs on CPU and any GPU.

One concept per file: the mapping network z -> w (:mod:`mapping`), the modulated and
demodulated convolution (:mod:`modulated_conv`), the skip-architecture synthesis
network w -> image (:mod:`synthesis`), the generator that joins them
(:mod:`generator`) and the residual discriminator (:mod:`discriminator`).
"""

from gan_lab.models.stylegan2.discriminator import StyleGAN2Discriminator
from gan_lab.models.stylegan2.generator import StyleGAN2Generator
from gan_lab.models.stylegan2.mapping import MappingNetwork
from gan_lab.models.stylegan2.modulated_conv import ModulatedConv2d, modulated_conv2d
from gan_lab.models.stylegan2.synthesis import SynthesisNetwork

__all__ = [
    "MappingNetwork",
    "ModulatedConv2d",
    "StyleGAN2Discriminator",
    "StyleGAN2Generator",
    "SynthesisNetwork",
    "modulated_conv2d",
]

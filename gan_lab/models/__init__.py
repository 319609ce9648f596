"""Generators and discriminators. ``conf/model/<name>.yaml`` instantiates a pair; the paired
image -> image networks are in :mod:`gan_lab.models.paired` (``conf/model/paired/``)."""

from gan_lab.models import paired
from gan_lab.models.conditional_batchnorm import ConditionalBatchNorm
from gan_lab.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gan_lab.models.mlp import MLPDiscriminator, MLPGenerator
from gan_lab.models.resnet import ResNetDiscriminator, ResNetGenerator
from gan_lab.models.stylegan2 import StyleGAN2Discriminator, StyleGAN2Generator

__all__ = [
    "paired",
    "ConditionalBatchNorm",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "ResNetDiscriminator",
    "ResNetGenerator",
    "StyleGAN2Discriminator",
    "StyleGAN2Generator",
]

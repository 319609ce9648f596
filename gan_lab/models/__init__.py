"""Generators and discriminators. ``conf/model/<name>.yaml`` instantiates a pair."""

from gan_lab.models.conditional_batchnorm import ConditionalBatchNorm
from gan_lab.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gan_lab.models.mlp import MLPDiscriminator, MLPGenerator
from gan_lab.models.resnet import ResNetDiscriminator, ResNetGenerator

__all__ = [
    "ConditionalBatchNorm",
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "ResNetDiscriminator",
    "ResNetGenerator",
]

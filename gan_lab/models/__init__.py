"""Generators and discriminators. ``conf/model/<name>.yaml`` instantiates a pair."""

from gan_lab.models.dcgan import DCGANDiscriminator, DCGANGenerator
from gan_lab.models.mlp import MLPDiscriminator, MLPGenerator

__all__ = ["DCGANDiscriminator", "DCGANGenerator", "MLPDiscriminator", "MLPGenerator"]

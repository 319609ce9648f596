"""gan_lab: GAN experiments on PyTorch Lightning + Hydra."""

from gan_lab.utils.resolvers import register_resolvers

register_resolvers()

__version__ = "0.1.0"

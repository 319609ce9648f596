"""Progressive growing of GANs (Karras et al., 2018): networks that grow from 4x4 to the
dataset's resolution; :class:`gan_lab.tasks.ProgressiveGrowing` drives their stage."""

from gan_lab.models.progressive.discriminator import ProgressiveDiscriminator
from gan_lab.models.progressive.generator import ProgressiveGenerator

__all__ = ["ProgressiveDiscriminator", "ProgressiveGenerator"]

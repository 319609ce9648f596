"""Task families: the adversarial loop written once (:mod:`gan_lab.tasks.adversarial`)
and the families built on it. ``conf/task/<name>.yaml`` picks one."""

from gan_lab.tasks.adversarial import AdversarialModule
from gan_lab.tasks.noise_to_image import NoiseToImage
from gan_lab.tasks.paired import PairedImageToImage
from gan_lab.tasks.progressive import ProgressiveGrowing
from gan_lab.tasks.stylegan2 import StyleGAN2
from gan_lab.tasks.text_to_image import TextToImage
from gan_lab.tasks.unpaired import UnpairedImageToImage
from gan_lab.tasks.vocoder import Vocoder

__all__ = [
    "AdversarialModule",
    "NoiseToImage",
    "PairedImageToImage",
    "ProgressiveGrowing",
    "StyleGAN2",
    "TextToImage",
    "UnpairedImageToImage",
    "Vocoder",
]

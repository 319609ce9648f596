"""Networks of the text -> image family (GAN-CLS, Reed et al., 2016, with StackGAN's conditioning
augmentation, Zhang et al., 2017): a text encoder, conditioning augmentation, a caption-conditioned
DCGAN generator and a matching-aware discriminator."""

from gan_lab.models.text_to_image.conditioning_augmentation import ConditioningAugmentation, kl_to_standard_normal
from gan_lab.models.text_to_image.discriminator import MatchingAwareDiscriminator
from gan_lab.models.text_to_image.generator import TextConditionedGenerator
from gan_lab.models.text_to_image.text_encoder import FrozenTextEncoder, TextEncoder, build_text_encoder

__all__ = [
    "ConditioningAugmentation",
    "FrozenTextEncoder",
    "MatchingAwareDiscriminator",
    "TextConditionedGenerator",
    "TextEncoder",
    "build_text_encoder",
    "kl_to_standard_normal",
]

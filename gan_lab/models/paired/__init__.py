"""Networks of paired image-to-image training: pix2pix (U-Net G, PatchGAN D), super-resolution
(SRResNet G, VGG-style D, VGG perceptual loss) and inpainting (U-Net G and PatchGAN D on image + mask).
``conf/model/paired/<name>.yaml`` instantiates a pair."""

from gan_lab.models.paired.init import init_normal_
from gan_lab.models.paired.patchgan import PatchGANDiscriminator, receptive_field
from gan_lab.models.paired.perceptual import PerceptualWeightsError, VGGPerceptualLoss
from gan_lab.models.paired.srresnet import SRResNetGenerator
from gan_lab.models.paired.unet import UNetGenerator, check_unet_size
from gan_lab.models.paired.vgg_discriminator import VGGStyleDiscriminator

__all__ = [
    "PatchGANDiscriminator",
    "PerceptualWeightsError",
    "SRResNetGenerator",
    "UNetGenerator",
    "VGGPerceptualLoss",
    "VGGStyleDiscriminator",
    "check_unet_size",
    "init_normal_",
    "receptive_field",
]

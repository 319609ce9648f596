"""Networks of unpaired image-to-image training (CycleGAN): the ResNet generator and the
builders of the generator and discriminator pairs. ``conf/model/unpaired/cyclegan.yaml`` uses them."""

from gan_lab.models.unpaired.cyclegan import discriminator_pair, generator_pair
from gan_lab.models.unpaired.resnet_generator import ResidualBlock, ResnetGenerator, check_resnet_size

__all__ = ["ResidualBlock", "ResnetGenerator", "check_resnet_size", "discriminator_pair", "generator_pair"]

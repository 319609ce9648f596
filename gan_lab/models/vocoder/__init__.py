"""GAN vocoder networks: HiFi-GAN and MelGAN generators, multi-period and multi-scale discriminators."""

from gan_lab.models.vocoder.discriminators import (
    CombinedDiscriminator,
    MelGANMultiScaleDiscriminator,
    MultiPeriodDiscriminator,
    MultiScaleDiscriminator,
    NLayerDiscriminator,
    PeriodDiscriminator,
    ScaleDiscriminator,
    fold_by_period,
)
from gan_lab.models.vocoder.hifigan import HiFiGANGenerator
from gan_lab.models.vocoder.melgan import MelGANGenerator

__all__ = [
    "CombinedDiscriminator",
    "HiFiGANGenerator",
    "MelGANGenerator",
    "MelGANMultiScaleDiscriminator",
    "MultiPeriodDiscriminator",
    "MultiScaleDiscriminator",
    "NLayerDiscriminator",
    "PeriodDiscriminator",
    "ScaleDiscriminator",
    "fold_by_period",
]

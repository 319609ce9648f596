"""The four networks of CycleGAN, as the two containers the adversarial loop optimises.

``generator_pair`` returns ``nn.ModuleDict({"a_to_b": G_AB, "b_to_a": G_BA})`` (ResNet generators)
and ``discriminator_pair`` returns ``nn.ModuleDict({"b": D_B, "a": D_A})`` (PatchGANs; ``D_B``
judges domain B, i.e. ``G_AB``'s outputs). One optimizer spans each container, as in the
authors' code, so the two-optimizer loop stays as it is.
"""

from __future__ import annotations

from torch import nn

from gan_lab.models.paired.patchgan import PatchGANDiscriminator
from gan_lab.models.unpaired.resnet_generator import ResnetGenerator


def generator_pair(
    channels_a: int,
    channels_b: int,
    width: int = 64,
    num_blocks: int = 9,
    upsample: str = "transposed",
    norm: str = "instance",
    dropout: float = 0.0,
    init_std: float | None = 0.02,
) -> nn.ModuleDict:
    """G_AB (``channels_a`` -> ``channels_b``) and G_BA (the reverse), both with these settings."""
    settings = {
        "width": width,
        "num_blocks": num_blocks,
        "upsample": upsample,
        "norm": norm,
        "dropout": dropout,
        "init_std": init_std,
    }
    return nn.ModuleDict(
        {
            "a_to_b": ResnetGenerator(int(channels_a), int(channels_b), **settings),
            "b_to_a": ResnetGenerator(int(channels_b), int(channels_a), **settings),
        }
    )


def discriminator_pair(
    channels_a: int,
    channels_b: int,
    width: int = 64,
    n_layers: int = 3,
    norm: str = "instance",
    init_std: float | None = 0.02,
) -> nn.ModuleDict:
    """D_B (judges B images) and D_A (judges A images), unconditional PatchGANs."""
    settings = {"width": width, "n_layers": n_layers, "norm": norm, "init_std": init_std}
    return nn.ModuleDict(
        {
            "b": PatchGANDiscriminator(int(channels_b), **settings),
            "a": PatchGANDiscriminator(int(channels_a), **settings),
        }
    )

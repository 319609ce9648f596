"""Feature matching between D's intermediate activations on real and generated inputs.

One term for both GAN vocoders (``../shared/reference/variants.md`` §2.9), switched by settings:

=================================  ==================  ===============================
setting                            HiFi-GAN            MelGAN
=================================  ==================  ===============================
weight (the task's)                2                   10
``layer_weight``                   1                   4 / (n_layers + 1) = 0.8
``average_over_discriminators``    false (sum)         true (x 1 / num_D)
``include_logits``                 true                false
=================================  ==================  ===============================

Each layer contributes the mean absolute difference of its activations (real side detached).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor

# One sub-discriminator's output: (logits, intermediate feature maps)
DiscriminatorOutput = tuple[Tensor, Sequence[Tensor]]


def feature_matching_loss(
    real_outputs: Sequence[DiscriminatorOutput],
    fake_outputs: Sequence[DiscriminatorOutput],
    layer_weight: float = 1.0,
    average_over_discriminators: bool = False,
    include_logits: bool = False,
) -> Tensor:
    """``sum_d w_d sum_l layer_weight * mean|D_d,l(real) - D_d,l(fake)|`` with ``w_d = 1 / num_D``
    when ``average_over_discriminators``, else 1. ``include_logits`` adds each D's final output
    as one more layer (HiFi-GAN's feature lists end with it)."""
    if len(real_outputs) != len(fake_outputs) or not real_outputs:
        raise ValueError(
            f"need one output per sub-discriminator on both sides, got {len(real_outputs)} and {len(fake_outputs)}"
        )
    per_discriminator = 1.0 / len(real_outputs) if average_over_discriminators else 1.0
    total: Tensor | float = 0.0
    for (real_logits, real_features), (fake_logits, fake_features) in zip(real_outputs, fake_outputs, strict=True):
        real_layers, fake_layers = list(real_features), list(fake_features)
        if include_logits:
            real_layers.append(real_logits)
            fake_layers.append(fake_logits)
        for real, fake in zip(real_layers, fake_layers, strict=True):
            total = total + per_discriminator * layer_weight * F.l1_loss(fake, real.detach())
    return total  # type: ignore[return-value]

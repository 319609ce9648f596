"""MelGAN generator (Kumar et al., 2019, "MelGAN: Generative Adversarial Networks for
Conditional Waveform Synthesis"), from the paper and ``../shared/reference/variants.md`` §2.9.

Input conv (7 taps, reflect padding) to ``ngf x 2^stages`` channels, then per stage a
LeakyReLU(0.2) and a transposed conv (kernel 2r, stride r) that halves the channels,
followed by a residual stack of dilated convolutions (dilations 1, 3, 9); a final 7-tap conv
and tanh. Weight norm everywhere.

Initial weights: PyTorch's default, which is what the reference trains with. Its N(0, 0.02)
initialisation runs after ``weight_norm`` and is discarded, because the weight is recomputed
from its magnitude and direction before every forward (the same happens in HiFi-GAN's code,
jik876/hifi-gan#145). Applied for real (``init_std=0.02``: N(0, 0.02), then weight norm) it
shrinks every layer's output, and G starts at silence: an output std of about 1e-7, below the
log-mel clamp (1e-5), where the mel L1 has no gradient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from gan_lab.models.vocoder.weight_init import weight_norm_with_init

MELGAN_SLOPE = 0.2


class MelGANResidualUnit(nn.Module):
    """x -> 1x1 shortcut(x) + conv_1x1(lrelu(conv_3,dilated(pad(lrelu(x)))))."""

    def __init__(self, channels: int, dilation: int, init_std: float | None = None) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.LeakyReLU(MELGAN_SLOPE),
            nn.ReflectionPad1d(dilation),
            weight_norm_with_init(nn.Conv1d(channels, channels, 3, dilation=dilation), init_std),
            nn.LeakyReLU(MELGAN_SLOPE),
            weight_norm_with_init(nn.Conv1d(channels, channels, 1), init_std),
        )
        self.shortcut = weight_norm_with_init(nn.Conv1d(channels, channels, 1), init_std)

    def forward(self, x: Tensor) -> Tensor:
        return self.shortcut(x) + self.block(x)


class MelGANGenerator(nn.Module):
    """Args: ``n_mels``, ``ngf`` (channels of the last stage; the first has ``ngf x 2^stages``),
    ``upsample_rates`` (even, product = hop length), ``residual_layers`` per stage (dilations 3^j),
    ``init_std`` (None: PyTorch's initial weights, as the reference trains; see the module docstring)."""

    def __init__(
        self,
        n_mels: int = 80,
        ngf: int = 32,
        upsample_rates: Sequence[int] = (8, 8, 2, 2),
        residual_layers: int = 3,
        init_std: float | None = None,
    ) -> None:
        super().__init__()
        from gan_lab.errors import IncompatibleConfigError

        if any(int(r) % 2 for r in upsample_rates):
            raise IncompatibleConfigError(
                f"model.generator.upsample_rates={list(upsample_rates)}: MelGAN's transposed convs (kernel 2r, "
                "padding r/2) need even rates"
            )
        self.n_mels = int(n_mels)
        self.upsample_rates = tuple(int(r) for r in upsample_rates)
        channels = int(ngf) * 2 ** len(self.upsample_rates)
        layers: list[nn.Module] = [
            nn.ReflectionPad1d(3),
            weight_norm_with_init(nn.Conv1d(n_mels, channels, 7), init_std),
        ]
        for rate in self.upsample_rates:
            layers += [
                nn.LeakyReLU(MELGAN_SLOPE),
                weight_norm_with_init(
                    nn.ConvTranspose1d(channels, channels // 2, 2 * rate, stride=rate, padding=rate // 2), init_std
                ),
            ]
            channels //= 2
            layers += [MelGANResidualUnit(channels, 3**j, init_std) for j in range(int(residual_layers))]
        layers += [
            nn.LeakyReLU(MELGAN_SLOPE),
            nn.ReflectionPad1d(3),
            weight_norm_with_init(nn.Conv1d(channels, 1, 7), init_std),
        ]
        self.layers = nn.Sequential(*layers)

    # the input's 3-sample reflect padding needs at least 4 mel frames
    min_frames = 4

    @property
    def hop_length(self) -> int:
        return math.prod(self.upsample_rates)

    def forward(self, mel: Tensor) -> Tensor:
        return torch.tanh(self.layers(mel))

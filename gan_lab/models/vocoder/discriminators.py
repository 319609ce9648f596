"""Waveform discriminators of the GAN vocoders. Each *set* (multi-period, multi-scale) returns
one ``(logits, feature maps)`` pair per sub-discriminator; :class:`CombinedDiscriminator`
groups sets by name, e.g. HiFi-GAN's ``{"mpd": ..., "msd": ...}``.

- Multi-period (HiFi-GAN): the waveform is folded into ``[T / p, p]`` and judged by 2-D convs
  with ``(k, 1)`` kernels, so each sub-D sees samples ``p`` apart; periods 2, 3, 5, 7, 11.
- Multi-scale (HiFi-GAN): the same 1-D conv stack on the raw audio and on x2, x4 average-pooled
  audio; spectral norm on the first, weight norm on the others.
- MelGAN's multi-scale: three ``NLayerDiscriminator`` stacks (kernel 41, grouped convs, stride 4).

Settings from ``../shared/reference/variants.md`` §2.9; widths are parameters so that a tiny
setting trains on a CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from math import gcd

import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm, weight_norm

DiscriminatorOutputs = list[tuple[Tensor, list[Tensor]]]
LRELU_SLOPE = 0.1


def fold_by_period(audio: Tensor, period: int) -> Tensor:
    """``[N, 1, T]`` -> ``[N, 1, ceil(T / period), period]``; a length that is not a multiple of the
    period is first extended by reflection (the signal's own last samples, mirrored)."""
    n, c, t = audio.shape
    remainder = t % period
    if remainder:
        extra = period - remainder
        if extra >= t:  # reflect padding needs more samples than it adds
            audio = F.pad(audio, (0, extra), mode="replicate")
        else:
            audio = F.pad(audio, (0, extra), mode="reflect")
        t += extra
    return audio.view(n, c, t // period, period)


class PeriodDiscriminator(nn.Module):
    """One sub-D of the multi-period discriminator: Conv2d (5, 1) stride (3, 1) stack."""

    def __init__(self, period: int, base_channels: int = 32) -> None:
        super().__init__()
        self.period = int(period)
        b = int(base_channels)
        widths = [1, b, 4 * b, 16 * b, 32 * b]
        convs = [nn.Conv2d(i, o, (5, 1), (3, 1), padding=(2, 0)) for i, o in pairwise(widths)]
        convs.append(nn.Conv2d(widths[-1], widths[-1], (5, 1), 1, padding=(2, 0)))
        self.convs = nn.ModuleList(weight_norm(c) for c in convs)
        self.output_conv = weight_norm(nn.Conv2d(widths[-1], 1, (3, 1), 1, padding=(1, 0)))

    def forward(self, audio: Tensor) -> tuple[Tensor, list[Tensor]]:
        x = fold_by_period(audio, self.period)
        features = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
            features.append(x)
        return self.output_conv(x).flatten(1), features


class MultiPeriodDiscriminator(nn.Module):
    def __init__(self, periods: Sequence[int] = (2, 3, 5, 7, 11), base_channels: int = 32) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(PeriodDiscriminator(p, base_channels) for p in periods)

    def forward(self, audio: Tensor) -> DiscriminatorOutputs:
        return [d(audio) for d in self.discriminators]


class ScaleDiscriminator(nn.Module):
    """One sub-D of HiFi-GAN's multi-scale discriminator: grouped 1-D convs (kernel 41)."""

    # (kernel, stride, groups) of each conv; widths b, b, 2b, 4b, 8b, 8b, 8b (capped at max_channels)
    LAYOUT = ((15, 1, 1), (41, 2, 4), (41, 2, 16), (41, 4, 16), (41, 4, 16), (41, 1, 16), (5, 1, 1))
    WIDTH_FACTORS = (1, 1, 2, 4, 8, 8, 8)

    def __init__(self, base_channels: int = 128, max_channels: int = 1024, use_spectral_norm: bool = False):
        super().__init__()
        norm = spectral_norm if use_spectral_norm else weight_norm
        widths = [1] + [min(int(base_channels) * f, int(max_channels)) for f in self.WIDTH_FACTORS]
        # groups 16 as published; narrower (tiny) settings use the largest group count that divides both widths
        self.convs = nn.ModuleList(
            norm(nn.Conv1d(widths[i], widths[i + 1], k, s, groups=gcd(g, widths[i], widths[i + 1]), padding=k // 2))
            for i, (k, s, g) in enumerate(self.LAYOUT)
        )
        self.output_conv = norm(nn.Conv1d(widths[-1], 1, 3, 1, padding=1))

    def forward(self, audio: Tensor) -> tuple[Tensor, list[Tensor]]:
        x, features = audio, []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
            features.append(x)
        return self.output_conv(x).flatten(1), features


class PooledScales(nn.Module):
    """Sub-Ds that judge the audio at successively coarser scales: the first sees it as it is,
    each next one after one more ``pool``. Subclasses set ``discriminators`` and ``pool``."""

    discriminators: nn.ModuleList
    pool: nn.Module

    def forward(self, audio: Tensor) -> DiscriminatorOutputs:
        outputs = []
        for i, d in enumerate(self.discriminators):
            if i > 0:
                audio = self.pool(audio)
            outputs.append(d(audio))
        return outputs


class MultiScaleDiscriminator(PooledScales):
    """``scales`` sub-Ds on the audio average-pooled by 1, 2, 4, ... (AvgPool1d(4, 2, padding 2))."""

    def __init__(self, scales: int = 3, base_channels: int = 128, max_channels: int = 1024) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(
            ScaleDiscriminator(base_channels, max_channels, use_spectral_norm=(i == 0)) for i in range(int(scales))
        )
        self.pool = nn.AvgPool1d(4, 2, padding=2)


class NLayerDiscriminator(nn.Module):
    """MelGAN's sub-D: 15-tap conv (reflect padding), ``n_layers`` grouped convs with stride
    ``downsampling_factor`` and kernel 10 x factor + 1, a 5-tap conv and a 3-tap output conv.
    LeakyReLU(0.2), weight norm; channels multiply by the factor up to ``max_channels`` (1024 in
    MelGAN, where the 1024 x 1024 5-tap conv holds 5.2 M of each sub-D's 5.6 M parameters whatever
    ``ndf`` is; a lower cap makes a narrow D for small hardware)."""

    def __init__(
        self, ndf: int = 16, n_layers: int = 4, downsampling_factor: int = 4, max_channels: int = 1024
    ) -> None:
        super().__init__()
        cap = int(max_channels)
        stride = int(downsampling_factor)
        layers = [nn.Sequential(nn.ReflectionPad1d(7), weight_norm(nn.Conv1d(1, ndf, 15)), nn.LeakyReLU(0.2))]
        channels = int(ndf)
        for _ in range(int(n_layers)):
            previous, channels = channels, min(channels * stride, cap)
            conv = nn.Conv1d(
                previous, channels, stride * 10 + 1, stride, padding=stride * 5, groups=max(previous // 4, 1)
            )
            layers.append(nn.Sequential(weight_norm(conv), nn.LeakyReLU(0.2)))
        previous, channels = channels, min(channels * 2, cap)
        layers.append(nn.Sequential(weight_norm(nn.Conv1d(previous, channels, 5, padding=2)), nn.LeakyReLU(0.2)))
        self.layers = nn.ModuleList(layers)
        self.output_conv = weight_norm(nn.Conv1d(channels, 1, 3, padding=1))

    def forward(self, audio: Tensor) -> tuple[Tensor, list[Tensor]]:
        x, features = audio, []
        for layer in self.layers:
            x = layer(x)
            features.append(x)
        return self.output_conv(x).flatten(1), features


class MelGANMultiScaleDiscriminator(PooledScales):
    """``num_d`` NLayerDiscriminators on the audio pooled by AvgPool1d(4, 2, padding 1, excluding padding)."""

    def __init__(
        self, num_d: int = 3, ndf: int = 16, n_layers: int = 4, downsampling_factor: int = 4, max_channels: int = 1024
    ) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(
            NLayerDiscriminator(ndf, n_layers, downsampling_factor, max_channels) for _ in range(int(num_d))
        )
        self.pool = nn.AvgPool1d(4, 2, padding=1, count_include_pad=False)


class CombinedDiscriminator(nn.ModuleDict):
    """Named sets of sub-discriminators, e.g. ``mpd`` and ``msd``; returns ``{name: outputs}``.
    The vocoder task logs one adversarial term per name."""

    def __init__(self, **discriminators: nn.Module) -> None:
        if not discriminators:
            raise ValueError("CombinedDiscriminator needs at least one named discriminator set")
        super().__init__(discriminators)

    def forward(self, audio: Tensor) -> dict[str, DiscriminatorOutputs]:
        return {name: d(audio) for name, d in self.items()}

"""HiFi-GAN generator (Kong et al., 2020, "HiFi-GAN: Generative Adversarial Networks for
Efficient and High Fidelity Speech Synthesis"), written from the paper and the settings in
``../shared/reference/variants.md`` §2.9.

A log-mel spectrogram ``[N, n_mels, F]`` becomes audio ``[N, 1, F x prod(upsample_rates)]``:
a 7-tap input convolution, then per up-sampling stage a LeakyReLU(0.1), a transposed
convolution that halves the channels, and a multi-receptive-field fusion (MRF): the mean of
residual blocks with different kernels and dilations. Weight norm on every convolution.

==========  ========  ============  =============  ==========  ===========================
setting     channels  rates         kernels        resblock    MRF kernels / dilations
==========  ========  ============  =============  ==========  ===========================
V1          512       8, 8, 2, 2    16, 16, 4, 4   ``"1"``     3, 7, 11 / (1, 3, 5) each
V3          256       8, 8, 4       16, 16, 8      ``"2"``     3, 5, 7 / (1, 2), (2, 6), (3, 12)
tiny        32        8, 8, 4       16, 16, 8      ``"2"``     3, 5 / (1, 2), (2, 6)
==========  ========  ============  =============  ==========  ===========================
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import weight_norm

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.vocoder.weight_init import weight_norm_with_init

LRELU_SLOPE = 0.1


def same_padding(kernel_size: int, dilation: int = 1) -> int:
    return (kernel_size * dilation - dilation) // 2


class ResBlock1(nn.Module):
    """Per dilation d: x + conv_1(lrelu(conv_d(lrelu(x)))), kernel k (HiFi-GAN V1/V2)."""

    def __init__(
        self, channels: int, kernel_size: int, dilations: Sequence[int], init_std: float | None = None
    ) -> None:
        super().__init__()
        self.dilated = nn.ModuleList(
            weight_norm_with_init(
                nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=same_padding(kernel_size, d)),
                init_std,
            )
            for d in dilations
        )
        self.plain = nn.ModuleList(
            weight_norm_with_init(
                nn.Conv1d(channels, channels, kernel_size, padding=same_padding(kernel_size)), init_std
            )
            for _ in dilations
        )

    def forward(self, x: Tensor) -> Tensor:
        for dilated, plain in zip(self.dilated, self.plain):
            h = dilated(F.leaky_relu(x, LRELU_SLOPE))
            x = x + plain(F.leaky_relu(h, LRELU_SLOPE))
        return x


class ResBlock2(nn.Module):
    """Per dilation d: x + conv_d(lrelu(x)) (HiFi-GAN V3, the lighter block)."""

    def __init__(
        self, channels: int, kernel_size: int, dilations: Sequence[int], init_std: float | None = None
    ) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            weight_norm_with_init(
                nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=same_padding(kernel_size, d)),
                init_std,
            )
            for d in dilations
        )

    def forward(self, x: Tensor) -> Tensor:
        for conv in self.convs:
            x = x + conv(F.leaky_relu(x, LRELU_SLOPE))
        return x


RESBLOCKS = {"1": ResBlock1, "2": ResBlock2}


class MultiReceptiveFieldFusion(nn.Module):
    """The mean of residual blocks with different kernel sizes and dilations."""

    def __init__(
        self,
        channels: int,
        kernel_sizes: Sequence[int],
        dilations: Sequence[Sequence[int]],
        kind: str,
        init_std: float | None = None,
    ):
        super().__init__()
        block = RESBLOCKS[kind]
        self.blocks = nn.ModuleList(
            block(channels, k, d, init_std) for k, d in zip(kernel_sizes, dilations, strict=True)
        )

    def forward(self, x: Tensor) -> Tensor:
        return sum(block(x) for block in self.blocks) / len(self.blocks)


def check_upsampling(rates: Sequence[int], kernels: Sequence[int]) -> None:
    """A transposed conv with kernel k, stride u, padding (k - u) / 2 multiplies the length by
    exactly u only when k - u is even (else every stage is one sample off)."""
    if len(rates) != len(kernels):
        raise IncompatibleConfigError(
            f"model.generator.upsample_rates {list(rates)} and upsample_kernel_sizes {list(kernels)} need one "
            "entry per up-sampling stage"
        )
    for rate, kernel in zip(rates, kernels):
        if kernel < rate or (kernel - rate) % 2:
            raise IncompatibleConfigError(
                f"up-sampling kernel {kernel} with rate {rate}: the kernel must be >= the rate and differ from it "
                f"by an even number (HiFi-GAN uses kernel = 2 x rate); set model.generator.upsample_kernel_sizes"
            )


class HiFiGANGenerator(nn.Module):
    """Args: ``n_mels``; ``upsample_initial_channel`` (channels after the input conv, halved by
    every stage); ``upsample_rates`` (their product is the hop length) and ``upsample_kernel_sizes``;
    ``resblock`` (``"1"`` or ``"2"``), ``resblock_kernel_sizes`` and ``resblock_dilation_sizes``;
    ``init_std``: None keeps PyTorch's initial weights, which is what the reference trains with in
    effect (see :mod:`gan_lab.models.vocoder.weight_init`); a number applies N(0, init_std) to every
    conv but the input one, as the reference code means to (0.01)."""

    def __init__(
        self,
        n_mels: int = 80,
        upsample_initial_channel: int = 512,
        upsample_rates: Sequence[int] = (8, 8, 2, 2),
        upsample_kernel_sizes: Sequence[int] = (16, 16, 4, 4),
        resblock: str = "1",
        resblock_kernel_sizes: Sequence[int] = (3, 7, 11),
        resblock_dilation_sizes: Sequence[Sequence[int]] = ((1, 3, 5), (1, 3, 5), (1, 3, 5)),
        init_std: float | None = None,
    ) -> None:
        super().__init__()
        resblock = str(resblock)
        if resblock not in RESBLOCKS:
            raise IncompatibleConfigError(
                f"model.generator.resblock must be one of {sorted(RESBLOCKS)}, got {resblock}"
            )
        check_upsampling(upsample_rates, upsample_kernel_sizes)
        self.n_mels = int(n_mels)
        self.upsample_rates = tuple(int(r) for r in upsample_rates)
        channels = int(upsample_initial_channel)
        self.input_conv = weight_norm(nn.Conv1d(n_mels, channels, 7, padding=3))
        self.upsamples = nn.ModuleList()
        self.fusions = nn.ModuleList()
        for rate, kernel in zip(self.upsample_rates, upsample_kernel_sizes):
            up = nn.ConvTranspose1d(channels, channels // 2, kernel, stride=rate, padding=(kernel - rate) // 2)
            self.upsamples.append(weight_norm_with_init(up, init_std))
            channels //= 2
            self.fusions.append(
                MultiReceptiveFieldFusion(channels, resblock_kernel_sizes, resblock_dilation_sizes, resblock, init_std)
            )
        self.output_conv = weight_norm_with_init(nn.Conv1d(channels, 1, 7, padding=3), init_std)

    @property
    def hop_length(self) -> int:
        return math.prod(self.upsample_rates)

    def forward(self, mel: Tensor) -> Tensor:
        x = self.input_conv(mel)
        for upsample, fusion in zip(self.upsamples, self.fusions):
            x = fusion(upsample(F.leaky_relu(x, LRELU_SLOPE)))
        # The last activation uses LeakyReLU's default slope (0.01), as the reference model.
        return torch.tanh(self.output_conv(F.leaky_relu(x)))

"""SRResNet generator for single-image super-resolution, in the MSRResNet form of BasicSR/mmagic
(Ledig et al., 2017; Wang et al., 2018): no BatchNorm anywhere.

3x3 conv head (LeakyReLU 0.1) -> ``num_blocks`` residual blocks (conv3-ReLU-conv3, the branch
scaled by ``res_scale``) -> sub-pixel up-sampling (x2: one conv + PixelShuffle(2) stage; x4: two;
x3: one PixelShuffle(3) stage) -> 3x3 conv + LeakyReLU 0.1 -> 3x3 conv to the image. With
``global_skip`` the network learns a residual over the bilinearly up-sampled input, as MSRResNet.
Fully convolutional: an ``h x w`` input gives ``scale*h x scale*w``. The output is not squashed
(no tanh), as in the reference; clamp it to [-1, 1] where an image is needed.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError

SCALES = (2, 3, 4)
RESIDUAL_INIT_SCALE = 0.1


class ResidualBlockNoBN(nn.Module):
    """x + res_scale * conv3(ReLU(conv3(x)))."""

    def __init__(self, width: int, res_scale: float = 1.0) -> None:
        super().__init__()
        self.res_scale = float(res_scale)
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        # MSRResNet starts the branch small (Kaiming init x 0.1), so the deep stack without
        # normalisation starts close to the identity.
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight)
            conv.weight.data.mul_(RESIDUAL_INIT_SCALE)
            nn.init.zeros_(conv.bias)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.res_scale * self.conv2(F.relu(self.conv1(x)))


def _upsampler(width: int, scale: int) -> nn.Sequential:
    factors = {2: [2], 3: [3], 4: [2, 2]}[scale]
    layers: list[nn.Module] = []
    for factor in factors:
        layers += [
            nn.Conv2d(width, width * factor * factor, 3, padding=1),
            nn.PixelShuffle(factor),
            nn.LeakyReLU(0.1),
        ]
    return nn.Sequential(*layers)


class SRResNetGenerator(nn.Module):
    """Args: channels (in = out); scale: 2, 3 or 4; num_blocks: residual blocks (16 in SRResNet);
    width: channels of the trunk (64); res_scale: factor of each residual branch (1.0; ESRGAN-style
    deep variants use 0.1 to 0.2); global_skip: add the bilinearly up-sampled input to the output."""

    def __init__(
        self,
        channels: int = 3,
        scale: int = 4,
        num_blocks: int = 16,
        width: int = 64,
        res_scale: float = 1.0,
        global_skip: bool = True,
    ) -> None:
        super().__init__()
        if int(scale) not in SCALES:
            raise IncompatibleConfigError(
                f"the SRResNet generator up-samples by 2, 3 or 4; dataset.scale is {scale}. "
                "Set dataset.scale to 2, 3 or 4."
            )
        self.scale = int(scale)
        self.global_skip = bool(global_skip)
        self.head = nn.Sequential(nn.Conv2d(int(channels), int(width), 3, padding=1), nn.LeakyReLU(0.1))
        self.body = nn.Sequential(*(ResidualBlockNoBN(int(width), res_scale) for _ in range(int(num_blocks))))
        self.upsample = _upsampler(int(width), self.scale)
        self.tail = nn.Sequential(
            nn.Conv2d(int(width), int(width), 3, padding=1),
            nn.LeakyReLU(0.1),
            nn.Conv2d(int(width), int(channels), 3, padding=1),
        )

    def forward(self, x: Tensor) -> Tensor:
        features = self.head(x)
        out = self.tail(self.upsample(self.body(features)))
        if self.global_skip:
            out = out + F.interpolate(x, scale_factor=self.scale, mode="bilinear", align_corners=False)
        return out

"""How PSNR/SSIM see an image: data range, channel (RGB or Y) and border crop.

Both conventions are in use in the super-resolution literature (BasicSR tests on the Y channel,
mmagic's ESRGAN table on RGB), so the choice is a setting and goes into every record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from gan_lab.errors import GanLabError

DATA_RANGE = 255.0
# ITU-R BT.601 luma of MATLAB's rgb2ycbcr: Y = 16 + (65.481 R + 128.553 G + 24.966 B) for R, G, B in [0, 1],
# i.e. Y in [16, 235].
Y_WEIGHTS = (65.481, 128.553, 24.966)
Y_OFFSET = 16.0


def rgb_to_y(images: Tensor) -> Tensor:
    """``[N, 3, H, W]`` RGB in [0, 255] -> ``[N, 1, H, W]`` float64 BT.601 luma in [16, 235] (not rounded,
    as BasicSR's ``to_y_channel``)."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise GanLabError(f"the Y channel needs RGB images [N, 3, H, W], got {list(images.shape)}")
    w = torch.tensor(Y_WEIGHTS, dtype=torch.float64).view(1, 3, 1, 1) / DATA_RANGE
    return (images.double() * w).sum(dim=1, keepdim=True) + Y_OFFSET


@dataclass(frozen=True)
class ImageConvention:
    """``channel``: ``"rgb"`` (all channels as they are; grey images stay grey) or ``"y"`` (BT.601
    luma of RGB images; grey images are used as they are). ``crop_border``: pixels removed from
    each side before scoring (the super-resolution convention crops ``scale`` pixels)."""

    channel: str = "rgb"
    crop_border: int = 0

    def __post_init__(self) -> None:
        if self.channel not in ("rgb", "y"):
            raise GanLabError(f"channel={self.channel!r}: choose rgb or y")
        if int(self.crop_border) < 0:
            raise GanLabError(f"crop_border must be >= 0, got {self.crop_border}")

    @classmethod
    def from_settings(cls, channel: str, crop_border: Any, scale: int) -> ImageConvention:
        """``crop_border="auto"`` (or null): the SR scale when it is above 1, else 0."""
        border = (int(scale) if int(scale) > 1 else 0) if crop_border in (None, "auto") else int(crop_border)
        return cls(str(channel).lower(), border)

    def prepare(self, images: Tensor) -> Tensor:
        """uint8 ``[N, C, H, W]`` -> float64 in [0, 255], cropped, Y channel when asked."""
        if images.dtype != torch.uint8:
            raise GanLabError(f"paired metrics score uint8 images, got {images.dtype}")
        x = images.double()
        b = int(self.crop_border)
        if b:
            if min(x.shape[-2:]) <= 2 * b:
                raise GanLabError(f"crop_border={b} leaves nothing of a {x.shape[-2]}x{x.shape[-1]} image")
            x = x[..., b:-b, b:-b]
        if self.channel == "y" and x.shape[1] == 3:
            x = rgb_to_y(x)
        return x

    def channel_name(self, channels: int) -> str:
        """What was scored: ``"Y"``, ``"RGB"`` or ``"grey"``."""
        if channels == 1:
            return "grey"
        return "Y" if self.channel == "y" else "RGB"

    def options(self, channels: int) -> dict[str, Any]:
        return {"data_range": DATA_RANGE, "crop_border": int(self.crop_border), "channel": self.channel_name(channels)}

"""The same random crop and flip applied to both images of a (source, target) pair.

torchvision's v2 transforms can share one random draw across a tuple of inputs,
but only when the inputs have the same size; a super-resolution pair does not
(the source is ``scale`` times smaller), so the crop window is drawn here on the
source's grid and scaled up for the target. The cropping, flipping and resizing
themselves are torchvision's functional ops.
"""

from __future__ import annotations

import torch
from PIL import Image
from torchvision.transforms.v2 import functional as TF

from gan_lab.errors import IncompatibleConfigError

RESAMPLE = TF.InterpolationMode.BICUBIC  # pix2pix and the SR references resize with bicubic


def pil_to_uint8(img: Image.Image) -> torch.Tensor:
    """PIL image (already in the wanted mode) -> uint8 tensor ``[C, H, W]``."""
    return TF.pil_to_tensor(img)


def to_signed_float(image: torch.Tensor) -> torch.Tensor:
    """uint8 ``[C, H, W]`` -> float32 in [-1, 1]."""
    return TF.to_dtype(image, torch.float32, scale=True).mul_(2.0).sub_(1.0)


def resize_square(image: torch.Tensor, size: int) -> torch.Tensor:
    """Resize to ``size x size`` (aspect ratio not kept, as pix2pix's ``resize_and_crop``), bicubic, antialiased."""
    if tuple(image.shape[-2:]) == (size, size):
        return image
    return TF.resize(image, [size, size], interpolation=RESAMPLE, antialias=True)


def check_divisible(size: int, scale: int, what: str = "image_size") -> None:
    """Refuse a size the scale does not divide, listing the nearest sizes that work."""
    if scale < 1:
        raise IncompatibleConfigError(f"scale must be a positive integer, got {scale}")
    if size % scale:
        lower = (size // scale) * scale
        works = [s for s in (lower - scale, lower, lower + scale, lower + 2 * scale) if s > 0]
        raise IncompatibleConfigError(
            f"{what}={size} is not divisible by scale={scale}: the low-resolution image would not have a whole "
            f"number of pixels. Sizes that work: {', '.join(map(str, works))} (any multiple of {scale})"
        )


def _randint(high: int, generator: torch.Generator | None) -> int:
    """Uniform integer in ``[0, high]`` (inclusive)."""
    return int(torch.randint(0, high + 1, (), generator=generator))


def crop_window(
    source_hw: tuple[int, int], size: int, scale: int, random: bool, generator: torch.Generator | None
) -> tuple[int, int]:
    """Top-left corner of a ``size/scale`` window on the source grid: uniform if ``random``, else centred."""
    patch = size // scale
    height, width = source_hw
    if height < patch or width < patch:
        raise IncompatibleConfigError(
            f"cannot crop {size} px (source {patch} px) from an image of {height * scale}x{width * scale} "
            f"(source {height}x{width}); make the crop (image_size) smaller or load the images larger (load_size)"
        )
    if random:
        return _randint(height - patch, generator), _randint(width - patch, generator)
    return (height - patch) // 2, (width - patch) // 2


class PairedCropFlip:
    """Crop a (source, target) pair at the same place and flip both or neither.

    ``target`` is ``[C, H, W]``; ``source`` is ``[C_src, H/scale, W/scale]``. The
    crop window is drawn on the source grid (so it is aligned to whole source
    pixels) and multiplied by ``scale`` for the target: the crops are ``size``
    (target) and ``size/scale`` (source) and cover the same part of the scene.
    ``random=False`` (evaluation) takes the centre crop and never flips.
    """

    def __init__(self, size: int, scale: int = 1, random: bool = True, flip: bool = True):
        check_divisible(int(size), int(scale))
        self.size, self.scale, self.random, self.flip = int(size), int(scale), bool(random), bool(flip)

    def __call__(
        self, source: torch.Tensor, target: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        sh, sw = source.shape[-2:]
        if tuple(target.shape[-2:]) != (sh * self.scale, sw * self.scale):
            raise IncompatibleConfigError(
                f"target is {tuple(target.shape[-2:])} but the source {(sh, sw)} times scale={self.scale} is "
                f"{(sh * self.scale, sw * self.scale)}: the pair is not aligned"
            )
        top, left = crop_window((sh, sw), self.size, self.scale, self.random, generator)
        patch = self.size // self.scale
        source = TF.crop(source, top, left, patch, patch)
        target = TF.crop(target, top * self.scale, left * self.scale, self.size, self.size)
        if self.random and self.flip and bool(torch.rand((), generator=generator) < 0.5):
            source, target = TF.horizontal_flip(source), TF.horizontal_flip(target)
        return source, target

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, scale={self.scale}, random={self.random}, flip={self.flip})"

"""The transform that turns any PIL image into a generator-ready tensor."""

import numpy as np
from PIL import Image
from torchvision import transforms as T

from gan_lab.errors import IncompatibleConfigError

_MODE_FOR_CHANNELS = {1: "L", 3: "RGB"}


class ToChannels:
    """Convert a PIL image of any mode to ``"L"`` (1 channel) or ``"RGB"`` (3).

    Transparent images are composited onto white first, because a plain
    ``convert`` drops alpha and leaves whatever colour hides under it (often
    black). 16-bit grayscale is scaled to 8 bits; ``convert`` would clip it.
    A class rather than a lambda so DataLoader workers can pickle it.
    """

    def __init__(self, channels: int):
        self.mode = _MODE_FOR_CHANNELS[channels]

    def __call__(self, img: Image.Image) -> Image.Image:
        if img.mode in ("I;16", "I;16L", "I;16B", "I"):
            img = Image.fromarray((np.asarray(img, dtype=np.uint32) >> 8).clip(0, 255).astype(np.uint8))
        if img.mode in ("RGBA", "LA", "PA", "P") or "transparency" in img.info:
            rgba = img.convert("RGBA")
            img = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            img.alpha_composite(rgba)
        return img.convert(self.mode) if img.mode != self.mode else img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mode={self.mode!r})"


def image_transform(image_size: int, channels: int) -> T.Compose:
    """PIL image -> float tensor ``[channels, image_size, image_size]`` in [-1, 1].

    The shorter side is resized to ``image_size`` and the centre cropped, so
    non-square images keep their aspect ratio.
    """
    if channels not in _MODE_FOR_CHANNELS:
        raise IncompatibleConfigError(f"image channels must be 1 or 3, got {channels}")
    if int(image_size) < 1:
        raise IncompatibleConfigError(f"image_size must be a positive integer, got {image_size}")
    return T.Compose(
        [
            ToChannels(channels),
            T.Resize(image_size, antialias=True),
            T.CenterCrop(image_size),
            T.ToTensor(),
            T.Normalize([0.5] * channels, [0.5] * channels),
        ]
    )

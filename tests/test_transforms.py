"""image_transform: any PIL mode -> [C, S, S] tensor in [-1, 1]."""

import numpy as np
import pytest
import torch
from PIL import Image

from gan_lab.datasets.transforms import image_transform
from gan_lab.errors import IncompatibleConfigError


def _images():
    gray = Image.fromarray(np.tile(np.arange(0, 256, 8, dtype=np.uint8), (20, 1)), "L")
    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 32, 3), dtype=np.uint8), "RGB")
    palette = rgb.convert("P")
    rgba = rgb.convert("RGBA")
    la = gray.convert("LA")
    return {"L": gray, "RGB": rgb, "P": palette, "RGBA": rgba, "LA": la}


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("mode", ["L", "RGB", "P", "RGBA", "LA"])
def test_any_mode_to_channels(mode, channels):
    out = image_transform(16, channels)(_images()[mode])
    assert out.shape == (channels, 16, 16) and out.dtype == torch.float32
    assert out.min() >= -1 and out.max() <= 1


def test_full_range_maps_to_minus_one_one():
    img = Image.fromarray(np.array([[0, 255], [255, 0]], dtype=np.uint8), "L")
    out = image_transform(2, 1)(img)
    assert out.min().item() == -1.0 and out.max().item() == 1.0


def test_transparent_pixels_become_white():
    img = Image.new("RGBA", (4, 4), (0, 0, 0, 0))  # fully transparent black
    out = image_transform(4, 3)(img)
    assert torch.allclose(out, torch.ones_like(out))


def test_non_square_resize_and_center_crop():
    arr = np.zeros((20, 40), dtype=np.uint8)
    arr[:, 6:34] = 255  # white centre (wider than the 20px crop), black sides
    out = image_transform(10, 1)(Image.fromarray(arr, "L"))
    assert out.shape == (1, 10, 10)
    assert out.min() > 0.9  # crop keeps only the white middle


def test_16_bit_grayscale_is_scaled_not_clipped():
    img = Image.fromarray(np.full((4, 4), 32768, dtype=np.uint16))
    out = image_transform(4, 1)(img)
    assert out.abs().max() < 0.05  # 32768/65536 = mid grey -> ~0


def test_bad_channels_rejected():
    with pytest.raises(IncompatibleConfigError, match="channels"):
        image_transform(8, 2)

"""PairedCropFlip: one crop window and one flip shared by source and target, also across scales."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from gan_lab.datasets.paired.joint_transforms import (
    PairedCropFlip,
    check_divisible,
    crop_window,
    resize_square,
    to_signed_float,
)
from gan_lab.errors import IncompatibleConfigError


def _ramp(channels: int, height: int, width: int) -> torch.Tensor:
    """Every pixel different, so any misplaced crop or one-sided flip shows."""
    return torch.arange(channels * height * width, dtype=torch.float32).view(channels, height, width)


def test_same_crop_and_flip_on_identical_pair():
    image = _ramp(3, 20, 24)
    joint = PairedCropFlip(8, scale=1, random=True, flip=True)
    flipped_seen, positions = set(), set()
    for seed in range(40):
        source, target = joint(image.clone(), image.clone(), torch.Generator().manual_seed(seed))
        assert source.shape == target.shape == (3, 8, 8)
        assert torch.equal(source, target)
        flipped = bool(source[0, 0, 0] > source[0, 0, 1])  # the ramp rises to the right unless flipped
        flipped_seen.add(flipped)
        unflipped = source.flip(-1) if flipped else source
        top, left = divmod(int(unflipped[0, 0, 0]), 24)
        assert torch.equal(unflipped, image[:, top : top + 8, left : left + 8])
        positions.add((top, left))
    assert flipped_seen == {True, False}
    assert len(positions) > 10  # really random


def test_scale_aware_crop_matches_the_downsampled_target():
    target = torch.rand(1, 3, 32, 32)
    source = F.avg_pool2d(target, 4)[0]  # every source pixel is the mean of one 4x4 target block
    joint = PairedCropFlip(16, scale=4, random=True, flip=True)
    for seed in range(20):
        src, tgt = joint(source, target[0], torch.Generator().manual_seed(seed))
        assert src.shape == (3, 4, 4) and tgt.shape == (3, 16, 16)
        torch.testing.assert_close(src, F.avg_pool2d(tgt.unsqueeze(0), 4)[0])


def test_centre_crop_without_randomness():
    image = _ramp(1, 10, 10)
    joint = PairedCropFlip(4, random=False, flip=True)
    for seed in range(5):
        source, target = joint(image, image, torch.Generator().manual_seed(seed))
        assert torch.equal(source, image[:, 3:7, 3:7]) and torch.equal(target, source)
    assert crop_window((10, 12), 4, 1, False, None) == (3, 4)


def test_same_seed_same_crop():
    image = _ramp(1, 30, 30)
    joint = PairedCropFlip(8)
    first = joint(image, image, torch.Generator().manual_seed(3))
    again = joint(image, image, torch.Generator().manual_seed(3))
    assert torch.equal(first[0], again[0])


def test_misaligned_pair_and_bad_sizes_refused():
    joint = PairedCropFlip(8, scale=2)
    with pytest.raises(IncompatibleConfigError, match="not aligned"):
        joint(torch.zeros(1, 10, 10), torch.zeros(1, 21, 20))
    with pytest.raises(IncompatibleConfigError, match="cannot crop"):
        PairedCropFlip(16)(torch.zeros(1, 10, 10), torch.zeros(1, 10, 10))
    with pytest.raises(IncompatibleConfigError, match="Sizes that work: 24, 28, 32, 36"):
        check_divisible(30, 4)


def test_uint8_conversion_and_resize():
    image = torch.tensor([[[0, 255], [128, 64]]], dtype=torch.uint8)
    converted = to_signed_float(image)
    assert converted.dtype == torch.float32
    torch.testing.assert_close(converted, image.float() / 127.5 - 1.0)
    assert resize_square(torch.zeros(3, 10, 20, dtype=torch.uint8), 6).shape == (3, 6, 6)

"""Listing, checking and decoding the image files of the folder-based paired datasets."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from PIL import Image

from gan_lab.datasets.image_folder import DEFAULT_EXTENSIONS, DecodeCheckCache, find_images
from gan_lab.datasets.paired.joint_transforms import pil_to_uint8
from gan_lab.datasets.transforms import ToChannels
from gan_lab.errors import ImageReadError, IncompatibleConfigError

__all__ = ["DEFAULT_EXTENSIONS", "check_channels", "drop_unreadable", "find_images", "load_uint8"]


def check_channels(name: str, channels: int) -> int:
    if int(channels) not in (1, 3):
        raise IncompatibleConfigError(f"{name} must be 1 or 3, got {channels}")
    return int(channels)


def drop_unreadable(paths: list[Path], skip_corrupt: bool, folder: Path) -> list[Path]:
    """Decode every file now, fully (so a bad one fails at start-up with its name; the result is
    cached per file size and mtime, see DecodeCheckCache); skip bad ones when asked."""
    checks = DecodeCheckCache(folder)
    problems = {p: checks.problem(p) for p in paths}
    checks.save()
    bad = [p for p, problem in problems.items() if problem is not None]
    if bad and not skip_corrupt:
        raise ImageReadError(
            f"Cannot read image {bad[0]} ({problems[bad[0]]}). "
            f"Remove it, or set dataset.skip_corrupt=true to skip unreadable files"
        )
    if bad:
        names = ", ".join(str(p) for p in bad[:3]) + (", ..." if len(bad) > 3 else "")
        warnings.warn(f"Skipped {len(bad)} unreadable image(s) under {folder}: {names}", stacklevel=3)
        bad_set = set(bad)
        paths = [p for p in paths if p not in bad_set]
    return paths


def load_uint8(path: Path, channels: int) -> torch.Tensor:
    """Decode ``path`` to uint8 ``[channels, H, W]``; palette, alpha, 16-bit and grey modes are converted
    as :class:`~gan_lab.datasets.transforms.ToChannels` does for the unpaired folders."""
    try:
        with Image.open(path) as img:
            return pil_to_uint8(ToChannels(channels)(img))
    except Exception as err:  # verify() does not decode pixels; a truncated file fails here
        raise ImageReadError(f"Cannot decode image {path} ({err}); remove or replace it") from None

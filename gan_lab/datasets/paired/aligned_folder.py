"""pix2pix's "aligned" format: each image file holds the pair side by side (A left, B right)."""

from __future__ import annotations

from pathlib import Path

from torch.utils.data import Dataset

from gan_lab.datasets.paired.image_files import (
    DEFAULT_EXTENSIONS,
    check_channels,
    drop_unreadable,
    find_images,
    load_uint8,
)
from gan_lab.datasets.paired.joint_transforms import PairedCropFlip, resize_square, to_signed_float
from gan_lab.datasets.resumable_sampler import item_generator
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, IncompatibleConfigError

LAYOUT = "root/train/*.jpg, root/test/*.jpg (and optionally root/val/), each image A|B side by side"


class AlignedFolderPairs(Dataset):
    """Pairs from ``root/<split>/``, one file per pair (the layout of facades, edges2shoes, maps...).

    ``direction="AtoB"`` makes the left half the source and the right half the
    target; ``"BtoA"`` the reverse. Training: both halves are resized to
    ``load_size`` (square), then cropped at the same random place to
    ``image_size`` and flipped together with probability 0.5 (pix2pix: 286 -> 256).
    Other splits: resized straight to ``image_size``, no randomness.
    Items: ``{"source": [source_channels, S, S], "target": [channels, S, S], "label": -1}``, in [-1, 1].
    """

    provides: tuple[str, ...] = ("source", "target", "label")
    data_kind = "paired"

    def __init__(
        self,
        root: str | None,
        split: str = "train",
        image_size: int = 256,
        load_size: int | None = None,
        channels: int = 3,
        source_channels: int | None = None,
        direction: str = "AtoB",
        flip: bool = True,
        skip_corrupt: bool = False,
        extensions: tuple[str, ...] = DEFAULT_EXTENSIONS,
    ):
        if root is None:
            raise DatasetNotFoundError(
                f"dataset.root is not set. Point to a pix2pix-style folder with dataset.root=/path/to/data "
                f"(expected layout: {LAYOUT})"
            )
        if direction not in ("AtoB", "BtoA"):
            raise IncompatibleConfigError(f"direction must be AtoB or BtoA, got {direction!r}")
        self.image_size = int(image_size)
        self.load_size = self.image_size if load_size is None else int(load_size)
        if self.image_size < 1 or self.load_size < self.image_size:
            raise IncompatibleConfigError(
                f"load_size={self.load_size} must be at least image_size={self.image_size} (the random crop is "
                f"taken from the load_size image); set dataset.load_size={self.image_size} for no jitter"
            )
        self.target_channels = check_channels("channels", channels)
        self.source_channels = check_channels(
            "source_channels", channels if source_channels is None else source_channels
        )
        self.scale = 1
        self.direction, self.split = direction, split
        self.root = Path(root).expanduser().resolve()
        self.folder = self.root / split
        if not self.folder.is_dir():
            raise DatasetNotFoundError(
                f"Paired image folder {self.folder} does not exist (split {split!r} of dataset.root={self.root}). "
                f"Expected layout: {LAYOUT}"
            )
        extensions = (extensions,) if isinstance(extensions, str) else tuple(extensions)
        paths = find_images(self.folder, extensions)
        if not paths:
            raise EmptyDatasetError(
                f"No images with extensions {', '.join(extensions)} found under {self.folder}. Expected layout: {LAYOUT}"
            )
        self.paths = drop_unreadable(paths, skip_corrupt, self.folder)
        if not self.paths:
            raise EmptyDatasetError(f"All {len(paths)} images under {self.folder} are unreadable")
        self.random = split == "train"
        self.joint = PairedCropFlip(self.image_size, scale=1, random=self.random, flip=flip)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> dict:
        path = self.paths[index]
        decoded = {c: load_uint8(path, c) for c in {self.source_channels, self.target_channels}}
        width = decoded[self.target_channels].shape[-1]
        left, right = slice(0, width // 2), slice(width // 2, 2 * (width // 2))
        source_half, target_half = (left, right) if self.direction == "AtoB" else (right, left)
        source = decoded[self.source_channels][..., source_half]
        target = decoded[self.target_channels][..., target_half]
        size = self.load_size if self.random else self.image_size
        generator = item_generator(index) if self.random else None
        source, target = self.joint(resize_square(source, size), resize_square(target, size), generator)
        return {"source": to_signed_float(source), "target": to_signed_float(target), "label": -1}

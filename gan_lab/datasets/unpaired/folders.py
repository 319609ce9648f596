"""Two folders of unrelated images, one per domain (horses and zebras, summer and winter)."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torchvision.transforms.v2 import functional as TF

from gan_lab.datasets.paired.image_files import (
    DEFAULT_EXTENSIONS,
    check_channels,
    drop_unreadable,
    find_images,
    load_uint8,
)
from gan_lab.datasets.paired.joint_transforms import RESAMPLE, crop_window, to_signed_float
from gan_lab.datasets.unpaired.sampling import UnpairedSampling
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, IncompatibleConfigError

HOW = (
    "set dataset.root=/path/with/trainA,trainB,testA,testB (the CycleGAN layout) or "
    "dataset.root_a=/path/to/domainA dataset.root_b=/path/to/domainB"
)


def domain_folders(root: str | None, root_a: str | None, root_b: str | None, split: str) -> tuple[Path, Path]:
    """The A and B folders of ``split``: ``<root>/<split>A`` and ``<root>/<split>B``, or
    ``<root_x>/<split>`` when that sub-folder exists, else ``root_x`` itself."""
    if root is not None and (root_a is not None or root_b is not None):
        raise IncompatibleConfigError(f"set either dataset.root or dataset.root_a and dataset.root_b, not both; {HOW}")
    if root is not None:
        base = Path(str(root)).expanduser().resolve()
        if not base.is_dir():
            raise DatasetNotFoundError(f"dataset folder {base} does not exist (or is not a folder); {HOW}")
        folders = (base / f"{split}A", base / f"{split}B")
        for folder in folders:
            if not folder.is_dir():
                raise DatasetNotFoundError(
                    f"{folder} does not exist: with dataset.root the images of split {split!r} must lie in "
                    f"{base}/{split}A and {base}/{split}B; or {HOW}"
                )
        return folders
    if root_a is None or root_b is None:
        missing = " and ".join(f"dataset.{name}" for name, v in (("root_a", root_a), ("root_b", root_b)) if v is None)
        raise DatasetNotFoundError(f"{missing} not set: {HOW}")
    folders = []
    for side, value in (("a", root_a), ("b", root_b)):
        base = Path(str(value)).expanduser().resolve()
        if not base.is_dir():
            raise DatasetNotFoundError(
                f"domain {side.upper()} folder {base} does not exist (or is not a folder); set dataset.root_{side}"
            )
        if (base / split).is_dir():
            base = base / split
        elif split != "train":
            warnings.warn(
                f"No {split!r} sub-folder under {base}: split {split!r} of domain {side.upper()} uses the training "
                f"images",
                stacklevel=3,
            )
        folders.append(base)
    return folders[0], folders[1]


class UnpairedFolders(UnpairedSampling):
    """Images of domain A from one folder and of domain B from another, sampled independently
    (see :class:`~gan_lab.datasets.unpaired.sampling.UnpairedSampling`).

    Folders: ``root`` in the CycleGAN layout (``trainA/ trainB/ testA/ testB/``), or ``root_a`` and
    ``root_b`` (their ``<split>`` sub-folder when it exists). Files of any size and image mode are
    converted to ``channels_a`` / ``channels_b`` (grey, palette, alpha and 16-bit as ``image_folder``
    does), their shorter side is resized to ``load_size`` (default ``image_size``; bicubic) and a
    square of ``image_size`` is cropped: at random on train (with a random horizontal flip when
    ``flip``), in the centre otherwise (after resizing to ``image_size``).
    Items: ``{"image_a": [channels_a, S, S], "image_b": [channels_b, S, S], "label": -1}`` in [-1, 1].
    """

    def __init__(
        self,
        root_a: str | None = None,
        root_b: str | None = None,
        root: str | None = None,
        split: str = "train",
        image_size: int = 256,
        load_size: int | None = None,
        channels_a: int = 3,
        channels_b: int = 3,
        flip: bool = True,
        seed: int = 0,
        skip_corrupt: bool = False,
        extensions: tuple[str, ...] = DEFAULT_EXTENSIONS,
    ) -> None:
        self.image_size = int(image_size)
        self.load_size = self.image_size if load_size is None else int(load_size)
        if self.image_size < 1 or self.load_size < self.image_size:
            raise IncompatibleConfigError(
                f"load_size={self.load_size} must be at least image_size={self.image_size} (> 0); "
                f"set dataset.load_size={self.image_size} for no jitter"
            )
        self.channels_a = check_channels("channels_a", channels_a)
        self.channels_b = check_channels("channels_b", channels_b)
        self.folder_a, self.folder_b = domain_folders(root, root_a, root_b, split)
        extensions = (extensions,) if isinstance(extensions, str) else tuple(extensions)
        paths = {}
        for side, folder in (("A", self.folder_a), ("B", self.folder_b)):
            found = find_images(folder, extensions)
            if not found:
                raise EmptyDatasetError(
                    f"No images with extensions {', '.join(extensions)} found under {folder} (domain {side})"
                )
            found = drop_unreadable(found, skip_corrupt, folder)
            if not found:
                raise EmptyDatasetError(f"No readable images under {folder} (domain {side})")
            paths[side] = found
        self.paths_a, self.paths_b = paths["A"], paths["B"]
        self.split = split
        super().__init__(len(self.paths_a), len(self.paths_b), random=split == "train", flip=flip, seed=seed)

    def _load(self, path: Path, channels: int, generator: torch.Generator | None) -> torch.Tensor:
        image = load_uint8(path, channels)
        random = generator is not None  # training items; previews and other splits take the centre
        size = self.load_size if random else self.image_size
        if min(image.shape[-2:]) != size:
            image = TF.resize(image, size, interpolation=RESAMPLE, antialias=True)
        top, left = crop_window(tuple(image.shape[-2:]), self.image_size, 1, random, generator)
        return to_signed_float(TF.crop(image, top, left, self.image_size, self.image_size))

    def image_a(self, index: int, generator: torch.Generator | None) -> torch.Tensor:
        return self._load(self.paths_a[index], self.channels_a, generator)

    def image_b(self, index: int, generator: torch.Generator | None) -> torch.Tensor:
        return self._load(self.paths_b[index], self.channels_b, generator)

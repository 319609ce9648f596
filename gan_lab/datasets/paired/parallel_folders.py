"""Pairs from two folders whose files match by name: ``source_root/x.png`` <-> ``target_root/x.jpg``."""

from __future__ import annotations

import warnings
from pathlib import Path

from torch.utils.data import Dataset

from gan_lab.datasets.paired.image_files import (
    DEFAULT_EXTENSIONS,
    check_channels,
    drop_unreadable,
    find_images,
    load_uint8,
)
from gan_lab.datasets.paired.joint_transforms import (
    PairedCropFlip,
    check_divisible,
    resize_square,
    to_signed_float,
)
from gan_lab.datasets.resumable_sampler import item_generator
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, IncompatibleConfigError

NATIVE = "native"


def _split_folder(root: str | None, split: str, side: str) -> Path:
    """``root/<split>`` when that folder exists, else ``root`` itself."""
    if root is None:
        raise DatasetNotFoundError(
            f"dataset.{side}_root is not set. Point to the folders with dataset.source_root=/path/to/inputs "
            f"dataset.target_root=/path/to/targets (files matched by name, optionally under <root>/train, <root>/test)"
        )
    base = Path(root).expanduser().resolve()
    if not base.is_dir():
        raise DatasetNotFoundError(
            f"{side} folder {base} does not exist (or is not a folder); set dataset.{side}_root=/path/to/images"
        )
    return base / split if (base / split).is_dir() else base


def _by_stem(folder: Path, paths: list[Path], strip_suffix: str) -> dict[str, Path]:
    """Key each file by its path relative to ``folder`` without extension (and without ``strip_suffix``)."""
    keyed: dict[str, Path] = {}
    for path in paths:
        key = path.relative_to(folder).with_suffix("").as_posix()
        if strip_suffix and key.endswith(strip_suffix):
            key = key[: -len(strip_suffix)]
        if key in keyed:
            raise IncompatibleConfigError(
                f"Two files under {folder} have the same name {key!r}: {keyed[key].name} and {path.name}; "
                f"pairs are matched by name, so keep one of them"
            )
        keyed[key] = path
    return keyed


def _names(keys: list[str]) -> str:
    return ", ".join(keys[:5]) + (f", ... ({len(keys)} in all)" if len(keys) > 5 else "")


class ParallelFolderPairs(Dataset):
    """A source folder and a target folder whose files pair up by name (extension ignored).

    If ``<root>/<split>`` exists it is used, else the whole root (for every split,
    with a warning for splits other than train). Files present on one side only
    are an error unless ``skip_unmatched``. The target is resized to ``load_size``
    (default ``image_size``; ``"native"``: not resized) and the source to
    ``load_size / scale``; training then takes the same random crop (``image_size``
    on the target, ``image_size / scale`` on the source) and the same flip; other
    splits take the centre crop. With ``scale > 1`` this is a folder of LR/HR pairs.
    Items: ``{"source": [source_channels, S/scale, S/scale], "target": [channels, S, S], "label": -1}``.
    """

    provides: tuple[str, ...] = ("source", "target", "label")
    data_kind = "paired"

    def __init__(
        self,
        source_root: str | None,
        target_root: str | None,
        split: str = "train",
        image_size: int = 256,
        channels: int = 3,
        source_channels: int | None = None,
        scale: int = 1,
        flip: bool = True,
        load_size: int | str | None = None,
        skip_unmatched: bool = False,
        skip_corrupt: bool = False,
        strip_source_suffix: str = "",
        extensions: tuple[str, ...] = DEFAULT_EXTENSIONS,
    ):
        self.image_size, self.scale, self.split = int(image_size), int(scale), split
        check_divisible(self.image_size, self.scale)
        self.native = load_size == NATIVE
        self.load_size = self.image_size if load_size is None or self.native else int(load_size)
        if self.load_size < self.image_size:
            raise IncompatibleConfigError(
                f"load_size={self.load_size} must be at least image_size={self.image_size}; "
                f"set dataset.load_size={self.image_size} for no jitter"
            )
        check_divisible(self.load_size, self.scale, "load_size")
        self.target_channels = check_channels("channels", channels)
        self.source_channels = check_channels(
            "source_channels", channels if source_channels is None else source_channels
        )
        self.source_folder = _split_folder(source_root, split, "source")
        self.target_folder = _split_folder(target_root, split, "target")
        if split != "train" and self.target_folder.name != split:
            warnings.warn(
                f"No {split!r} sub-folder under {self.target_folder}: split {split!r} uses the same images as training",
                stacklevel=2,
            )
        extensions = (extensions,) if isinstance(extensions, str) else tuple(extensions)
        sides = {}
        for side, folder in (("source", self.source_folder), ("target", self.target_folder)):
            paths = find_images(folder, extensions)
            if not paths:
                raise EmptyDatasetError(f"No images with extensions {', '.join(extensions)} found under {folder}")
            sides[side] = _by_stem(folder, paths, strip_source_suffix if side == "source" else "")
        only_source = sorted(sides["source"].keys() - sides["target"].keys())
        only_target = sorted(sides["target"].keys() - sides["source"].keys())
        if only_source or only_target:
            message = (
                f"Unmatched files: {len(only_source)} only in {self.source_folder} ({_names(only_source)}), "
                f"{len(only_target)} only in {self.target_folder} ({_names(only_target)})"
            )
            if not skip_unmatched:
                raise IncompatibleConfigError(
                    f"{message}. Pairs are matched by file name without extension; rename them, or set "
                    f"dataset.skip_unmatched=true to ignore files without a partner"
                )
            warnings.warn(f"{message}; skipped", stacklevel=2)
        keys = sorted(sides["source"].keys() & sides["target"].keys())
        if not keys:
            raise EmptyDatasetError(f"No file names in common between {self.source_folder} and {self.target_folder}")
        readable = set(drop_unreadable([sides["source"][k] for k in keys], skip_corrupt, self.source_folder))
        readable |= set(drop_unreadable([sides["target"][k] for k in keys], skip_corrupt, self.target_folder))
        self.pairs = [
            (sides["source"][k], sides["target"][k])
            for k in keys
            if sides["source"][k] in readable and sides["target"][k] in readable
        ]
        if not self.pairs:
            raise EmptyDatasetError(f"No readable pairs between {self.source_folder} and {self.target_folder}")
        self.random = split == "train"
        self.joint = PairedCropFlip(self.image_size, scale=self.scale, random=self.random, flip=flip)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> dict:
        source_path, target_path = self.pairs[index]
        source = load_uint8(source_path, self.source_channels)
        target = load_uint8(target_path, self.target_channels)
        if self.native:
            th, tw = target.shape[-2:]
            if tuple(source.shape[-2:]) != (th // self.scale, tw // self.scale):
                raise IncompatibleConfigError(
                    f"{source_path} is {tuple(source.shape[-2:])} but its target {target_path} is {(th, tw)}; "
                    f"with load_size=native and scale={self.scale} the source must be that size divided by the scale"
                )
            target = target[..., : th - th % self.scale, : tw - tw % self.scale]
        else:
            size = self.load_size if self.random else self.image_size
            source, target = resize_square(source, size // self.scale), resize_square(target, size)
        source, target = self.joint(source, target, item_generator(index) if self.random else None)
        return {"source": to_signed_float(source), "target": to_signed_float(target), "label": -1}

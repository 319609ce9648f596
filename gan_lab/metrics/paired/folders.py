"""Two folders of images matched by file stem (``0001.png`` in one with ``0001.jpg`` in the other),
read as uint8 tensors, for paired metrics on outputs written by any tool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor

from gan_lab.errors import GanLabError, ImageReadError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def images_by_stem(folder: str | Path) -> dict[str, Path]:
    """``{stem: file}`` of the images directly in ``folder``; two files with one stem are an error."""
    root = Path(str(folder)).expanduser()
    if not root.is_dir():
        raise GanLabError(f"image folder not found: {root}")
    found: dict[str, Path] = {}
    for path in sorted(root.iterdir()):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            if path.stem in found:
                raise GanLabError(f"{root} holds two images named {path.stem!r}: {found[path.stem].name}, {path.name}")
            found[path.stem] = path
    if not found:
        raise GanLabError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {root}")
    return found


def matched_stems(folder1: str | Path, folder2: str | Path) -> list[tuple[str, Path, Path]]:
    """``(stem, file in folder1, file in folder2)`` sorted by stem; every file must have its partner."""
    a, b = images_by_stem(folder1), images_by_stem(folder2)
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if only_a or only_b:

        def names(files: dict[str, Path], stems: list[str]) -> str:
            shown = ", ".join(files[s].name for s in stems[:10])
            return shown + (f" and {len(stems) - 10} more" if len(stems) > 10 else "")

        parts = [f"{len(only_a)} in {folder1} ({names(a, only_a)})"] if only_a else []
        parts += [f"{len(only_b)} in {folder2} ({names(b, only_b)})"] if only_b else []
        raise GanLabError("paired metrics match images by file name (stem); unmatched files: " + "; ".join(parts))
    return [(stem, a[stem], b[stem]) for stem in sorted(a)]


def read_uint8(path: Path, mode: str) -> Tensor:
    """uint8 ``[C, H, W]`` of an image converted to PIL ``mode`` (``"L"`` or ``"RGB"``)."""
    try:
        with Image.open(path) as img:
            array = np.asarray(img.convert(mode))
    except (OSError, ValueError) as err:
        raise ImageReadError(f"cannot read image {path}: {err}") from None
    array = array[:, :, None] if array.ndim == 2 else array
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def _mode(path: Path) -> str:
    try:
        with Image.open(path) as img:
            return img.mode
    except (OSError, ValueError) as err:
        raise ImageReadError(f"cannot read image {path}: {err}") from None


def image_pairs(folder1: str | Path, folder2: str | Path) -> Iterator[tuple[str, Tensor, Tensor]]:
    """``(stem, output, target)`` uint8 ``[1, C, H, W]`` pairs. Both images of a pair are read as grey when
    both files are grey (mode L / I / 1), else as RGB; the two images of a pair must have the same size."""
    for stem, path1, path2 in matched_stems(folder1, folder2):
        grey = all(_mode(p) in ("L", "1", "I", "I;16", "LA") for p in (path1, path2))
        mode = "L" if grey else "RGB"
        out, tgt = read_uint8(path1, mode), read_uint8(path2, mode)
        if out.shape != tgt.shape:
            raise GanLabError(
                f"{stem}: {path1.name} is {out.shape[2]}x{out.shape[1]} but {path2.name} is "
                f"{tgt.shape[2]}x{tgt.shape[1]} (W x H); paired metrics need equal sizes"
            )
        yield stem, out.unsqueeze(0), tgt.unsqueeze(0)

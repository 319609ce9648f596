"""Any folder tree of image files, labelled by first-level sub-folder when possible."""

import os
import warnings
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import Dataset

from gan_lab.datasets.transforms import image_transform
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, ImageReadError

DEFAULT_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def find_images(root: Path, extensions: tuple[str, ...]) -> list[Path]:
    """Sorted image paths under ``root`` (case-insensitive extensions).

    Hidden files and folders are skipped: macOS leaves ``._name.jpg`` resource
    forks next to real images, and they are not images. Symlinked folders are
    followed, each real folder only once (a link cycle cannot loop forever).
    """
    extensions = tuple(e.lower() for e in extensions)
    found, seen = [], set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(folder, f) for f in files if not f.startswith(".") and f.lower().endswith(extensions)]
    return sorted(found)


def _is_readable(path: Path) -> bool:
    """Cheap check (header + structure, no full decode) that PIL can open ``path``."""
    try:
        with Image.open(path) as img:
            img.verify()
        return True
    except Exception:  # PIL raises many types (OSError, SyntaxError, ValueError, ...)
        return False


class ImageFolderImages(Dataset):
    """Images under ``root``, passed through :func:`image_transform`.

    If every image lies inside a first-level sub-folder, the sorted names of
    those sub-folders are the ``classes`` (nested folders belong to their
    first-level ancestor); otherwise the data is unlabelled (``num_classes is
    None``, label -1). Every file is checked at construction so a bad file
    fails now with its name, not hours into training.
    Items: ``(float32 [channels, image_size, image_size] in [-1, 1], int label)``.
    """

    data_kind = "image"

    def __init__(
        self,
        root: str,
        image_size: int,
        channels: int,
        extensions: tuple[str, ...] = DEFAULT_EXTENSIONS,
        skip_corrupt: bool = False,
    ):
        if root is None:
            raise DatasetNotFoundError(
                "dataset.root is not set: point to your images with dataset.root=/path/to/images"
            )
        self.root = Path(root).expanduser().resolve()
        if not self.root.is_dir():
            raise DatasetNotFoundError(
                f"Image folder {self.root} does not exist (or is not a folder). "
                f"Point to your images with the override dataset.root=/path/to/images"
            )
        self.transform = image_transform(image_size, channels)
        extensions = (extensions,) if isinstance(extensions, str) else tuple(extensions)
        paths = find_images(self.root, extensions)
        if not paths:
            raise EmptyDatasetError(f"No images with extensions {', '.join(extensions)} found under {self.root}")

        bad = []
        for path in paths:
            if not _is_readable(path):
                if not skip_corrupt:
                    raise ImageReadError(
                        f"Cannot read image {path} (empty, corrupt or unreadable). "
                        f"Remove it, or set dataset.skip_corrupt=true to skip unreadable files"
                    )
                bad.append(path)
        if bad:
            names = ", ".join(str(p) for p in bad[:3]) + (", ..." if len(bad) > 3 else "")
            warnings.warn(f"Skipped {len(bad)} unreadable image(s) under {self.root}: {names}", stacklevel=2)
            bad_set = set(bad)
            paths = [p for p in paths if p not in bad_set]
            if not paths:
                raise EmptyDatasetError(f"All {len(bad)} images under {self.root} are unreadable")

        first_parts = [p.relative_to(self.root).parts for p in paths]
        if all(len(parts) > 1 for parts in first_parts):
            self.classes = sorted({parts[0] for parts in first_parts})
            index = {name: i for i, name in enumerate(self.classes)}
            labels = [index[parts[0]] for parts in first_parts]
            self.num_classes = len(self.classes)
        else:
            self.classes, self.num_classes = [], None
            labels = [-1] * len(paths)
        self.samples = list(zip(paths, labels))
        self.targets = torch.tensor(labels, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[index]
        try:
            with Image.open(path) as img:
                image = self.transform(img)
        except Exception as err:  # verify() does not decode pixels; a truncated file fails here
            raise ImageReadError(f"Cannot decode image {path} ({err}); remove or replace it") from None
        return image, label

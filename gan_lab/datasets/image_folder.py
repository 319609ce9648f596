"""Any folder tree of image files, labelled by first-level sub-folder when possible."""

import json
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


def decode_problem(path: Path) -> str | None:
    """None if PIL decodes every pixel of ``path``, else what is wrong with it.

    A full decode: ``Image.verify()`` reads no pixel data, so a truncated JPEG
    passes it and then fails when training first loads it, hours later.
    """
    try:
        with Image.open(path) as img:
            img.load()
        return None
    except Image.DecompressionBombError as err:
        return (
            f"too large to decode safely ({err}); PIL refuses images over twice PIL.Image.MAX_IMAGE_PIXELS="
            f"{Image.MAX_IMAGE_PIXELS} pixels as possible decompression bombs. Downscale it, or remove it"
        )
    except Exception as err:  # PIL raises many types (OSError, SyntaxError, ValueError, ...)
        return f"empty, corrupt or unreadable: {type(err).__name__}: {err}"


class DecodeCheckCache:
    """The files that decoded fine, by path, size and modification time, so that the full decode
    of a large folder is paid once (``$GAN_LAB_CACHE`` or ``~/.cache/gan_lab``, ``image_checks/``).
    A file that changed (size or mtime) is decoded again."""

    def __init__(self, root: Path) -> None:
        import hashlib

        cache_dir = Path(os.environ.get("GAN_LAB_CACHE", Path.home() / ".cache" / "gan_lab")).expanduser()
        self.path = cache_dir / "image_checks" / f"{hashlib.sha1(str(root).encode()).hexdigest()[:16]}.json"
        try:
            self.entries: dict[str, list[int]] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    @staticmethod
    def _key(path: Path) -> tuple[str, list[int]]:
        stat = path.stat()
        return str(path), [stat.st_size, stat.st_mtime_ns]

    def problem(self, path: Path) -> str | None:
        key, signature = self._key(path)
        if self.entries.get(key) == signature:
            return None
        problem = decode_problem(path)
        if problem is None:
            self.entries[key] = signature
            self.changed = True
        return problem

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(self.entries))
            os.replace(tmp, self.path)
        except OSError:  # a read-only home: the check still ran, it is only not remembered
            pass


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
        checks = DecodeCheckCache(self.root)
        try:
            for path in paths:
                problem = checks.problem(path)
                if problem is not None:
                    if not skip_corrupt:
                        raise ImageReadError(
                            f"Cannot read image {path} ({problem}). "
                            f"Remove it, or set dataset.skip_corrupt=true to skip unreadable files"
                        )
                    bad.append(path)
        finally:
            checks.save()
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
        self.skip_corrupt = bool(skip_corrupt)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        if not -len(self.samples) <= index < len(self.samples):
            # the sequence protocol: `for image, label in dataset` and list(dataset) must end
            raise IndexError(f"image index {index} out of range for {len(self.samples)} images")
        index %= len(self.samples)
        # Checked at start-up; a file can still break later (replaced or damaged while training).
        for offset in range(len(self.samples)):
            path, label = self.samples[(index + offset) % len(self.samples)]
            try:
                with Image.open(path) as img:
                    return self.transform(img), label
            except Exception as err:
                if not self.skip_corrupt:
                    raise ImageReadError(
                        f"Cannot decode image {path} ({err}); remove or replace it, or set dataset.skip_corrupt=true"
                    ) from None
                warnings.warn(f"Skipped unreadable image {path} ({err}); using the next one", stacklevel=2)
        raise ImageReadError(f"No image under {self.root} can be decoded any more")

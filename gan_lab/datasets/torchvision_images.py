"""torchvision's MNIST, Fashion-MNIST and CIFAR-10, with a clear error when missing."""

import os
from contextlib import suppress
from http.client import HTTPException
from pathlib import Path

import torch
from torch.utils.data import Dataset
from torchvision import datasets

from gan_lab.datasets.transforms import image_transform
from gan_lab.errors import DatasetNotFoundError, GanLabError

# name -> (torchvision class, expected on-disk layout under <root>). torchvision
# unpacks the .gz / .tar.gz archives only when download=True (no network needed
# if they are already there); with download=False it wants the unpacked files.
_DATASETS = {
    "mnist": (datasets.MNIST, "<root>/MNIST/raw/train-images-idx3-ubyte.gz and the other three MNIST files"),
    "fashion_mnist": (
        datasets.FashionMNIST,
        "<root>/FashionMNIST/raw/train-images-idx3-ubyte.gz and the other three Fashion-MNIST files",
    ),
    "cifar10": (datasets.CIFAR10, "<root>/cifar-10-batches-py/ or <root>/cifar-10-python.tar.gz"),
}


def _first_missing_folder(path: Path) -> Path | None:
    """The top-most folder of ``path`` that does not exist yet (torchvision's download creates it)."""
    if path.exists():
        return None
    while not path.parent.exists():
        path = path.parent
    return path


def _remove_empty_folders(top: Path | None) -> None:
    """Remove ``top`` and the folders below it, bottom-up, as long as they are empty (files stay)."""
    if top is None or not top.is_dir():
        return
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        with suppress(OSError):
            folder.rmdir()
    with suppress(OSError):
        top.rmdir()


def _image_folder_hint(root: Path) -> str:
    """A hint when ``root`` holds image files (e.g. CIFAR-10 exported as JPEGs): those are read by
    ``dataset=image_folder``, not by torchvision's loaders, which want the original archives."""
    from gan_lab.datasets.image_folder import DEFAULT_EXTENSIONS

    has_images = any(
        name.lower().endswith(DEFAULT_EXTENSIONS) for _, _, files in os.walk(root) for name in files
    )  # stops at the first image file
    if not has_images:
        return ""
    return (
        f" {root} holds image files: for a folder of images use dataset=image_folder dataset.root={root} "
        "(one sub-folder per class gives labels: add dataset.num_classes=<number of sub-folders>)"
    )


class TorchvisionImages(Dataset):
    """One of ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"`` passed through :func:`image_transform`.

    Items: ``(float32 [channels, image_size, image_size] in [-1, 1], int label)``.
    """

    num_classes = 10
    data_kind = "image"

    def __init__(
        self,
        name: str,
        root: str,
        image_size: int,
        channels: int,
        train: bool = True,
        download: bool = True,
    ):
        if name not in _DATASETS:
            raise GanLabError(f"unknown torchvision dataset {name!r}; choose one of {sorted(_DATASETS)}")
        cls, layout = _DATASETS[name]
        root_path = Path(root).expanduser().resolve()
        first_new = _first_missing_folder(root_path)
        try:
            self.data = cls(
                root=str(root_path),
                train=train,
                transform=image_transform(image_size, channels),
                download=download,
            )
        # Offline, torchvision raises URLError (an OSError) or RuntimeError; both
        # also mean "files missing" when download=False.
        except (RuntimeError, OSError, HTTPException) as err:
            _remove_empty_folders(first_new)  # a failed download leaves no empty dataset.root behind
            if download:  # torchvision's last line is the root cause, e.g. "<urlopen error ...>"
                lines = str(err).strip().splitlines() or [type(err).__name__]
                how = f"the download failed ({lines[-1].strip()[:200]})"
            else:
                how = "dataset.download=false"
            raise DatasetNotFoundError(
                f"Dataset {name!r} not found in {root_path} and {how}. "
                f"Expected layout: {layout.replace('<root>', str(root_path))}. "
                f"Point to the files with the override dataset.root=/path/to/data; dataset.download=true "
                f"unpacks archives found there and, when online, fetches missing files." + _image_folder_hint(root_path)
            ) from None
        self.name = name
        self.classes = list(self.data.classes)
        self.targets = torch.as_tensor(self.data.targets, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image, label = self.data[index]
        return image, int(label)

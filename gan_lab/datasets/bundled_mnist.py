"""The MNIST test split shipped inside the package, so training works offline."""

import gzip
from importlib import resources

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from gan_lab.errors import IncompatibleConfigError

_ASSETS = "assets/mnist"


def _read_idx(name: str, magic: int, header_ints: int) -> np.ndarray:
    """Read a gzipped IDX file: big-endian int32 header, then uint8 payload."""
    with resources.files("gan_lab.datasets").joinpath(f"{_ASSETS}/{name}").open("rb") as raw:
        data = gzip.decompress(raw.read())
    header = np.frombuffer(data, dtype=">i4", count=header_ints)
    if header[0] != magic:
        raise ValueError(f"{name}: bad IDX magic number {header[0]}, expected {magic}")
    return np.frombuffer(data, dtype=np.uint8, offset=4 * header_ints).reshape(header[1:])


class BundledMNIST(Dataset):
    """The 10,000 MNIST test digits bundled in ``gan_lab/datasets/assets/mnist``.

    torchvision's ``MNIST`` class cannot read them: it insists on all four
    files (train and test) being present before it loads either split.

    All images are resized once in ``__init__`` and kept as uint8
    ``[N, 1, H, W]`` (float32 at 256 px and 3 channels would take ~8 GB);
    ``__getitem__`` only scales to [-1, 1] and repeats channels.
    Items: ``(float32 [channels, image_size, image_size] in [-1, 1], int label)``.
    """

    num_classes = 10
    data_kind = "image"

    def __init__(self, image_size: int = 28, channels: int = 1):
        if channels not in (1, 3):
            raise IncompatibleConfigError(f"image channels must be 1 or 3, got {channels}")
        if int(image_size) < 1:
            raise IncompatibleConfigError(f"image_size must be a positive integer, got {image_size}")
        self.image_size = int(image_size)
        self.channels = channels
        images = torch.from_numpy(_read_idx("t10k-images-idx3-ubyte.gz", 2051, 4).copy())
        self.targets = torch.from_numpy(_read_idx("t10k-labels-idx1-ubyte.gz", 2049, 2).astype(np.int64))
        images = images.unsqueeze(1)  # [N, 1, 28, 28]
        if self.image_size != images.shape[-1]:
            images = self._resize(images, self.image_size)
        self.images = images

    @staticmethod
    def _resize(images: torch.Tensor, size: int, chunk: int = 1000) -> torch.Tensor:
        """Bilinear, antialiased resize in chunks, to bound the float32 peak memory."""
        out = torch.empty(len(images), 1, size, size, dtype=torch.uint8)
        for start in range(0, len(images), chunk):
            batch = images[start : start + chunk].float()
            resized = F.interpolate(batch, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
            out[start : start + chunk] = resized.round_().clamp_(0, 255).to(torch.uint8)
        return out

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = self.images[index].float().div_(127.5).sub_(1.0)
        if self.channels == 3:
            image = image.expand(3, -1, -1).contiguous()
        return image, int(self.targets[index])

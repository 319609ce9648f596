"""torchvision datasets: clear error when missing, real MNIST when present."""

import os
from pathlib import Path

import pytest
import torch

from gan_lab.datasets.torchvision_images import TorchvisionImages
from gan_lab.errors import DatasetNotFoundError, GanLabError

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_missing_data_names_path_and_override(tmp_path, name):
    with pytest.raises(DatasetNotFoundError) as info:
        TorchvisionImages(name, root=str(tmp_path), image_size=28, channels=1, download=False)
    message = str(info.value)
    assert str(tmp_path.resolve()) in message and "dataset.root=" in message and name in message
    assert info.value.__suppress_context__  # raised "from None": no chained traceback


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_a_failed_download_leaves_no_empty_folders_behind(tmp_path, monkeypatch, name):
    from urllib.error import URLError

    from gan_lab.datasets import torchvision_images

    cls = torchvision_images._DATASETS[name][0]

    def offline_download(self):  # what torchvision does offline: make its folders, then fail
        os.makedirs(os.path.join(self.root, "partial", "raw"), exist_ok=True)
        raise URLError("Name or service not known")

    monkeypatch.setattr(cls, "download", offline_download)
    root = tmp_path / "new" / "data"
    with pytest.raises(DatasetNotFoundError, match="download failed"):
        TorchvisionImages(name, root=str(root), image_size=28, channels=1, download=True)
    assert list(tmp_path.iterdir()) == []  # the typo'd or not-yet-made dataset.root is not created


def test_a_folder_of_image_files_points_to_image_folder(tmp_path):
    from PIL import Image

    (tmp_path / "test" / "cat").mkdir(parents=True)
    Image.new("RGB", (32, 32)).save(tmp_path / "test" / "cat" / "0001.jpg")
    with pytest.raises(
        DatasetNotFoundError, match=f"holds image files: .*dataset=image_folder dataset.root={tmp_path}"
    ):
        TorchvisionImages("cifar10", root=str(tmp_path), image_size=32, channels=3, download=False)
    with pytest.raises(DatasetNotFoundError) as info:  # no images there: no such hint
        TorchvisionImages("cifar10", root=str(tmp_path / "test" / "dog"), image_size=32, channels=3, download=False)
    assert "image_folder" not in str(info.value)


def test_unknown_name(tmp_path):
    with pytest.raises(GanLabError, match="cifar10"):
        TorchvisionImages("imagenet", root=str(tmp_path), image_size=28, channels=1)


def test_real_mnist_train(tmp_path):
    raw = SHARED_DATA / "MNIST" / "raw"
    if not raw.is_dir():
        pytest.skip(f"{raw} not available")
    # torchvision unpacks the archives next to them: link them into tmp_path so
    # the shared folder is never written to.
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    for archive in raw.glob("*.gz"):
        os.symlink(archive, tmp_path / "MNIST" / "raw" / archive.name)
    data = TorchvisionImages("mnist", root=str(tmp_path), image_size=32, channels=3, train=True, download=True)
    assert len(data) == 60_000 and data.num_classes == 10 and data.data_kind == "image"
    image, label = data[0]
    assert image.shape == (3, 32, 32) and isinstance(label, int) and label == 5  # first train digit is a 5
    assert image.min() >= -1 and image.max() <= 1 and image.min() < -0.99 and image.max() > 0.9
    assert torch.bincount(data.targets).tolist()[1] == 6742  # real count of ones in the train split

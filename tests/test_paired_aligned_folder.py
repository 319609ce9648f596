"""AlignedFolderPairs: A|B halves, direction, shared jitter crop and flip, modes, bad folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gan_lab.datasets.paired import AlignedFolderPairs
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, ImageReadError, IncompatibleConfigError


def _save_pair(path: Path, left: np.ndarray, right: np.ndarray, mode: str = "RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate([left, right], axis=1)).convert(mode).save(path)


def _solid(value, size=16) -> np.ndarray:
    return np.full((size, size, 3), value, dtype=np.uint8)


def test_halves_and_direction(tmp_path):
    _save_pair(tmp_path / "train" / "a.png", _solid((255, 0, 0)), _solid((0, 0, 255)))
    a_to_b = AlignedFolderPairs(str(tmp_path), image_size=8, flip=False)
    item = a_to_b[0]
    assert set(item) == set(a_to_b.provides) == {"source", "target", "label"} and item["label"] == -1
    assert item["source"].shape == item["target"].shape == (3, 8, 8)
    assert torch.equal(item["source"][:, 0, 0], torch.tensor([1.0, -1.0, -1.0]))  # red on the left
    assert torch.equal(item["target"][:, 0, 0], torch.tensor([-1.0, -1.0, 1.0]))  # blue on the right
    b_to_a = AlignedFolderPairs(str(tmp_path), image_size=8, direction="BtoA")[0]
    assert torch.equal(b_to_a["source"], item["target"]) and torch.equal(b_to_a["target"], item["source"])


def test_jitter_crop_and_flip_identical_on_both_halves(tmp_path):
    half = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    _save_pair(tmp_path / "train" / "same.png", half, half)
    data = AlignedFolderPairs(str(tmp_path), image_size=16, load_size=24, flip=True)
    crops = set()
    for seed in range(12):
        torch.manual_seed(seed)
        item = data[0]
        assert item["source"].shape == (3, 16, 16)
        assert torch.equal(item["source"], item["target"])
        crops.add(item["source"].numpy().tobytes())
    assert len(crops) > 3  # the crop position (and flip) really varies


def test_test_split_is_deterministic_resize(tmp_path):
    half = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    _save_pair(tmp_path / "test" / "x.jpg", half, half)
    data = AlignedFolderPairs(str(tmp_path), split="test", image_size=16, load_size=24)
    torch.manual_seed(0)
    first = data[0]
    torch.manual_seed(1)
    assert torch.equal(first["source"], data[0]["source"])
    assert first["target"].shape == (3, 16, 16)


@pytest.mark.parametrize("mode", ["L", "P", "RGBA"])
def test_modes_and_channel_counts(tmp_path, mode):
    half = np.random.default_rng(2).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    _save_pair(tmp_path / "train" / "m.png", half, half, mode)
    item = AlignedFolderPairs(str(tmp_path), image_size=8, channels=3, source_channels=1)[0]
    assert item["source"].shape == (1, 8, 8) and item["target"].shape == (3, 8, 8)
    assert item["source"].dtype == torch.float32 and item["source"].abs().max() <= 1.0


def test_bad_folders(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="dataset.root is not set"):
        AlignedFolderPairs(None)
    with pytest.raises(DatasetNotFoundError, match=r"root/train/\*\.jpg"):
        AlignedFolderPairs(str(tmp_path))
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "notes.txt").write_text("not an image")
    with pytest.raises(EmptyDatasetError, match=str(tmp_path / "train")):
        AlignedFolderPairs(str(tmp_path))
    (tmp_path / "train" / "broken.png").write_bytes(b"")
    with pytest.raises(ImageReadError, match="broken.png"):
        AlignedFolderPairs(str(tmp_path))
    _save_pair(tmp_path / "train" / "ok.png", _solid(0), _solid(255))
    with pytest.warns(UserWarning, match="Skipped 1"):
        assert len(AlignedFolderPairs(str(tmp_path), skip_corrupt=True, image_size=8)) == 1
    with pytest.raises(IncompatibleConfigError, match="load_size"):
        AlignedFolderPairs(str(tmp_path), image_size=16, load_size=8, skip_corrupt=True)
    with pytest.raises(IncompatibleConfigError, match="AtoB or BtoA"):
        AlignedFolderPairs(str(tmp_path), direction="AB")

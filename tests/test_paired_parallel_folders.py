"""ParallelFolderPairs: matching by name, split sub-folders, LR/HR scale, unmatched and missing files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from gan_lab.datasets.paired import ParallelFolderPairs
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, IncompatibleConfigError


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def _random(seed: int, size: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_matched_by_name_across_extensions(tmp_path):
    for i, name in enumerate(["b", "a", "sub/c"]):
        _save(tmp_path / "src" / f"{name}.png", _random(i, 16))
        _save(tmp_path / "tgt" / f"{name}.bmp", _random(i, 16))
    data = ParallelFolderPairs(str(tmp_path / "src"), str(tmp_path / "tgt"), image_size=8)
    assert [(s.stem, t.stem) for s, t in data.pairs] == [("a", "a"), ("b", "b"), ("c", "c")]
    for i in range(len(data)):
        item = data[i]
        assert torch.equal(item["source"], item["target"]) and item["label"] == -1  # same crop and flip


def test_split_subfolders_used_when_present(tmp_path):
    for split, seed in (("train", 0), ("test", 1)):
        _save(tmp_path / "src" / split / "x.png", _random(seed, 8))
        _save(tmp_path / "tgt" / split / "x.png", _random(seed, 8))
    train = ParallelFolderPairs(str(tmp_path / "src"), str(tmp_path / "tgt"), image_size=8)
    test = ParallelFolderPairs(str(tmp_path / "src"), str(tmp_path / "tgt"), split="test", image_size=8)
    assert train.pairs[0][0].parent.name == "train" and test.pairs[0][0].parent.name == "test"
    expected = torch.from_numpy(_random(1, 8)).permute(2, 0, 1).float() / 127.5 - 1
    torch.testing.assert_close(test[0]["target"], expected)


def test_lr_hr_pairs_crop_the_same_place(tmp_path):
    hr = _random(3, 32)
    lr = F.avg_pool2d(torch.from_numpy(hr).permute(2, 0, 1).float().unsqueeze(0), 4)[0]
    _save(tmp_path / "lr" / "0001x4.png", lr.round().byte().permute(1, 2, 0).numpy())
    _save(tmp_path / "hr" / "0001.png", hr)
    data = ParallelFolderPairs(
        str(tmp_path / "lr"),
        str(tmp_path / "hr"),
        image_size=16,
        scale=4,
        load_size="native",
        strip_source_suffix="x4",
    )
    for seed in range(10):
        torch.manual_seed(seed)
        item = data[0]
        assert item["source"].shape == (3, 4, 4) and item["target"].shape == (3, 16, 16)
        pooled = F.avg_pool2d(item["target"].unsqueeze(0), 4)[0]
        torch.testing.assert_close(item["source"], pooled, atol=1.5 / 127.5, rtol=0)  # 8-bit rounding only


def test_scale_resizes_source_to_image_size_over_scale(tmp_path):
    _save(tmp_path / "a" / "x.png", _random(0, 20))
    _save(tmp_path / "b" / "x.png", _random(1, 40))
    item = ParallelFolderPairs(str(tmp_path / "a"), str(tmp_path / "b"), image_size=16, scale=2)[0]
    assert item["source"].shape == (3, 8, 8) and item["target"].shape == (3, 16, 16)
    with pytest.raises(IncompatibleConfigError, match="Sizes that work"):
        ParallelFolderPairs(str(tmp_path / "a"), str(tmp_path / "b"), image_size=18, scale=4)


def test_unmatched_files_named_or_skipped(tmp_path):
    for name in ("shared", "only_src"):
        _save(tmp_path / "src" / f"{name}.png", _random(0, 8))
    for name in ("shared", "only_tgt"):
        _save(tmp_path / "tgt" / f"{name}.png", _random(0, 8))
    with pytest.raises(IncompatibleConfigError, match="only_src.*only_tgt.*skip_unmatched=true"):
        ParallelFolderPairs(str(tmp_path / "src"), str(tmp_path / "tgt"), image_size=8)
    with pytest.warns(UserWarning, match="Unmatched"):
        data = ParallelFolderPairs(str(tmp_path / "src"), str(tmp_path / "tgt"), image_size=8, skip_unmatched=True)
    assert len(data) == 1


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="source_root is not set"):
        ParallelFolderPairs(None, str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match="nowhere"):
        ParallelFolderPairs(str(tmp_path / "nowhere"), str(tmp_path))
    (tmp_path / "empty").mkdir()
    _save(tmp_path / "tgt" / "x.png", _random(0, 8))
    with pytest.raises(EmptyDatasetError, match="empty"):
        ParallelFolderPairs(str(tmp_path / "empty"), str(tmp_path / "tgt"))

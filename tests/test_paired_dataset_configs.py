"""Every paired dataset config composes with train.yaml, has the contract's keys and instantiates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import compose_config
from omegaconf import OmegaConf
from PIL import Image

from gan_lab.builders import instantiate  # unwraps Hydra's InstantiationException around GanLabError
from gan_lab.config_path import config_dir
from gan_lab.errors import DatasetNotFoundError

CONTRACT_KEYS = {
    "name", "kind", "provides", "image_size", "channels", "source_channels", "scale",
    "num_classes", "preview_samples", "eval_split", "source",
}  # fmt: skip
BUNDLED = ["edges2digits", "sr_digits", "inpaint_digits"]


def _check(cfg, name: str) -> None:
    dataset = cfg.dataset
    assert CONTRACT_KEYS <= set(dataset) and dataset.name == name and dataset.kind == "paired"
    assert dataset.num_classes is None and dataset.preview_samples == 8 and dataset.eval_split == "test"
    assert list(dataset.shape) == [dataset.channels, dataset.image_size, dataset.image_size]
    OmegaConf.to_container(dataset, resolve=True)  # every interpolation resolves
    for split in ("train", dataset.eval_split):
        data = instantiate(dataset.source, split=split)
        assert tuple(data.provides) == tuple(dataset.provides)
        item = data[0]
        assert set(item) == set(dataset.provides)
        size, scale = dataset.image_size, dataset.scale
        assert item["target"].shape == (dataset.channels, size, size)
        assert item["source"].shape == (dataset.source_channels, size // scale, size // scale)
        for value in (item["source"], item["target"]):
            assert value.dtype == torch.float32 and value.min() >= -1 and value.max() <= 1
        if "mask" in item:
            assert item["mask"].shape == (1, size, size)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_digit_configs(tmp_path, name):
    _check(compose_config([f"dataset={name}"], tmp_path), name)


def _photo(seed: int, size: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)


def test_aligned_folder_config(tmp_path):
    root = tmp_path / "facades"
    for split in ("train", "test"):
        (root / split).mkdir(parents=True)
        Image.fromarray(_photo(0, (64, 32))).save(root / split / "1.jpg")
    overrides = ["dataset=aligned_folder", f"dataset.root={root}", "dataset.image_size=16", "dataset.load_size=20"]
    _check(compose_config(overrides, tmp_path), "aligned_folder")
    cfg = compose_config(["dataset=aligned_folder"], tmp_path)
    with pytest.raises(DatasetNotFoundError, match="dataset.root is not set"):
        instantiate(cfg.dataset.source)


def test_parallel_folders_config(tmp_path):
    for name, size in (("lr", 16), ("hr", 32)):
        for split in ("train", "test"):
            (tmp_path / name / split).mkdir(parents=True)
            Image.fromarray(_photo(1, (size, size))).save(tmp_path / name / split / "a.png")
    overrides = [
        "dataset=parallel_folders",
        f"dataset.source_root={tmp_path / 'lr'}",
        f"dataset.target_root={tmp_path / 'hr'}",
        "dataset.image_size=16",
        "dataset.scale=2",
        "dataset.load_size=native",
    ]
    _check(compose_config(overrides, tmp_path), "parallel_folders")


def test_sr_folder_config(tmp_path):
    photos = tmp_path / "hr"
    photos.mkdir()
    for i in range(10):
        Image.fromarray(_photo(i, (40, 36))).save(photos / f"{i}.png")
    overrides = ["dataset=sr_folder", f"dataset.root={photos}", "dataset.image_size=16", "dataset.load_size=32"]
    _check(compose_config(overrides, tmp_path), "sr_folder")


def test_gray2color_folder_config(tmp_path):
    photos = tmp_path / "photos"
    for label in ("cat", "dog"):
        (photos / label).mkdir(parents=True)
        for i in range(5):
            Image.fromarray(_photo(i, (20, 20))).save(photos / label / f"{i}.png")
    overrides = [
        "dataset=gray2color_folder",
        f"dataset.root={photos}",
        "dataset.image_size=16",
        "dataset.holdout_fraction=0.5",
    ]
    cfg = compose_config(overrides, tmp_path)
    _check(cfg, "gray2color_folder")
    test = instantiate(cfg.dataset.source, split="test")
    assert {test[i]["label"] for i in range(len(test))} != {1}  # shuffled: not only the last class held out


def test_every_paired_config_is_tested_here():
    paired = {
        path.stem
        for path in Path(config_dir(), "dataset").glob("*.yaml")
        if OmegaConf.load(path).get("kind") == "paired"
    }
    assert paired == {*BUNDLED, "aligned_folder", "parallel_folders", "sr_folder", "gray2color_folder"}, (
        "add a test for the new config"
    )

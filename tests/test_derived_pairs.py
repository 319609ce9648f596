"""DerivedPairs: edges, grayscale, downsample and mask sources; splits; seeded masks; bad configs."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from gan_lab.datasets.paired import CenterBoxMask, DerivedPairs, RandomBoxMask, luminance, sobel_edges
from gan_lab.errors import EmptyDatasetError, IncompatibleConfigError


class Images(Dataset):
    """``n`` random images in [-1, 1] labelled by index."""

    def __init__(self, n: int = 20, channels: int = 3, size: int = 16):
        self.images = torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(0)) * 2 - 1

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index], index


def test_edges_of_a_square_land_on_its_border():
    image = -torch.ones(1, 16, 16)
    image[:, 4:12, 4:12] = 1.0
    edges = sobel_edges(image)[0] > 0
    inside = torch.zeros(16, 16, dtype=torch.bool)
    inside[4:12, 4:12] = True
    grown = F.max_pool2d(inside[None, None].float(), 3, 1, 1)[0, 0].bool()  # the square and its 1-px ring
    shrunk = -F.max_pool2d(-inside[None, None].float(), 3, 1, 1)[0, 0] > 0  # the square minus its border
    assert torch.equal(edges, grown & ~shrunk)  # exactly the pixels on either side of the border
    assert edges.sum() == 4 * 7 + 4 * 9  # the inner ring (8x8 border: 28) plus the outer ring (10x10 border: 36)
    assert set(sobel_edges(torch.zeros(3, 8, 8)).unique().tolist()) == {-1.0}  # flat image: no edges


def test_grayscale_is_bt601_luminance_by_hand():
    pixel = torch.tensor([0.5, -0.2, 1.0]).view(3, 1, 1)
    assert luminance(pixel).item() == pytest.approx(0.299 * 0.5 + 0.587 * -0.2 + 0.114 * 1.0)
    data = DerivedPairs(Images(), "grayscale", split="all")
    item = data[3]
    assert item["source"].shape == (1, 16, 16) and item["target"].shape == (3, 16, 16)
    r, g, b = item["target"][:, 5, 7].tolist()
    assert item["source"][0, 5, 7].item() == pytest.approx(0.299 * r + 0.587 * g + 0.114 * b, abs=1e-6)
    assert data.source_channels == 1 and data.target_channels == 3


def test_downsample_is_antialiased_bicubic_and_clamped():
    data = DerivedPairs(Images(), "downsample", scale=4, split="all")
    item = data[0]
    assert item["source"].shape == (3, 4, 4) and data.scale == 4
    expected = F.interpolate(item["target"][None], size=(4, 4), mode="bicubic", antialias=True)[0].clamp(-1, 1)
    torch.testing.assert_close(item["source"], expected)
    assert item["source"].abs().max() <= 1.0
    flat = DerivedPairs(Images(), "downsample", scale=2, split="all")[1]
    torch.testing.assert_close(flat["source"].mean(), flat["target"].mean(), atol=0.05, rtol=0)


def test_downsample_refuses_size_not_divisible_by_scale():
    with pytest.raises(IncompatibleConfigError, match="Sizes that work: 12, 16, 20, 24"):
        DerivedPairs(Images(size=18), "downsample", scale=4)
    with pytest.raises(IncompatibleConfigError, match="image_size=14"):
        DerivedPairs(Images(size=16), "downsample", scale=4, image_size=14)


def test_mask_source_is_target_with_hole_zeroed():
    data = DerivedPairs(Images(), "mask", mask=CenterBoxMask(0.5), split="test")
    assert data.provides == ("source", "target", "mask", "label") and DerivedPairs.provides == (
        "source",
        "target",
        "label",
    )
    item = data[0]
    assert set(item) == set(data.provides)
    assert item["mask"].shape == (1, 16, 16) and item["mask"].sum() == 64
    torch.testing.assert_close(item["source"], item["target"] * (1 - item["mask"]))
    assert item["source"][:, 4:12, 4:12].abs().sum() == 0


def test_test_masks_fixed_per_index_train_masks_random():
    test = DerivedPairs(Images(), "mask", mask=RandomBoxMask(0.2, 0.5), split="test", mask_seed=5)
    torch.manual_seed(0)
    first = [test[i]["mask"] for i in range(len(test))]
    torch.manual_seed(1)
    assert all(torch.equal(a, test[i]["mask"]) for i, a in enumerate(first))
    index = test.indices[0]
    assert torch.equal(first[0], RandomBoxMask(0.2, 0.5)(16, 16, torch.Generator().manual_seed(5 + index)))

    train = DerivedPairs(Images(), "mask", mask=RandomBoxMask(0.2, 0.5), split="train")
    torch.manual_seed(0)
    draws = {train[0]["mask"].numpy().tobytes() for _ in range(10)}
    assert len(draws) > 3
    torch.manual_seed(0)
    replay = {train[0]["mask"].numpy().tobytes() for _ in range(10)}
    assert draws == replay  # the global seed reproduces the training masks


def test_splits_hold_out_the_last_fraction():
    base = Images(n=20)
    train = DerivedPairs(base, "edges", split="train", holdout_fraction=0.25)
    test = DerivedPairs(base, "edges", split="test", holdout_fraction=0.25)
    assert train.indices == list(range(15)) and test.indices == list(range(15, 20))
    assert [test[i]["label"] for i in range(len(test))] == list(range(15, 20))
    assert len(DerivedPairs(base, "edges", split="all")) == 20
    shuffled = DerivedPairs(base, "edges", split="test", holdout_fraction=0.25, split_seed=0)
    assert sorted(shuffled.indices) != list(range(15, 20)) and len(shuffled) == 5
    with pytest.raises(EmptyDatasetError, match="holdout_fraction > 0"):
        DerivedPairs(base, "edges", split="test", holdout_fraction=0.0)


def test_crop_flip_and_channel_conversion():
    base = Images(n=4, channels=1, size=16)
    data = DerivedPairs(base, "grayscale", channels=3, image_size=8, flip=True, split="all")
    assert data.random is False
    item = data[0]
    assert item["target"].shape == (3, 8, 8)
    assert torch.equal(item["target"][0], base.images[0, 0, 4:12, 4:12])  # centre crop, not random, off train
    train = DerivedPairs(base, "edges", image_size=8, holdout_fraction=0.25)
    torch.manual_seed(0)
    assert len({train[0]["target"].numpy().tobytes() for _ in range(10)}) > 2


def test_bad_configs_refused():
    with pytest.raises(IncompatibleConfigError, match="derivation must be one of"):
        DerivedPairs(Images(), "blur")
    with pytest.raises(IncompatibleConfigError, match="needs a mask generator"):
        DerivedPairs(Images(), "mask")
    with pytest.raises(IncompatibleConfigError, match="colour target"):
        DerivedPairs(Images(channels=1), "grayscale")
    with pytest.raises(IncompatibleConfigError, match="split must be one of"):
        DerivedPairs(Images(), "edges", split="val")
    with pytest.raises(IncompatibleConfigError, match="larger than the base images"):
        DerivedPairs(Images(), "edges", image_size=32)

"""Unpaired datasets: two folders (CycleGAN layout or two roots), independent resumable sampling,
mode/size conversion, errors that name the folder, and the derived domains with a ground truth."""

import pytest
import torch
from PIL import Image

from gan_lab.datasets.paired.derived_pairs import luminance
from gan_lab.datasets.unpaired import DerivedDomains, GrayColorSplit, UnpairedFolders
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, IncompatibleConfigError


def write(folder, name, size=(40, 30), mode="RGB", value=0):
    folder.mkdir(parents=True, exist_ok=True)
    color = value if mode in ("L", "P") else (value, 255 - value, 10, 128)[: len(mode)]
    Image.new(mode, size, color).save(folder / name)


@pytest.fixture
def layout(tmp_path):
    """trainA: 3 images (values 0, 10, 20), trainB: 5 images of assorted sizes and modes, testA/testB: 2 each."""
    root = tmp_path / "h2z"
    for i in range(3):
        write(root / "trainA", f"a{i}.png", value=10 * i)
    modes = [("RGB", (40, 30)), ("L", (32, 64)), ("RGBA", (50, 50)), ("P", (33, 41)), ("RGB", (64, 32))]
    for i, (mode, size) in enumerate(modes):
        write(root / "trainB", f"b{i}.png", size=size, mode=mode, value=100 + 10 * i)
    for i in range(2):
        write(root / "testA", f"ta{i}.jpg", value=200 + i)
        write(root / "testB", f"tb{i}.jpg", value=220 + i)
    return root


def test_cyclegan_layout_items_have_both_domains_at_the_configured_size(layout):
    data = UnpairedFolders(root=str(layout), image_size=16, channels_a=3, channels_b=1)
    assert len(data) == 5 and data.provides == ("image_a", "image_b", "label")
    for i in range(len(data)):
        item = data[i]
        assert item["image_a"].shape == (3, 16, 16) and item["image_b"].shape == (1, 16, 16)
        assert item["image_a"].dtype == torch.float32 and item["image_b"].abs().max() <= 1.0
        assert item["label"] == -1


def test_a_is_read_in_order_b_at_random_reproducibly(layout):
    data = UnpairedFolders(root=str(layout), image_size=16, flip=False, seed=3)
    # A image i % 3 (constant images: red channel = 10 * index)
    red = [round(float((data[i]["image_a"][0, 0, 0] + 1) * 127.5)) for i in range(5)]
    assert red == [0, 10, 20, 0, 10]
    picks = [data.pick(i)[1] for i in range(5)]
    assert picks == [data.pick(i)[1] for i in range(5)]  # the same epoch and seed: the same draws
    data.set_epoch(1)
    assert picks != [data.pick(i)[1] for i in range(5)]  # another epoch: other B images
    state = torch.get_rng_state()
    data[0]
    assert torch.equal(state, torch.get_rng_state())  # the global RNG is never touched


def test_b_draws_cover_the_domain_uniformly(layout):
    data = UnpairedFolders(root=str(layout), image_size=8)
    counts = torch.zeros(5)
    for epoch in range(200):
        data.set_epoch(epoch)
        for i in range(5):
            counts[data.pick(i)[1]] += 1
    assert counts.min() > 150 and counts.max() < 250  # 200 expected each


def test_flips_are_random_on_train_and_absent_on_test(tmp_path):
    folder = tmp_path / "d"
    image = Image.new("L", (16, 16))
    image.putpixel((0, 0), 255)  # one white corner pixel: a flip moves it
    for name in ("trainA", "trainB", "testA", "testB"):
        (folder / name).mkdir(parents=True)
        image.save(folder / name / "x.png")
    train = UnpairedFolders(root=str(folder), image_size=16, channels_a=1, channels_b=1)
    flipped = []
    for epoch in range(40):
        train.set_epoch(epoch)
        flipped.append(bool(train[0]["image_a"][0, 0, -1] > 0))
    assert 5 < sum(flipped) < 35
    test = UnpairedFolders(root=str(folder), split="test", image_size=16, channels_a=1, channels_b=1)
    assert all(test[0][k][0, 0, 0] > 0 for k in ("image_a", "image_b"))


def test_test_split_pairs_by_position_without_randomness(layout):
    data = UnpairedFolders(root=str(layout), split="test", image_size=16)
    assert len(data) == 2 and data.pick(1)[:2] == (1, 1) and data.pick(1)[2] is None
    assert torch.equal(data[1]["image_b"], data[1]["image_b"])


def test_random_crop_after_resizing_to_load_size(layout):
    data = UnpairedFolders(root=str(layout), image_size=16, load_size=20)
    assert data[0]["image_b"].shape == (3, 16, 16)
    with pytest.raises(IncompatibleConfigError, match="load_size"):
        UnpairedFolders(root=str(layout), image_size=16, load_size=8)


def test_two_roots_with_and_without_split_folders(tmp_path, layout):
    flat = tmp_path / "flat"
    for i in range(2):
        write(flat, f"f{i}.png", value=i)
    data = UnpairedFolders(root_a=str(layout / "trainA"), root_b=str(flat), image_size=8)
    assert (data.len_a, data.len_b) == (3, 2)
    nested = tmp_path / "nested"
    write(nested / "train", "n.png")
    write(nested / "test", "m.png")
    test = UnpairedFolders(root_a=str(nested), root_b=str(nested), split="test", image_size=8)
    assert test.folder_a == (nested / "test").resolve()
    with pytest.warns(UserWarning, match="uses the training images"):
        UnpairedFolders(root_a=str(flat), root_b=str(flat), split="test", image_size=8)


def test_missing_and_empty_folders_are_named(tmp_path, layout):
    with pytest.raises(DatasetNotFoundError, match="valA"):
        UnpairedFolders(root=str(layout), split="val")
    with pytest.raises(DatasetNotFoundError, match="nowhere"):
        UnpairedFolders(root_a=str(tmp_path / "nowhere"), root_b=str(layout))
    with pytest.raises(DatasetNotFoundError, match="root_b not set"):
        UnpairedFolders(root_a=str(layout))
    with pytest.raises(IncompatibleConfigError, match="not both"):
        UnpairedFolders(root=str(layout), root_a=str(layout))
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyDatasetError, match=r"empty \(domain B\)"):
        UnpairedFolders(root_a=str(layout / "trainA"), root_b=str(tmp_path / "empty"))


class Colours(torch.utils.data.Dataset):
    """20 random colour images with labels 0..19."""

    def __init__(self, channels=3):
        self.images = torch.rand(20, channels, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
        self.targets = torch.arange(20)

    def __len__(self):
        return 20

    def __getitem__(self, i):
        return self.images[i], int(self.targets[i])


def test_gray_color_split_has_no_training_pair():
    base = Colours()
    train = GrayColorSplit(base, split="train", holdout_fraction=0.2, flip=False)
    test = GrayColorSplit(base, split="test", holdout_fraction=0.2)
    assert (train.len_a, train.len_b, len(test)) == (8, 8, 4)
    assert not set(train.indices_a) & set(train.indices_b)  # A and B come from different images
    assert not (set(train.indices_a) | set(train.indices_b)) & set(test.indices_a)
    item = train[0]
    gray = item["image_a"]
    assert gray.shape == (3, 8, 8) and torch.equal(gray[0], gray[1]) and torch.equal(gray[1], gray[2])
    assert torch.allclose(gray[:1], luminance(base.images[train.indices_a[0]]))
    assert any(torch.equal(item["image_b"], base.images[j]) for j in train.indices_b)
    assert item["label"] == train.indices_a[0]


def test_gray_color_test_items_carry_the_true_colour_image():
    base = Colours()
    test = GrayColorSplit(base, split="test", holdout_fraction=0.2)
    assert "target_b" in test.provides
    for i in range(len(test)):
        item = test[i]
        truth = base.images[test.indices_a[i]]
        assert torch.equal(item["target_b"], truth)
        assert torch.allclose(item["image_a"][:1], luminance(truth))
        assert not torch.equal(item["image_b"], truth)  # B is another held-out image
    with pytest.raises(IncompatibleConfigError, match="colour"):
        GrayColorSplit(Colours(channels=1))


def test_inverted_domain_and_bad_settings():
    base = Colours(channels=1)
    data = DerivedDomains(base, "identity", "invert", split="test", holdout_fraction=0.2)
    item = data[0]
    assert torch.equal(item["target_b"], -item["image_a"])
    with pytest.raises(IncompatibleConfigError, match="domain_b"):
        DerivedDomains(base, "identity", "sepia")
    with pytest.raises(IncompatibleConfigError, match="split"):
        DerivedDomains(base, "identity", "invert", split="val")


def test_offline_config_builds_its_dataset(tmp_path):
    from helpers import compose_config

    from gan_lab.builders import instantiate

    cfg = compose_config(["task=unpaired", "model=unpaired/cyclegan", "dataset=digits2inverted"], tmp_path)
    data = instantiate(cfg.dataset.source)
    assert list(cfg.dataset.provides) == list(data.provides)
    item = data[0]
    assert item["image_a"].shape == tuple(cfg.dataset.shape) == (1, 32, 32)
    test = instantiate(cfg.dataset.source, split=cfg.dataset.eval_split)
    assert len(test) == 1000 and "target_b" in test[0]

"""ImageFolderImages: labels from sub-folders, modes, resizing and bad files."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gan_lab.datasets.image_folder import ImageFolderImages
from gan_lab.errors import DatasetNotFoundError, EmptyDatasetError, ImageReadError

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _save(path: Path, mode: str = "RGB", size=(12, 8)):
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = Image.fromarray(np.random.default_rng(len(str(path))).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    rgb.convert(mode).save(path)


def test_labels_from_subfolders(tmp_path):
    _save(tmp_path / "dogs" / "a.png")
    _save(tmp_path / "cats" / "b.jpg")
    _save(tmp_path / "cats" / "nested" / "c.PNG")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    data = ImageFolderImages(str(tmp_path), image_size=8, channels=3)
    assert data.classes == ["cats", "dogs"] and data.num_classes == 2 and data.data_kind == "image"
    assert len(data) == 3
    assert sorted(label for _, label in data.samples) == [0, 0, 1]
    assert data.targets.tolist() == [label for _, label in data.samples]


def test_flat_folder_is_unlabelled(tmp_path):
    _save(tmp_path / "top.png")
    _save(tmp_path / "sub" / "inner.png")
    data = ImageFolderImages(str(tmp_path), image_size=8, channels=1)
    assert data.num_classes is None and data.classes == []
    assert [data[i][1] for i in range(len(data))] == [-1, -1]


def test_iteration_ends_after_the_last_image(tmp_path):
    # `for image, label in dataset` uses __getitem__ until IndexError; a wrapping index never ends
    _save(tmp_path / "a.png")
    _save(tmp_path / "b.png")
    data = ImageFolderImages(str(tmp_path), image_size=8, channels=3)
    assert len(list(data)) == 2
    assert torch.equal(data[-1][0], data[1][0])
    with pytest.raises(IndexError):
        data[2]


@pytest.mark.parametrize("channels", [1, 3])
def test_modes_converted_and_non_square_cropped(tmp_path, channels):
    for mode, ext in [("L", "png"), ("P", "png"), ("RGBA", "png"), ("RGB", "jpg"), ("RGB", "bmp")]:
        _save(tmp_path / f"{mode}.{ext}", mode, size=(30, 17))
    data = ImageFolderImages(str(tmp_path), image_size=16, channels=channels)
    assert len(data) == 5
    for i in range(len(data)):
        image, _ = data[i]
        assert image.shape == (channels, 16, 16) and image.dtype == torch.float32
        assert image.min() >= -1 and image.max() <= 1


def test_missing_root(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="dataset.root=") as info:
        ImageFolderImages(str(tmp_path / "nope"), image_size=8, channels=3)
    assert str(tmp_path / "nope") in str(info.value)


def test_empty_folder_names_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no images")
    with pytest.raises(EmptyDatasetError) as info:
        ImageFolderImages(str(tmp_path / "empty"), image_size=8, channels=3)
    assert str(tmp_path / "empty") in str(info.value) and ".png" in str(info.value)


def _with_bad_files(tmp_path):
    _save(tmp_path / "good.png")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "garbage.jpg").write_bytes(b"this is not a jpeg at all")
    return tmp_path


def test_corrupt_file_named(tmp_path):
    root = _with_bad_files(tmp_path)
    with pytest.raises(ImageReadError, match="skip_corrupt") as info:
        ImageFolderImages(str(root), image_size=8, channels=3)
    assert str(root / "empty.png") in str(info.value)


def test_skip_corrupt_warns_with_count(tmp_path):
    root = _with_bad_files(tmp_path)
    with pytest.warns(UserWarning, match="Skipped 2 ") as record:
        data = ImageFolderImages(str(root), image_size=8, channels=3, skip_corrupt=True)
    assert len(record) == 1 and "garbage.jpg" in str(record[0].message)
    assert len(data) == 1 and data[0][0].shape == (3, 8, 8)


def test_real_cifar10_jpegs():
    root = SHARED_DATA / "cifar10-jpeg" / "test"
    if not root.is_dir():
        pytest.skip(f"{root} not available")
    data = ImageFolderImages(str(root), image_size=32, channels=3)
    assert len(data) == 10_000 and data.num_classes == 10 and "airplane" in data.classes
    assert torch.bincount(data.targets).tolist() == [1000] * 10
    batch = torch.stack([data[i][0] for i in range(0, 10_000, 500)])
    assert batch.shape == (20, 3, 32, 32) and batch.min() >= -1 and batch.max() <= 1
    assert batch.min() < -0.95 and batch.max() > 0.95


def _jpeg_folder(root, n=6):
    from PIL import Image

    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new("RGB", (32, 32), (i * 30, 100, 50)).save(root / f"ok_{i}.jpg", quality=90)
    whole = (root / "ok_0.jpg").read_bytes()
    (root / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    return root


def test_truncated_jpeg_is_found_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_LAB_CACHE", str(tmp_path / "cache"))
    root = _jpeg_folder(tmp_path / "images")
    with pytest.raises(ImageReadError, match="truncated.jpg.*Truncated File Read"):
        ImageFolderImages(str(root), image_size=8, channels=3)
    with pytest.warns(UserWarning, match="Skipped 1 unreadable"):
        data = ImageFolderImages(str(root), image_size=8, channels=3, skip_corrupt=True)
    assert len(data) == 6 and all(data[i][0].shape == (3, 8, 8) for i in range(len(data)))


def test_full_decode_is_cached_per_size_and_mtime(tmp_path, monkeypatch):
    import gan_lab.datasets.image_folder as image_folder

    monkeypatch.setenv("GAN_LAB_CACHE", str(tmp_path / "cache"))
    root = _jpeg_folder(tmp_path / "images")
    (root / "truncated.jpg").unlink()
    decoded = []
    original = image_folder.decode_problem
    monkeypatch.setattr(image_folder, "decode_problem", lambda p: decoded.append(p.name) or original(p))
    ImageFolderImages(str(root), image_size=8, channels=3)
    assert len(decoded) == 6
    decoded.clear()
    ImageFolderImages(str(root), image_size=8, channels=3)
    assert decoded == []  # the second start-up decodes nothing
    whole = (root / "ok_1.jpg").read_bytes()
    (root / "ok_1.jpg").write_bytes(whole[: len(whole) // 2])  # damaged since: size changed
    with pytest.raises(ImageReadError, match="ok_1.jpg"):
        ImageFolderImages(str(root), image_size=8, channels=3)
    assert decoded == ["ok_1.jpg"]


def test_file_damaged_during_training_is_skipped_with_skip_corrupt(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_LAB_CACHE", str(tmp_path / "cache"))
    root = _jpeg_folder(tmp_path / "images")
    (root / "truncated.jpg").unlink()
    data = ImageFolderImages(str(root), image_size=8, channels=3, skip_corrupt=True)
    (root / "ok_0.jpg").write_bytes(b"")
    with pytest.warns(UserWarning, match="ok_0.jpg"):
        image, _ = data[0]
    assert image.shape == (3, 8, 8)
    strict = ImageFolderImages.__new__(ImageFolderImages)
    strict.__dict__.update(data.__dict__, skip_corrupt=False)
    with pytest.raises(ImageReadError, match="ok_0.jpg"):
        strict[0]


def test_decompression_bomb_is_named(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("GAN_LAB_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "images"
    root.mkdir()
    Image.new("RGB", (64, 64)).save(root / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 4096 pixels > 2 x 1000
    with pytest.raises(ImageReadError, match="big.png.*decompression bomb"):
        ImageFolderImages(str(root), image_size=8, channels=3)

"""The bundled MNIST test split."""

import pytest
import torch

from gan_lab.datasets.bundled_mnist import BundledMNIST

# Real digit counts of the MNIST test split.
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist28():
    return BundledMNIST()


def test_size_labels_and_counts(mnist28):
    assert len(mnist28) == 10_000
    assert mnist28.num_classes == 10 and mnist28.data_kind == "image"
    assert mnist28.targets.dtype == torch.long
    assert torch.bincount(mnist28.targets).tolist() == TEST_COUNTS
    assert mnist28[0][1] == 7  # first test digit is a 7


def test_items_in_range(mnist28):
    image, label = mnist28[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32 and isinstance(label, int)
    assert image.min().item() == -1.0 and image.max().item() == 1.0
    batch = torch.stack([mnist28[i][0] for i in range(0, 10_000, 97)])
    assert batch.min() >= -1 and batch.max() <= 1
    assert (batch == -1).float().mean() > 0.5  # mostly black background


def test_resized_rgb(mnist28):
    data = BundledMNIST(image_size=32, channels=3)
    image, _ = data[0]
    assert image.shape == (3, 32, 32)
    assert torch.equal(image[0], image[1]) and torch.equal(image[1], image[2])
    assert image.min() >= -1 and image.max() <= 1
    assert image.min() < -0.99 and image.max() > 0.9
    # resizing keeps the digit: a downscaled 32px copy looks like the 28px original
    small = torch.nn.functional.interpolate(image[None, :1], size=(28, 28), mode="bilinear", antialias=True)
    assert (small[0] - mnist28[0][0]).abs().mean() < 0.1

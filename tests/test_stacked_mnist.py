"""Stacked MNIST dataset and its mode metric on real stacked digits."""

import math

import torch

from gan_lab.datasets.bundled_mnist import BundledMNIST
from gan_lab.datasets.stacked_mnist import StackedMNIST
from gan_lab.metrics.stacked_mnist import NUM_SAMPLES, stacked_mnist_metrics, stacked_mnist_modes


def test_dataset_channels_are_the_drawn_digits():
    data = StackedMNIST(num_samples=500, seed=3)
    digits = BundledMNIST()
    assert len(data) == 500 and data.num_classes == 1000
    image, label = data[7]
    assert image.shape == (3, 28, 28) and image.min() >= -1 and image.max() <= 1
    i, j, k = data.indices[7].tolist()
    for channel, idx in enumerate((i, j, k)):
        assert torch.equal(image[channel], digits[idx][0][0])
    assert label == 100 * int(digits.targets[i]) + 10 * int(digits.targets[j]) + int(digits.targets[k])
    # labels spread over many of the 1,000 modes; a different seed draws different triples
    assert len(torch.unique(data.targets)) > 350
    assert not torch.equal(StackedMNIST(num_samples=500, seed=4).indices, data.indices)


def test_metric_on_real_stacked_digits(mnist_classifier):
    model, info = mnist_classifier
    assert info.accuracy > 0.95, info
    data = StackedMNIST(num_samples=NUM_SAMPLES, seed=0)
    images = torch.stack([data[i][0] for i in range(len(data))])
    modes = stacked_mnist_modes(model, images[:2000])
    triple_acc = float((modes == data.targets[:2000]).float().mean())
    assert triple_acc > 0.85  # ~ accuracy ** 3
    m = stacked_mnist_metrics(model, images)
    assert m["stacked_modes"] >= 990
    # 26,000 uniform draws over 1,000 modes give KL ~ 999 / (2 * 26,000) ~ 0.02 by chance alone
    assert m["stacked_kl"] < 0.1


def test_metric_on_a_collapsed_generator(mnist_classifier):
    model, _ = mnist_classifier
    data = StackedMNIST(num_samples=50, seed=1)
    one = data[0][0].expand(300, -1, -1, -1)
    m = stacked_mnist_metrics(model, one)
    assert m["stacked_modes"] == 1
    assert math.isclose(m["stacked_kl"], math.log(1000), rel_tol=1e-9)


def test_config_builds_the_dataset_for_training():
    from hydra import compose, initialize_config_dir
    from hydra.utils import instantiate

    from gan_lab.builders import check_compatibility
    from gan_lab.config_path import config_dir

    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            "train",
            overrides=["dataset=stacked_mnist", "dataset.num_samples=64", "paths.root_dir=.", "paths.output_dir=."],
        )
    check_compatibility(cfg)
    data = instantiate(cfg.dataset.source)
    assert len(data) == 64 and list(data[0][0].shape) == list(cfg.dataset.shape) == [3, 28, 28]
    assert cfg.dataset.num_classes == 1000

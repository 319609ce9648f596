"""Shared fixtures for the evaluation tests (small, cached once per session)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def eval_cache_dir(tmp_path_factory):
    """A gan_lab cache dir shared by the evaluation tests (never ~/.cache)."""
    return tmp_path_factory.mktemp("gan_lab_cache")


@pytest.fixture(scope="session")
def mnist_classifier(eval_cache_dir):
    """gan_lab's MNIST classifier trained on the bundled digits (2 epochs), cached in the session cache dir."""
    from gan_lab.metrics.mnist_classifier import load_or_train

    return load_or_train(eval_cache_dir, root=None, epochs=2)


@pytest.fixture(scope="session")
def random_inception_weights(tmp_path_factory):
    """torch-fidelity's Inception-v3 with random weights, saved as a .pth file a user could pass."""
    from gan_lab.metrics.random_inception import write_random_inception_weights

    return write_random_inception_weights(tmp_path_factory.mktemp("inception") / "random-inception.pth", seed=0)

"""Shared test setup: helpers on sys.path, a clean Hydra between tests, and the
evaluation tests' session fixtures (small, cached once per session)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# tests/ helpers are importable as `tests.helpers` and as `helpers`.
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _clear_hydra():
    from hydra.core.global_hydra import GlobalHydra

    yield
    GlobalHydra.instance().clear()


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


def train_tiny(out_dir, overrides):
    """Run gan_lab.train for a few steps in ``out_dir``; returns the path of last.ckpt."""
    from hydra import compose, initialize_config_dir

    from gan_lab.config_path import config_dir
    from gan_lab.train import train

    base = [
        f"paths.root_dir={out_dir}",
        f"paths.output_dir={out_dir}",
        "trainer.accelerator=cpu",
        "logger=csv",
        "+trainer.enable_progress_bar=false",
        "trainer.enable_model_summary=false",
    ]
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("train", overrides=base + list(overrides))
    train(cfg)
    return out_dir / "checkpoints" / "last.ckpt"


@pytest.fixture(scope="session")
def mnist_ckpt(tmp_path_factory):
    """A DCGAN (width 8) trained 3 G steps on the bundled digits."""
    out = tmp_path_factory.mktemp("mnist_run")
    return train_tiny(
        out,
        [
            "dataset=bundled_mnist",
            "model=dcgan",
            "model.generator.width=8",
            "model.discriminator.width=8",
            "model.latent_dim=16",
            "g_steps=3",
            "data.batch_size=16",
            "callbacks=none",
        ],
    )


@pytest.fixture(scope="session")
def ring_ckpt(tmp_path_factory):
    """An MLP GAN trained 5 G steps on the ring of 8 Gaussians."""
    out = tmp_path_factory.mktemp("ring_run")
    return train_tiny(
        out,
        [
            "dataset=ring",
            "model=mlp",
            "g_steps=5",
            "data.batch_size=32",
            "callbacks=none",
            "dataset.source.num_samples=1000",
            "model.generator.hidden_dims=[32,32]",
            "model.discriminator.hidden_dims=[32,32]",
        ],
    )

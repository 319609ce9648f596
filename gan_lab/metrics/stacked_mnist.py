"""The Stacked-MNIST mode-collapse metric (VEEGAN / PacGAN protocol).

26,000 generated samples; each of the three channels is classified by the
MNIST classifier; a mode is a distinct digit triple (1,000 possible); the
score is the number of modes seen and KL(p_gen || uniform over 1,000), natural
log, with p_gen the histogram of triples.
"""

from __future__ import annotations

import torch
from torch import Tensor

from gan_lab.metrics.classifier_metrics import classify
from gan_lab.metrics.mixture_2d import kl_to_uniform
from gan_lab.metrics.mnist_classifier import MNISTClassifier

NUM_SAMPLES = 26_000


def stacked_mnist_modes(model: MNISTClassifier, images: Tensor) -> Tensor:
    """Mode ids ``100 * r + 10 * g + b`` of ``[N, 3, H, W]`` images in [-1, 1]."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"Stacked MNIST samples are [N, 3, H, W], got {list(images.shape)}")
    n = len(images)
    digits, _ = classify(model, images.reshape(n * 3, 1, *images.shape[-2:]))
    d = digits.view(n, 3)
    return d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]


def stacked_mnist_metrics(model: MNISTClassifier, images: Tensor) -> dict[str, float]:
    """``stacked_modes`` (distinct triples) and ``stacked_kl`` (nats) of generated samples."""
    counts = torch.bincount(stacked_mnist_modes(model, images), minlength=1000)
    return {"stacked_modes": float((counts > 0).sum()), "stacked_kl": kl_to_uniform(counts)}

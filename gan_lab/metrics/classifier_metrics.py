"""Offline metrics from gan_lab's MNIST classifier (no Inception weights needed).

* ``class_coverage``: fraction of the 10 digit classes predicted for at least one sample;
* ``class_kl``: KL(p_gen || uniform over the 10 classes), natural log, p_gen = histogram of predicted classes;
* ``mnist_classifier_fid``: Fréchet distance between Gaussians fitted to the classifier's
  128-d feature layer on generated and real digits. A classifier-feature FID, **not** the
  Inception FID: never compare it with FID numbers from papers. The Fréchet distance itself
  is torch-fidelity's (``fid_statistics_to_metric``).
"""

from __future__ import annotations

import torch
from torch import Tensor

from gan_lab.metrics.mixture_2d import kl_to_uniform
from gan_lab.metrics.mnist_classifier import MNISTClassifier


@torch.inference_mode()
def classify(model: MNISTClassifier, images: Tensor, batch_size: int = 1000) -> tuple[Tensor, Tensor]:
    """(predicted classes ``[N]``, features ``[N, 128]``) of ``[N, 1, H, W]`` images in [-1, 1]."""
    model.eval()
    preds, feats = [], []
    for start in range(0, len(images), batch_size):
        f = model.features(images[start : start + batch_size].float())
        feats.append(f)
        preds.append(model.head(f).argmax(1))
    return torch.cat(preds), torch.cat(feats)


def grey(images: Tensor) -> Tensor:
    """3-channel images whose channels are copies (grey saved as RGB) -> 1 channel (their mean)."""
    return images.mean(dim=1, keepdim=True) if images.shape[1] == 3 else images


def frechet_distance(feats_a: Tensor, feats_b: Tensor) -> float:
    from torch_fidelity.metric_fid import KEY_METRIC_FID, fid_features_to_statistics, fid_statistics_to_metric

    stats_a = fid_features_to_statistics(feats_a.double())
    stats_b = fid_features_to_statistics(feats_b.double())
    return float(fid_statistics_to_metric(stats_a, stats_b, False)[KEY_METRIC_FID])


def classifier_metrics(
    model: MNISTClassifier,
    fake: Tensor,
    real: Tensor | None = None,
    metrics: tuple[str, ...] = ("class_coverage", "class_kl", "mnist_classifier_fid"),
) -> dict[str, float]:
    """The requested classifier metrics for generated digits ``fake`` (and real ``real`` for the FID)."""
    preds, feats = classify(model, grey(fake))
    counts = torch.bincount(preds, minlength=10)
    out: dict[str, float] = {}
    if "class_coverage" in metrics:
        out["class_coverage"] = float((counts > 0).sum()) / 10.0
    if "class_kl" in metrics:
        out["class_kl"] = kl_to_uniform(counts)
    if "mnist_classifier_fid" in metrics:
        if real is None:
            raise ValueError("mnist_classifier_fid needs real images")
        _, real_feats = classify(model, grey(real))
        out["mnist_classifier_fid"] = frechet_distance(feats, real_feats)
    return out

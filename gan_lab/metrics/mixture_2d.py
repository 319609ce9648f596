"""Mode-collapse metrics on the 2D Gaussian mixtures (ring of 8, grid of 25).

The protocol of VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al., 2018):

* draw 2,500 samples from the generator;
* a sample is *high quality* when its distance to the nearest mean, divided
  by the component std, is below 3;
* *modes captured*: components that are the nearest mean of at least one
  high-quality sample;
* *reverse KL*: KL(p_gen || uniform), natural log, where p_gen is the
  histogram of nearest means over all samples.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

NUM_SAMPLES = 2500
HQ_THRESHOLD = 3.0


def kl_to_uniform(counts: Tensor) -> float:
    """KL(p || uniform over ``len(counts)`` bins), natural log, with 0 log 0 = 0."""
    counts = counts.double()
    total = counts.sum()
    if total <= 0:
        return float("nan")
    p = counts / total
    nz = p > 0
    return float((p[nz] * (p[nz] * len(counts)).log()).sum())


def mixture_metrics(samples: Tensor, means: Tensor, std: float, threshold: float = HQ_THRESHOLD) -> dict[str, float]:
    """``modes`` (count), ``high_quality`` (fraction in [0, 1]) and ``reverse_kl`` (nats).

    ``samples``: ``[N, 2]`` generated points; ``means``: ``[K, 2]``; ``std``: the
    components' standard deviation.
    """
    if samples.dim() != 2 or samples.shape[1] != 2:
        raise ValueError(f"samples must be [N, 2] points, got {list(samples.shape)}")
    samples = samples.double()
    means = torch.as_tensor(means).double()
    dist = torch.cdist(samples, means)
    nearest_dist, nearest = dist.min(dim=1)
    hq = nearest_dist / float(std) < threshold
    counts = torch.bincount(nearest, minlength=len(means))
    captured = torch.unique(nearest[hq]).numel()
    return {
        "modes": float(captured),
        "high_quality": float(hq.double().mean()) if len(samples) else math.nan,
        "reverse_kl": kl_to_uniform(counts),
    }

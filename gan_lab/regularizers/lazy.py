"""The optimizer correction of lazy regularization (Karras et al., 2020, appendix B).

A regularizer computed only every k-th minibatch (and multiplied by k) adds one
extra optimizer step per k steps; StyleGAN2 keeps the effective momentum the same
by training with ``lr · r`` and ``betas ** r``, r = k / (k + 1). Hand-written: a
wrapper around the optimizer factory, so the fresh optimizers a resume builds for
comparison (``gan_lab.tasks.resumed_optimization``) are corrected the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch


def lazy_ratio(interval: int) -> float:
    """r = k / (k + 1) for a regularizer every ``k`` > 1 steps; 1 (no correction) for k = 1."""
    k = int(interval)
    if k < 1:
        raise ValueError(f"a lazy regularization interval must be >= 1, got {k}")
    return 1.0 if k == 1 else k / (k + 1)


class LazyCorrectedOptimizer:
    """``params -> optimizer`` of ``factory`` with lr · r and each beta ** r (a picklable callable)."""

    def __init__(self, factory: Callable[..., torch.optim.Optimizer], interval: int) -> None:
        self.factory, self.interval = factory, int(interval)
        self.ratio = lazy_ratio(self.interval)

    def __call__(self, params: Iterable[Any]) -> torch.optim.Optimizer:
        optimizer = self.factory(params)
        for group in optimizer.param_groups:
            group["lr"] = group["lr"] * self.ratio
            if "betas" in group:
                group["betas"] = tuple(beta**self.ratio for beta in group["betas"])
        return optimizer

    def __repr__(self) -> str:
        return f"LazyCorrectedOptimizer({self.factory!r}, interval={self.interval}, r={self.ratio:.4f})"

"""Run a network in eval mode (BatchNorm running statistics, no dropout) without gradients,
then put it back in the mode it was in: a sample grid drawn in the middle of training
must not leave the generator in eval mode, and inference must not build a graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def inference_mode(net: nn.Module) -> Iterator[nn.Module]:
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            yield net
    finally:
        net.train(was_training)

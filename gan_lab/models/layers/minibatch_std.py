"""Minibatch standard deviation (Karras et al., 2018, §3), hand-written: no library provides it.

D gets, as extra channels, the standard deviation of its features across small
groups of the batch, averaged over features and positions: a batch of nearly
identical fakes then looks different from a batch of real images, which
discourages mode collapse.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class MinibatchStdDev(nn.Module):
    """Appends ``num_channels`` feature maps holding the group standard deviation.

    The batch is split into groups of ``group_size`` samples (the whole batch when
    it is smaller, or when ``group_size`` does not divide it: StyleGAN2 requires
    divisibility, here the group shrinks to the largest divisor instead). The
    features are split into ``num_channels`` parts (StyleGAN2: 1). Each sample gets
    the statistic of its group (``sqrt(var + 1e-8)``, population variance).
    """

    def __init__(self, group_size: int = 4, num_channels: int = 1) -> None:
        super().__init__()
        if group_size < 1 or num_channels < 1:
            raise ValueError(f"group_size and num_channels must be >= 1, got {group_size}, {num_channels}")
        self.group_size, self.num_channels = int(group_size), int(num_channels)

    def group_for(self, batch: int) -> int:
        group = min(self.group_size, batch)
        while batch % group:
            group -= 1
        return group

    def forward(self, x: Tensor) -> Tensor:
        n, c, h, w = x.shape
        if c % self.num_channels:
            raise ValueError(f"{c} channels do not split into {self.num_channels} parts")
        g, f = self.group_for(n), self.num_channels
        y = x.reshape(g, n // g, f, c // f, h, w)  # sample i belongs to group i % (n // g)
        y = (y.var(dim=0, unbiased=False) + 1e-8).sqrt()  # [n/g, f, c/f, h, w]
        y = y.mean(dim=(2, 3, 4))  # [n/g, f]
        y = y.reshape(n // g, f, 1, 1).repeat(g, 1, h, w)  # back to [n, f, h, w], same group order
        return torch.cat([x, y], dim=1)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}, num_channels={self.num_channels}"

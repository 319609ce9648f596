"""Minibatch standard deviation against a hand computation."""

from __future__ import annotations

import pytest
import torch

from gan_lab.models.layers import MinibatchStdDev


def test_one_group_statistic_by_hand():
    x = torch.tensor([0.0, 2.0]).view(2, 1, 1, 1).expand(2, 1, 2, 2).contiguous()
    out = MinibatchStdDev(group_size=4)(x)  # the group shrinks to the batch of 2
    assert out.shape == (2, 2, 2, 2)
    assert torch.equal(out[:, :1], x)
    # population std of {0, 2} is 1 at every position
    assert torch.allclose(out[:, 1], torch.ones(2, 2, 2), atol=1e-4)


def test_groups_are_strided_over_the_batch():
    # 4 samples in groups of 2: samples {0, 2} and {1, 3}
    values = torch.tensor([0.0, 5.0, 2.0, 5.0]).view(4, 1, 1, 1)
    out = MinibatchStdDev(group_size=2)(values)
    stats = out[:, 1, 0, 0]
    assert torch.allclose(stats, torch.tensor([1.0, 1e-4, 1.0, 1e-4]), atol=1e-4)


def test_identical_samples_give_near_zero_and_several_channels_split_features():
    x = torch.randn(1, 4, 3, 3).repeat(8, 1, 1, 1)
    out = MinibatchStdDev(group_size=4, num_channels=2)(x)
    assert out.shape == (8, 6, 3, 3)
    assert out[:, 4:].max().item() < 1e-3


def test_odd_batch_uses_the_largest_divisor():
    layer = MinibatchStdDev(group_size=4)
    assert layer.group_for(6) == 3 and layer.group_for(5) == 1 and layer.group_for(8) == 4
    assert layer(torch.randn(6, 2, 4, 4)).shape == (6, 3, 4, 4)


def test_channels_must_split():
    with pytest.raises(ValueError):
        MinibatchStdDev(num_channels=3)(torch.randn(4, 4, 2, 2))

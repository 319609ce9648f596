"""inference_mode: eval mode and no graph inside, the previous mode restored after (even on errors)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gan_lab.utils.eval_mode import inference_mode


def test_eval_inside_no_grad_and_mode_restored():
    net = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    with inference_mode(net):
        assert not net.training
        out = net(torch.randn(4, 3))
    assert not out.requires_grad
    assert net.training


def test_eval_mode_stays_eval_and_errors_restore():
    net = nn.Linear(2, 2).eval()
    with inference_mode(net):
        pass
    assert not net.training
    net.train()
    with pytest.raises(RuntimeError), inference_mode(net):
        raise RuntimeError("boom")
    assert net.training

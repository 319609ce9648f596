"""Equalized learning rate: run-time scale 1/sqrt(fan_in), N(0, 1) storage, lr multiplier."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gan_lab.models.layers import EqualizedConv2d, EqualizedLinear


def test_linear_scales_by_one_over_sqrt_fan_in():
    torch.manual_seed(0)
    layer = EqualizedLinear(16, 4, bias_init=0.5)
    x = torch.randn(3, 16)
    expected = x @ (layer.weight / 4.0).T + 0.5  # sqrt(16) = 4
    assert torch.allclose(layer(x), expected, atol=1e-6)


def test_linear_lr_multiplier_keeps_the_effective_weights_and_slows_the_stored_ones():
    torch.manual_seed(0)
    slow = EqualizedLinear(64, 8, bias_init=1.0, lr_multiplier=0.01)
    # stored N(0, 1)/0.01, applied x 0.01/sqrt(64): the effective weights have std 1/sqrt(64)
    effective = slow.weight * slow.weight_gain
    assert abs(effective.std().item() - 1 / 8) < 0.02
    assert torch.allclose(slow.bias * slow.lr_multiplier, torch.ones(8))
    # a unit change of the stored weight moves the output 100x less than with multiplier 1
    assert math.isclose(slow.weight_gain, 0.01 / 8)


def test_conv_scales_by_one_over_sqrt_fan_in_and_keeps_the_size():
    torch.manual_seed(0)
    conv = EqualizedConv2d(3, 5, 3)
    x = torch.randn(2, 3, 8, 8)
    expected = F.conv2d(x, conv.weight / math.sqrt(27), conv.bias, padding=1)
    out = conv(x)
    assert out.shape == (2, 5, 8, 8)
    assert torch.allclose(out, expected, atol=1e-6)


def test_unit_variance_in_gives_about_unit_variance_out():
    torch.manual_seed(0)
    layer = EqualizedLinear(512, 512, bias=False)
    out = layer(torch.randn(256, 512))
    assert 0.9 < out.var().item() < 1.1

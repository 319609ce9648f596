"""gan_lab.utils.interpolation: slerp and lerp."""

import math

import pytest
import torch

from gan_lab.utils.interpolation import interpolate, lerp, slerp


def test_slerp_endpoints_are_exact():
    a, b = torch.randn(5, 16), torch.randn(5, 16)
    assert torch.equal(slerp(a, b, 0.0), a)
    assert torch.equal(slerp(a, b, 1.0), b)
    t = torch.tensor([[0.0], [1.0], [0.0], [1.0], [0.0]])
    assert torch.equal(slerp(a, b, t)[[0, 2, 4]], a[[0, 2, 4]])
    assert torch.equal(slerp(a, b, t)[[1, 3]], b[[1, 3]])


def test_slerp_stays_on_the_great_circle_of_unit_vectors():
    a, b = torch.tensor([[1.0, 0.0, 0.0]]), torch.tensor([[0.0, 1.0, 0.0]])
    for t in torch.linspace(0, 1, 9):
        point = slerp(a, b, float(t))
        assert point.norm().item() == pytest.approx(1.0, abs=1e-6)
        # the angle from a grows linearly: t * 90 degrees
        assert point[0, 0].item() == pytest.approx(math.cos(float(t) * math.pi / 2), abs=1e-6)
        assert point[0, 1].item() == pytest.approx(math.sin(float(t) * math.pi / 2), abs=1e-6)
        assert point[0, 2].item() == 0.0
    # lerp's midpoint of the same vectors is inside the circle: 1/sqrt(2)
    assert lerp(a, b, 0.5).norm().item() == pytest.approx(1 / math.sqrt(2), abs=1e-6)


def test_slerp_scales_the_norm_linearly():
    a, b = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 4.0]])
    assert slerp(a, b, 0.5).norm().item() == pytest.approx(3.0, abs=1e-6)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_slerp_falls_back_to_lerp_for_parallel_and_antiparallel_vectors(sign):
    a = torch.tensor([[1.0, 2.0, 3.0]])
    b = sign * 2.0 * a
    for t in (0.25, 0.5, 0.75):
        out = slerp(a, b, t)
        assert torch.isfinite(out).all()
        assert torch.allclose(out, lerp(a, b, t))
    zero = torch.zeros(1, 3)
    assert torch.allclose(slerp(zero, a, 0.5), 0.5 * a)


def test_interpolate_shapes_and_modes():
    a, b = torch.randn(3, 8), torch.randn(3, 8)
    path = interpolate(a, b, 5, spherical=True)
    assert path.shape == (3, 5, 8)
    assert torch.equal(path[:, 0], a) and torch.equal(path[:, -1], b)
    linear = interpolate(a, b, 5, spherical=False)
    assert torch.allclose(linear[:, 2], (a + b) / 2)
    # Gaussian draws: the slerp midpoint keeps the norm the prior gives, the lerp midpoint shrinks it
    a, b = torch.randn(200, 128), torch.randn(200, 128)
    mid_s, mid_l = interpolate(a, b, 3, True)[:, 1], interpolate(a, b, 3, False)[:, 1]
    assert mid_s.norm(dim=1).mean() > 0.95 * a.norm(dim=1).mean()
    assert mid_l.norm(dim=1).mean() < 0.8 * a.norm(dim=1).mean()

"""2D mixture metrics on hand-built point sets with known answers."""

import math

import torch

from gan_lab.datasets.mixtures import RingMixture, grid_means, ring_means
from gan_lab.metrics.mixture_2d import kl_to_uniform, mixture_metrics


def test_all_points_on_the_eight_means():
    means = ring_means(8)
    points = means.repeat(50, 1)  # 400 points, 50 on each mean
    m = mixture_metrics(points, means, std=0.01)
    assert m["modes"] == 8
    assert m["high_quality"] == 1.0
    assert abs(m["reverse_kl"]) < 1e-12


def test_all_points_on_one_mean():
    means = ring_means(8)
    points = means[3].expand(100, 2)
    m = mixture_metrics(points, means, std=0.01)
    assert m["modes"] == 1
    assert m["high_quality"] == 1.0
    assert math.isclose(m["reverse_kl"], math.log(8), rel_tol=1e-12)


def test_points_far_from_all_means():
    means = ring_means(8)
    points = torch.full((100, 2), 5.0)
    m = mixture_metrics(points, means, std=0.01)
    assert m["high_quality"] == 0.0
    assert m["modes"] == 0


def test_threshold_is_three_std_and_half_split():
    means = ring_means(8)
    std = 0.1
    # 2.9 std and 3.1 std away from mean 0, in the radial direction
    near = means[0] * (1 + 2.9 * std)
    far = means[1] * (1 + 3.1 * std)
    m = mixture_metrics(torch.stack([near, far]), means, std=std)
    assert m["high_quality"] == 0.5
    assert m["modes"] == 1  # the far sample's mean is not captured
    # histogram [1, 1, 0, ...]: KL = ln(8/2)
    assert math.isclose(m["reverse_kl"], math.log(4), rel_tol=1e-12)


def test_kl_two_modes_uneven():
    # p = (3/4, 1/4, 0, 0): KL = 3/4 ln 3 + 1/4 ln 1 = 0.75 ln 3
    assert math.isclose(kl_to_uniform(torch.tensor([3, 1, 0, 0])), 0.75 * math.log(3), rel_tol=1e-12)


def test_real_ring_data_scores_perfectly_and_grid_has_25_modes():
    data = RingMixture(std=0.01, num_samples=2500, seed=0)
    m = mixture_metrics(data.points, data.means, data.std)
    assert m["modes"] == 8 and m["high_quality"] > 0.98 and m["reverse_kl"] < 0.01
    grid = grid_means()
    m = mixture_metrics(grid + 0.01 * torch.randn(25, 2), grid, 0.05)
    assert m["modes"] == 25 and m["high_quality"] == 1.0 and abs(m["reverse_kl"]) < 1e-12

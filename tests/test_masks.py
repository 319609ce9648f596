"""Hole masks: shape, dtype, seeded reproducibility, areas within the configured bounds, describe()."""

from __future__ import annotations

import pytest
import torch

from gan_lab.datasets.paired.masks import CenterBoxMask, FreeFormMask, RandomBoxMask
from gan_lab.errors import IncompatibleConfigError

GENERATORS = [CenterBoxMask(0.5), RandomBoxMask(0.2, 0.4, count=2), FreeFormMask()]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda g: type(g).__name__)
def test_shape_values_and_seeded(make):
    first = make(48, 40, torch.Generator().manual_seed(7))
    again = make(48, 40, torch.Generator().manual_seed(7))
    assert first.shape == (1, 48, 40) and first.dtype == torch.float32
    assert set(first.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(first, again)
    assert 0 < first.sum() < first.numel()
    description = make.describe()
    assert description["type"] and all(isinstance(v, (int, float, str)) for v in description.values())


@pytest.mark.parametrize("make", GENERATORS[1:], ids=lambda g: type(g).__name__)
def test_random_masks_vary_with_seed(make):
    masks = {make(32, 32, torch.Generator().manual_seed(s)).numpy().tobytes() for s in range(10)}
    assert len(masks) > 5


def test_center_box_by_hand():
    mask = CenterBoxMask(0.5)(8, 8)
    expected = torch.zeros(1, 8, 8)
    expected[:, 2:6, 2:6] = 1
    assert torch.equal(mask, expected)
    assert CenterBoxMask(0.25)(32, 32).sum() == 64  # side 8
    assert CenterBoxMask(0.5).describe() == {"type": "center_box", "hole_fraction": 0.5}


def test_random_box_sides_within_bounds():
    make = RandomBoxMask(0.25, 0.5, count=1)
    for seed in range(30):
        mask = make(64, 64, torch.Generator().manual_seed(seed))[0]
        rows, cols = mask.any(1).nonzero(), mask.any(0).nonzero()
        height, width = int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)
        assert 16 <= height <= 32 and 16 <= width <= 32
        assert mask.sum() == height * width  # a single solid box


def test_free_form_area_and_brush_width():
    make = FreeFormMask(max_vertices=4, min_width=0.1, max_width=0.1, max_strokes=1, max_length=0.2)
    areas = torch.tensor([make(100, 100, torch.Generator().manual_seed(s)).mean().item() for s in range(30)])
    # one stroke of <= 4 segments of <= 20 px at a 10 px brush: at least one dot, at most ~4*20*10 + dots
    assert areas.min() >= 0.006 and areas.max() <= 0.13


def test_bad_parameters_refused():
    with pytest.raises(IncompatibleConfigError, match="hole_fraction"):
        CenterBoxMask(1.5)
    with pytest.raises(IncompatibleConfigError, match="larger than max_fraction"):
        RandomBoxMask(0.6, 0.3)
    with pytest.raises(IncompatibleConfigError, match="at least 1"):
        FreeFormMask(max_strokes=0)

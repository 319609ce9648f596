"""The weighted context loss of semantic inpainting (gan_lab/latent_inpainting/context_loss.py)."""

import pytest
import torch

from gan_lab.latent_inpainting.context_loss import context_loss, context_weights


def test_weights_are_the_fraction_of_missing_pixels_around_each_known_pixel():
    hole = torch.zeros(1, 1, 7, 7)
    hole[..., 3, 3] = 1.0  # one missing pixel in the middle
    w = context_weights(hole, window=3)[0, 0]
    expected = torch.zeros(7, 7)
    expected[2:5, 2:5] = 1 / 9  # its 8 known neighbours see it in their 3x3 box
    expected[3, 3] = 0.0  # missing pixels weigh nothing
    torch.testing.assert_close(w, expected)


def test_windows_across_the_border_are_mirrored_with_the_edge_repeated():
    """scipy's convolve2d(boundary="symm"), as the official code: the corner hole is seen twice by its neighbours."""
    hole = torch.zeros(1, 1, 5, 5)
    hole[..., 0, 0] = 1.0
    w = context_weights(hole, window=3)[0, 0]
    assert w[0, 0] == 0.0
    assert w[0, 1] == pytest.approx(2 / 9) and w[1, 0] == pytest.approx(2 / 9)
    assert w[1, 1] == pytest.approx(1 / 9)
    assert w[2:, :].sum() == 0 and w[:, 2:].sum() == 0


def test_a_7x7_window_weighs_pixels_next_to_a_box_hole_most():
    hole = torch.zeros(1, 1, 16, 16)
    hole[..., 6:10, 6:10] = 1.0
    w = context_weights(hole)[0, 0]
    assert w[5, 7] == pytest.approx(3 * 4 / 49)  # one row above the hole: 3 hole rows x 4 hole columns in the box
    assert w[3, 7] == pytest.approx(1 * 4 / 49)  # three rows above: one hole row in the box
    assert w[2, 7] == 0.0  # four rows above: out of reach
    assert (w[6:10, 6:10] == 0).all()


def test_context_loss_is_the_weighted_l1_sum_per_sample():
    weights = torch.tensor([[[[0.5, 0.0], [1.0, 0.25]]]])
    image = torch.zeros(1, 2, 2, 2)
    generated = torch.stack([torch.ones(2, 2, 2), -2 * torch.ones(2, 2, 2)])
    loss = context_loss(generated, image, weights)
    # per channel sum of weights 1.75; two channels; |diff| 1 and 2
    torch.testing.assert_close(loss, torch.tensor([3.5, 7.0]))


def test_even_windows_are_refused():
    with pytest.raises(ValueError, match="odd"):
        context_weights(torch.zeros(1, 1, 8, 8), window=4)

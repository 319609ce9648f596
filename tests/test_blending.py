"""Blending an inpainted sample into its image (gan_lab/latent_inpainting/blending.py)."""

import pytest
import torch

from gan_lab.latent_inpainting.blending import alpha_blend, blend, poisson_blend


def inputs(channels=1, size=12):
    torch.manual_seed(0)
    image = torch.rand(2, channels, size, size) * 2 - 1
    generated = torch.rand(2, channels, size, size) * 2 - 1
    hole = torch.zeros(2, 1, size, size)
    hole[0, :, 3:8, 4:9] = 1.0
    hole[1, :, 0:5, 0:12] = 1.0  # a hole touching the border
    return image, generated, hole


@pytest.mark.parametrize("how", ["alpha", "poisson"])
@pytest.mark.parametrize("channels", [1, 3])
def test_known_pixels_are_unchanged(how, channels):
    image, generated, hole = inputs(channels)
    out = blend(generated, image, hole, how)
    known = (hole == 0).expand_as(image)
    assert torch.equal(out[known], image[known])
    assert not torch.equal(out[~known], image[~known])
    assert out.shape == image.shape and out.abs().max() <= 1.0


def test_alpha_puts_the_sample_in_the_hole():
    image, generated, hole = inputs()
    out = alpha_blend(generated, image, hole)
    assert torch.equal(out[hole.bool().expand_as(out)], generated[hole.bool().expand_as(out)])


def test_poisson_keeps_the_samples_gradients_and_takes_the_boundary_from_the_image():
    """A sample that is the image plus a constant has the image's gradients: the blend gives the image back."""
    torch.manual_seed(1)
    image = torch.rand(1, 3, 10, 10) * 0.5
    hole = torch.zeros(1, 1, 10, 10)
    hole[..., 2:7, 3:8] = 1.0
    out = poisson_blend(image + 0.3, image, hole)
    torch.testing.assert_close(out, image, atol=1e-5, rtol=0)
    # a flat sample in a hole of a flat image gives that image's value, whatever the sample's level
    flat = torch.full((1, 1, 10, 10), -0.2)
    torch.testing.assert_close(poisson_blend(torch.full_like(flat, 0.9), flat, hole), flat, atol=1e-6, rtol=0)


def test_unknown_blend_is_refused():
    image, generated, hole = inputs()
    with pytest.raises(ValueError, match="blend"):
        blend(generated, image, hole, "median")

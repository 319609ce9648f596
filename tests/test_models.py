import pytest
import torch

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator


@pytest.mark.parametrize("size", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes(size, channels):
    g = DCGANGenerator(latent_dim=16, data_shape=(channels, size, size), width=8)
    d = DCGANDiscriminator(data_shape=(channels, size, size), width=8)
    x = g(torch.randn(4, 16))
    assert x.shape == (4, channels, size, size)
    assert x.min() >= -1 and x.max() <= 1  # tanh output
    assert d(x).shape == (4,)


def test_dcgan_discriminator_without_batchnorm():
    d = DCGANDiscriminator(data_shape=(1, 28, 28), width=8, norm="none")
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d.modules())
    # without BatchNorm each sample's output is independent of the rest of the batch
    x = torch.randn(4, 1, 28, 28)
    assert torch.allclose(d(x)[:2], d(x[:2]), atol=1e-6)


@pytest.mark.parametrize("shape", [(2,), (1, 30, 30), (3, 32, 16)])
def test_dcgan_refuses_shapes_it_cannot_take(shape):
    with pytest.raises(IncompatibleConfigError, match="model=mlp"):
        DCGANGenerator(latent_dim=8, data_shape=shape)


def test_mlp_points_and_images():
    g = MLPGenerator(latent_dim=4, data_shape=(2,), hidden_dims=(8,))
    assert g(torch.randn(5, 4)).shape == (5, 2)
    assert not isinstance(g.net[-1], torch.nn.Tanh)  # points are unbounded
    gi = MLPGenerator(latent_dim=4, data_shape=(1, 28, 28), hidden_dims=(8,))
    assert isinstance(gi.net[-1], torch.nn.Tanh)
    assert gi(torch.randn(3, 4)).shape == (3, 1, 28, 28)
    assert MLPDiscriminator(data_shape=(1, 28, 28), hidden_dims=(8,))(torch.randn(3, 1, 28, 28)).shape == (3,)

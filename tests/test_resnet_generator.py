"""The CycleGAN ResNet generator: shapes at 64/128/256 px for both up-sampling settings, layout,
initialisation, size checks, and the builders of the generator and discriminator pairs."""

import pytest
import torch
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.unpaired import ResidualBlock, ResnetGenerator, discriminator_pair, generator_pair


@pytest.mark.parametrize("upsample", ["transposed", "resize_conv"])
@pytest.mark.parametrize("size,blocks", [(64, 2), (128, 6), (256, 1)])
def test_output_shape_and_range(size, blocks, upsample):
    torch.manual_seed(0)
    g = ResnetGenerator(3, 1, width=4, num_blocks=blocks, upsample=upsample)
    out = g(torch.randn(2, 3, size, size))
    assert out.shape == (2, 1, size, size)
    assert out.abs().max() <= 1.0  # tanh


def test_non_square_sizes_go_through():
    g = ResnetGenerator(1, 3, width=4, num_blocks=1)
    assert g(torch.randn(1, 1, 32, 48)).shape == (1, 3, 32, 48)


def test_layout_follows_the_paper():
    """c7s1-64, d128, d256, 9 x R256, u128, u64, c7s1-3: 11,378,179 parameters (junyanz's resnet_9blocks)."""
    g = ResnetGenerator(3, 3)
    assert sum(p.numel() for p in g.parameters()) == 11_378_179
    blocks = [m for m in g.modules() if isinstance(m, ResidualBlock)]
    assert len(blocks) == 9 and all(b.body[1].in_channels == 256 for b in blocks)
    assert isinstance(g.layers[0], nn.ReflectionPad2d) and g.layers[1].kernel_size == (7, 7)
    assert sum(isinstance(m, nn.InstanceNorm2d) for m in g.modules()) == 3 + 9 * 2 + 2
    assert sum(isinstance(m, nn.ConvTranspose2d) for m in g.modules()) == 2
    assert isinstance(g.layers[-1], nn.Tanh)


def test_resize_conv_has_no_transposed_convolution():
    g = ResnetGenerator(3, 3, width=8, num_blocks=1, upsample="resize_conv")
    assert not any(isinstance(m, nn.ConvTranspose2d) for m in g.modules())
    assert sum(isinstance(m, nn.Upsample) for m in g.modules()) == 2


def test_residual_block_is_identity_plus_body():
    block = ResidualBlock(4, "instance")
    x = torch.randn(1, 4, 8, 8)
    assert torch.allclose(block(x), x + block.body(x))
    assert sum(isinstance(m, nn.ReflectionPad2d) for m in block.modules()) == 2


def test_init_is_normal_002():
    torch.manual_seed(0)
    g = ResnetGenerator(3, 3, width=32, num_blocks=2)
    convs = [m for m in g.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    weights = torch.cat([m.weight.flatten() for m in convs])
    assert abs(weights.std().item() - 0.02) < 0.002 and abs(weights.mean().item()) < 0.001
    assert all(torch.count_nonzero(m.bias) == 0 for m in convs if m.bias is not None)


@pytest.mark.parametrize("size", [30, 4])
def test_sizes_it_cannot_take_are_refused_with_sizes_that_work(size):
    g = ResnetGenerator(1, 1, width=4, num_blocks=1)
    with pytest.raises(IncompatibleConfigError, match="multiples of 4.*Sizes that work"):
        g(torch.randn(1, 1, size, size))


def test_bad_settings_are_refused():
    with pytest.raises(IncompatibleConfigError, match="upsample"):
        ResnetGenerator(3, 3, upsample="bilinear")


def test_pairs_map_between_the_domains_channels():
    gens = generator_pair(1, 3, width=4, num_blocks=1)
    discs = discriminator_pair(1, 3, width=4, n_layers=2)
    assert set(gens) == {"a_to_b", "b_to_a"} and set(discs) == {"a", "b"}
    a, b = torch.randn(2, 1, 32, 32), torch.randn(2, 3, 32, 32)
    assert gens["a_to_b"](a).shape == b.shape and gens["b_to_a"](b).shape == a.shape
    assert discs["b"](b).shape == discs["a"](a).shape == (2, 1, 6, 6)
    norms = [m for m in discs.modules() if isinstance(m, nn.InstanceNorm2d)]
    assert len(norms) == 4  # PatchGAN with instance norm (2 normalised blocks per D at n_layers=2)

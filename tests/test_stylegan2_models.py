"""StyleGAN2 networks: demodulation, the modulated convolution against per-sample weights,
the mapping network's w_avg and truncation, shapes, and the image-size check."""

import math

import pytest
import torch
import torch.nn.functional as F

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.stylegan2 import (
    MappingNetwork,
    ModulatedConv2d,
    StyleGAN2Discriminator,
    StyleGAN2Generator,
    SynthesisNetwork,
    modulated_conv2d,
)


def test_demodulation_gives_unit_output_variance():
    """Unit-variance inputs and weights, arbitrary styles: every output channel has variance ~1."""
    torch.manual_seed(0)
    x = torch.randn(8, 64, 16, 16)
    weight = torch.randn(32, 64, 3, 3)
    styles = torch.rand(8, 64) * 3 + 0.1  # far from 1 on purpose
    out = modulated_conv2d(x, weight, styles, demodulate=True)
    var = out[:, :, 1:-1, 1:-1].var(dim=(0, 2, 3))  # inner pixels: zero padding lowers the border's variance
    assert var.mean().item() == pytest.approx(1.0, abs=0.05)
    assert var.min().item() > 0.8 and var.max().item() < 1.2
    plain = modulated_conv2d(x, weight, styles, demodulate=False)
    assert plain.var().item() > 5  # without demodulation the scale follows the styles and the fan-in


def test_modulated_conv_equals_convolution_with_per_sample_weights():
    torch.manual_seed(1)
    x, weight, styles = torch.randn(3, 4, 5, 5), torch.randn(6, 4, 3, 3), torch.randn(3, 4)
    for demodulate in (True, False):
        out = modulated_conv2d(x, weight, styles, demodulate=demodulate)
        for i in range(3):
            w = weight * styles[i].view(1, 4, 1, 1)
            if demodulate:
                w = w / torch.sqrt(w.square().sum(dim=(1, 2, 3), keepdim=True) + 1e-8)
            assert torch.allclose(out[i : i + 1], F.conv2d(x[i : i + 1], w, padding=1), atol=1e-5)


def test_modulated_layer_styles_start_at_one_and_up_doubles_the_size():
    layer = ModulatedConv2d(4, 6, 3, w_dim=8, up=True)
    assert torch.allclose(layer.affine(torch.zeros(2, 8)), torch.ones(2, 4))  # bias 1 at init
    assert layer(torch.randn(2, 4, 5, 5), torch.randn(2, 8)).shape == (2, 6, 10, 10)


def test_mapping_tracks_w_avg_in_training_only_and_truncates_towards_it():
    torch.manual_seed(2)
    net = MappingNetwork(8, 8, num_ws=5, num_layers=2, w_avg_beta=0.9)
    z = torch.randn(16, 8)
    ws = net(z)
    assert ws.shape == (16, 5, 8) and torch.equal(ws[:, 0], ws[:, 4])
    expected = torch.zeros(8).lerp(ws[:, 0].mean(0), 0.1)  # w_avg <- 0.9 w_avg + 0.1 mean(w)
    assert torch.allclose(net.w_avg, expected, atol=1e-6)
    net.eval()
    before = net.w_avg.clone()
    truncated = net(z, truncation_psi=0.5)
    assert torch.equal(net.w_avg, before)
    assert torch.allclose(truncated, before + 0.5 * (ws - before), atol=1e-5)
    assert torch.allclose(net(z, truncation_psi=0.0), before.expand(16, 5, 8))
    cut = net(z, truncation_psi=0.0, truncation_cutoff=2)  # only the first two style inputs truncated
    assert torch.allclose(cut[:, :2], before.expand(16, 2, 8)) and torch.allclose(cut[:, 2:], ws[:, 2:], atol=1e-5)


def test_mapping_uses_equalized_layers_with_lr_multiplier():
    net = MappingNetwork(4, 6, num_ws=2, num_layers=3, lr_multiplier=0.01)
    assert len(net.layers) == 3 and net.layers[0].weight_gain == pytest.approx(0.01 / math.sqrt(4))


def test_synthesis_counts_style_inputs_and_uses_noise():
    net = SynthesisNetwork(w_dim=8, resolution=16, image_channels=3, channel_base=64, channel_max=16)
    assert net.num_ws == 1 + 2 + 2 + 1  # 4x4: one conv; 8 and 16: two each; the last toRGB
    ws = torch.randn(2, net.num_ws, 8)
    assert net(ws).shape == (2, 3, 16, 16)
    for block in net.blocks:
        for conv in block.convs:
            conv.noise_strength.data.fill_(1.0)
    assert not torch.equal(net(ws, "random"), net(ws, "random"))
    assert torch.equal(net(ws, "const"), net(ws, "const"))
    with pytest.raises(ValueError, match="ws must have shape"):
        net(torch.randn(2, 3, 8))


def test_generator_and_discriminator_shapes():
    g = StyleGAN2Generator(16, (1, 32, 32), w_dim=16, mapping_layers=2, channel_base=256, channel_max=32)
    d = StyleGAN2Discriminator((1, 32, 32), channel_base=256, channel_max=32, mbstd_group_size=4)
    z = torch.randn(6, 16)
    x = g(z)
    assert x.shape == (6, 1, 32, 32) and g.num_ws == 8
    assert g.mapping(z).shape == (6, 8, 16)
    assert g.synthesis(g.mapping(z)[:, 0]).shape == (6, 1, 32, 32)  # one w broadcast to every input
    assert d(x).shape == (6,) and d.num_classes is None
    d(x).sum().backward()
    assert all(p.grad is not None for p in d.parameters())


@pytest.mark.parametrize("shape", [(3, 28, 28), (3, 32, 16), (3, 2, 2)])
def test_image_size_must_be_a_power_of_two(shape):
    with pytest.raises(IncompatibleConfigError, match="power of two"):
        StyleGAN2Generator(8, shape)
    with pytest.raises(IncompatibleConfigError, match="power of two"):
        StyleGAN2Discriminator(shape)

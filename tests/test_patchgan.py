"""PatchGAN discriminator: map size, receptive field (formula and measured), layer layout."""

import pytest
import torch
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired import PatchGANDiscriminator, receptive_field


def test_30x30_map_at_256_px():
    d = PatchGANDiscriminator(6, width=8)
    assert d(torch.randn(2, 6, 256, 256)).shape == (2, 1, 30, 30)


def test_reference_layout_and_parameter_count():
    with torch.device("meta"):
        d = PatchGANDiscriminator(6)
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 128, 256, 512, 1]
    assert [c.stride[0] for c in convs] == [2, 2, 2, 1, 1]
    assert all(c.kernel_size == (4, 4) and c.padding == (1, 1) for c in convs)
    # junyanz prints 2.769 M parameters for the basic (n_layers=3) D on 6 channels.
    assert sum(p.numel() for p in d.parameters()) == 2_768_705
    first_norm = next(i for i, m in enumerate(d.layers) if isinstance(m, nn.BatchNorm2d))
    assert first_norm == 3  # conv, LeakyReLU, conv, *BN*: the first conv has no norm


def test_receptive_field_formula():
    assert receptive_field(3) == 70
    assert receptive_field(1) == 16
    assert receptive_field(0) == 7  # the two stride-1 4x4 convolutions alone


@pytest.mark.parametrize("n_layers", [1, 2, 3])
def test_receptive_field_measured(n_layers):
    """The input pixels with a gradient from one central output logit span receptive_field(n)."""
    torch.manual_seed(0)
    d = PatchGANDiscriminator(1, width=4, n_layers=n_layers, norm="none").double()
    x = torch.randn(1, 1, 160, 160, dtype=torch.double, requires_grad=True)
    out = d(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = (x.grad[0, 0].abs().sum(1) > 0).nonzero().flatten()
    cols = (x.grad[0, 0].abs().sum(0) > 0).nonzero().flatten()
    assert int(rows[0]) > 0 and int(rows[-1]) < 159  # not clipped by the border
    assert int(rows[-1] - rows[0] + 1) == receptive_field(n_layers)
    assert int(cols[-1] - cols[0] + 1) == receptive_field(n_layers)


def test_too_small_input_refused():
    d = PatchGANDiscriminator(2, width=4)
    assert d(torch.randn(1, 2, 24, 24)).shape == (1, 1, 1, 1)
    with pytest.raises(IncompatibleConfigError, match="at least 24 px"):
        d(torch.randn(1, 2, 16, 16))


def test_instance_and_no_norm():
    d = PatchGANDiscriminator(3, width=4, norm="instance")
    assert sum(isinstance(m, nn.InstanceNorm2d) for m in d.modules()) == 3
    d = PatchGANDiscriminator(3, width=4, norm="none")
    assert not any(isinstance(m, (nn.InstanceNorm2d, nn.BatchNorm2d)) for m in d.modules())
    assert all(m.bias is not None for m in d.modules() if isinstance(m, nn.Conv2d))

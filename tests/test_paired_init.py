"""pix2pix/DCGAN init: N(0, 0.02) weights, N(1, 0.02) norm scales, zero biases; applied by default."""

import pytest
import torch
from torch import nn

from gan_lab.models.paired import PatchGANDiscriminator, UNetGenerator, init_normal_


def _stats(t: torch.Tensor) -> tuple[float, float]:
    return float(t.detach().mean()), float(t.detach().std())


def test_distributions_per_layer_type():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(64, 64, 4),
        nn.BatchNorm2d(4096),
        nn.ConvTranspose2d(64, 64, 4),
        nn.InstanceNorm2d(4096, affine=True),
        nn.Linear(256, 256),
        nn.InstanceNorm2d(8),  # no affine parameters: nothing to initialise
    )
    assert init_normal_(net, std=0.02) is net
    for layer in (net[0], net[2], net[4]):
        mean, std = _stats(layer.weight)
        assert abs(mean) < 2e-3 and std == pytest.approx(0.02, rel=0.05)
        assert torch.count_nonzero(layer.bias) == 0
    for layer in (net[1], net[3]):
        mean, std = _stats(layer.weight)
        assert mean == pytest.approx(1.0, abs=2e-3) and std == pytest.approx(0.02, rel=0.1)
        assert torch.count_nonzero(layer.bias) == 0


def test_other_std():
    conv = init_normal_(nn.Conv2d(64, 64, 4), std=0.1)
    assert _stats(conv.weight)[1] == pytest.approx(0.1, rel=0.05)


def _biggest_conv_weight(net: nn.Module) -> torch.Tensor:
    convs = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    return max(convs, key=lambda m: m.weight.numel()).weight


@pytest.mark.parametrize(
    "build",
    [lambda **kw: UNetGenerator(3, 3, 32, width=32, **kw), lambda **kw: PatchGANDiscriminator(6, **kw)],
    ids=["unet", "patchgan"],
)
def test_networks_use_it_by_default(build):
    torch.manual_seed(0)
    assert _stats(_biggest_conv_weight(build()))[1] == pytest.approx(0.02, rel=0.05)
    default = _biggest_conv_weight(build(init_std=None))
    # PyTorch's default (Kaiming-uniform with a=sqrt(5)) has std 1/sqrt(3 * fan_in).
    fan_in = default.shape[1] * default.shape[2] * default.shape[3]
    assert _stats(default)[1] == pytest.approx((3 * fan_in) ** -0.5, rel=0.05)

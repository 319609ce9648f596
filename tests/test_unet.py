"""pix2pix U-Net generator: depth and shapes, the skip connections, where dropout sits, size errors."""

import pytest
import torch
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired import UNetGenerator


@pytest.mark.parametrize("size, num_downs", [(32, 5), (64, 6), (256, 8)])
def test_depth_and_shapes(size, num_downs):
    g = UNetGenerator(1, 3, size, width=8, max_width=32)
    assert g.num_downs == num_downs
    y = g(torch.randn(2, 1, size, size))
    assert y.shape == (2, 3, size, size) and y.abs().max() <= 1
    y.mean().backward()
    assert all(p.grad is not None for p in g.parameters())


def test_reference_parameter_count():
    # junyanz/pytorch-CycleGAN-and-pix2pix prints 54.414 M parameters for unet_256 (RGB->RGB, BatchNorm).
    with torch.device("meta"):
        g = UNetGenerator(3, 3, 256)
    assert sum(p.numel() for p in g.parameters()) == 54_414_531


def test_widths_double_up_to_the_cap():
    g = UNetGenerator(3, 3, 256, width=8, max_width=32)
    assert [d.block[1].out_channels for d in g.downs] == [8, 16, 32, 32, 32, 32, 32, 32]


def test_fully_convolutional_for_other_multiples():
    g = UNetGenerator(3, 3, 32, width=8).eval()
    assert g(torch.randn(1, 3, 64, 96)).shape == (1, 3, 64, 96)


def test_skip_connections_carry_fine_detail():
    """With the bottleneck's output held at zero, only the skips connect input to output:
    changing one input pixel must still change the output, most strongly next to it."""
    torch.manual_seed(0)
    g = UNetGenerator(1, 1, 32, width=8).eval()
    g.downs[-1].register_forward_hook(lambda module, args, out: torch.zeros_like(out))
    x = torch.randn(1, 1, 32, 32)
    x2 = x.clone()
    x2[0, 0, 20, 9] += 3.0
    with torch.no_grad():
        diff = (g(x2) - g(x)).abs()[0, 0]
    assert diff.max() > 1e-4
    row, col = divmod(int(diff.argmax()), 32)
    assert abs(row - 20) <= 4 and abs(col - 9) <= 4  # within the first skip's reach (0 misses in 40 seeds)


def test_bottleneck_at_batch_one_in_train_mode():
    # The innermost encoder block has no norm: BatchNorm on a 1x1 map of one sample would fail.
    for norm in ("batch", "instance", "none"):
        g = UNetGenerator(3, 3, 32, width=8, norm=norm).train()
        assert g(torch.randn(1, 3, 32, 32)).shape == (1, 3, 32, 32)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in g.modules())


def test_dropout_only_in_three_innermost_decoder_blocks():
    g = UNetGenerator(3, 3, 256, width=8, max_width=16)
    with_dropout = [i for i, up in enumerate(g.ups) if any(isinstance(m, nn.Dropout) for m in up.modules())]
    assert with_dropout == [0, 1, 2]  # ups[0] is the innermost block
    assert all(m.p == 0.5 for m in g.modules() if isinstance(m, nn.Dropout))
    assert not any(isinstance(m, nn.Dropout) for m in g.downs.modules())


def test_dropout_is_the_only_randomness():
    x = torch.randn(2, 3, 32, 32)
    g = UNetGenerator(3, 3, 32, width=8).train()
    assert not torch.equal(g(x), g(x))
    g = UNetGenerator(3, 3, 32, width=8, dropout=0.0).train()
    assert torch.equal(g(x), g(x))


def test_bad_size_named_in_error():
    g = UNetGenerator(3, 3, 32, width=8)
    with pytest.raises(IncompatibleConfigError, match=r"multiples of 32 \(e.g. 32, 64, 128\); got 48x48"):
        g(torch.randn(1, 3, 48, 48))
    with pytest.raises(IncompatibleConfigError, match="num_downs"):
        UNetGenerator(1, 1, 28)
    assert UNetGenerator(1, 1, 28, width=8, num_downs=2)(torch.randn(1, 1, 28, 28)).shape == (1, 1, 28, 28)
    with pytest.raises(IncompatibleConfigError, match="multiples of 8"):
        UNetGenerator(1, 1, 28, num_downs=3)
    with pytest.raises(ValueError, match="norm"):
        UNetGenerator(1, 1, 32, norm="group")

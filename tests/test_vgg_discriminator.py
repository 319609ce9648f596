"""VGG-style SR discriminator: blocks per image size, one logit per image, size errors."""

import pytest
import torch
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models.paired import VGGStyleDiscriminator


@pytest.mark.parametrize("size, blocks", [(16, 2), (32, 3), (128, 5)])
def test_blocks_down_to_4x4_and_one_logit(size, blocks):
    d = VGGStyleDiscriminator(in_channels=3, image_size=size, width=4)
    convs = [m for m in d.features if isinstance(m, nn.Conv2d)]
    assert [c.stride[0] for c in convs] == [1, 2] * blocks
    assert [c.kernel_size[0] for c in convs] == [3, 4] * blocks
    assert d.classifier[1].in_features == convs[-1].out_channels * 4 * 4
    out = d(torch.randn(2, 3, size, size))
    assert out.shape == (2,)


def test_basicsr_128_widths_and_norms():
    with torch.device("meta"):
        d = VGGStyleDiscriminator(in_channels=3, image_size=128, width=64)
    convs = [m for m in d.features if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 64, 128, 128, 256, 256, 512, 512, 512, 512]
    # BatchNorm after every conv but the first.
    assert sum(isinstance(m, nn.BatchNorm2d) for m in d.features) == len(convs) - 1
    assert isinstance(d.features[1], nn.LeakyReLU) and d.features[1].negative_slope == 0.2
    assert d.classifier[1].out_features == 100 and d.classifier[3].out_features == 1


@pytest.mark.parametrize("size", [8, 24, 100])
def test_bad_image_size_refused(size):
    with pytest.raises(IncompatibleConfigError, match="power of two"):
        VGGStyleDiscriminator(image_size=size)


def test_wrong_input_size_refused():
    d = VGGStyleDiscriminator(in_channels=1, image_size=16, width=4)
    with pytest.raises(IncompatibleConfigError, match="built for 16x16"):
        d(torch.randn(1, 1, 32, 32))

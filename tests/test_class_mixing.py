"""gan_lab.utils.class_mixing: a conditional generator on mixtures of class embeddings."""

import pytest
import torch

from gan_lab.errors import GanLabError
from gan_lab.models import DCGANGenerator
from gan_lab.utils.class_mixing import conditional_norms, mixed_classes


def _generator():
    torch.manual_seed(0)
    net = DCGANGenerator(8, (1, 28, 28), width=4, num_classes=3).eval()
    with torch.no_grad():  # distinct class embeddings (they start at gain 1, bias 0)
        for norm in conditional_norms(net):
            norm.gain.weight.normal_(1.0, 0.5)
            norm.bias.weight.normal_(0.0, 0.5)
    return net


def test_endpoints_are_the_classes_and_the_middle_is_between():
    net = _generator()
    z = torch.randn(1, 8).repeat(3, 1)
    a, b, t = torch.tensor([0, 0, 0]), torch.tensor([2, 2, 2]), torch.tensor([0.0, 0.5, 1.0])
    with torch.no_grad(), mixed_classes(net, a, b, t) as labels:
        mixed = net(z, labels)
    with torch.no_grad():
        class_a, class_b = net(z[:1], torch.tensor([0])), net(z[:1], torch.tensor([2]))
    assert torch.allclose(mixed[0], class_a[0], atol=1e-6)
    assert torch.allclose(mixed[2], class_b[0], atol=1e-6)
    assert not torch.allclose(mixed[1], class_a[0], atol=1e-3) and not torch.allclose(mixed[1], class_b[0], atol=1e-3)


def test_the_embeddings_are_restored_even_after_an_error():
    net = _generator()
    before = [(n.gain, n.bias) for n in conditional_norms(net)]
    with pytest.raises(RuntimeError), mixed_classes(net, torch.tensor([0]), torch.tensor([1]), torch.tensor([0.5])):
        raise RuntimeError("boom")
    assert [(n.gain, n.bias) for n in conditional_norms(net)] == before


def test_an_unconditional_generator_is_refused():
    net = DCGANGenerator(8, (1, 28, 28), width=4)
    with (
        pytest.raises(GanLabError, match="not class-conditional"),
        mixed_classes(net, torch.tensor([0]), torch.tensor([1]), torch.tensor([0.5])),
    ):
        pass

"""The MLP's ``hidden_activation`` setting (gan_lab/models/mlp.py): defaults unchanged, tanh for the unrolled GAN."""

import pytest
from torch import nn

from gan_lab.errors import IncompatibleConfigError
from gan_lab.models import MLPDiscriminator, MLPGenerator


def activations(module):
    kinds = (nn.ReLU, nn.LeakyReLU, nn.Tanh)
    return [type(m) for _, m in module.named_modules(remove_duplicate=False) if isinstance(m, kinds)]


def test_defaults_are_relu_in_g_and_leaky_relu_in_d():
    g = MLPGenerator(4, (2,), (8, 8), batch_norm=False)
    d = MLPDiscriminator((2,), (8, 8))
    assert activations(g) == [nn.ReLU, nn.ReLU]
    assert activations(d) == [nn.LeakyReLU, nn.LeakyReLU]
    assert all(m.negative_slope == 0.2 for m in d.modules() if isinstance(m, nn.LeakyReLU))


def test_tanh_hidden_layers():
    g = MLPGenerator(4, (2,), (8, 8), batch_norm=False, hidden_activation="tanh")
    d = MLPDiscriminator((2,), (8, 8), hidden_activation="tanh")
    assert activations(g) == [nn.Tanh, nn.Tanh] and activations(d) == [nn.Tanh, nn.Tanh]


def test_unknown_activation_is_refused():
    with pytest.raises(IncompatibleConfigError, match="hidden_activation"):
        MLPDiscriminator((2,), (8,), hidden_activation="swish")

"""Spectral normalisation helper: every weight layer ends up with largest singular value ~1."""

import torch
from torch import nn

from gan_lab.regularizers import apply_spectral_norm
from gan_lab.regularizers.spectral_norm import is_spectrally_normalized


def _sigma_max(layer: nn.Module) -> float:
    w = layer.weight.detach()
    if isinstance(layer, nn.ConvTranspose2d):  # output channels on dim 1
        w = w.transpose(0, 1)
    return torch.linalg.matrix_norm(w.reshape(w.shape[0], -1), ord=2).item()


def test_largest_singular_value_is_one():
    torch.manual_seed(0)
    net = nn.ModuleDict(
        {
            "linear": nn.Linear(20, 30),
            "conv": nn.Conv2d(3, 8, 3),
            "deconv": nn.ConvTranspose2d(8, 4, 4),
            "embed": nn.Embedding(10, 16),
        }
    )
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(5.0)  # start far from norm 1
    apply_spectral_norm(net)
    assert all(is_spectrally_normalized(m) for m in net.values())
    net.train()
    for _ in range(30):  # one power iteration per training-mode access of .weight
        for layer in net.values():
            _ = layer.weight
    net.eval()
    for name, layer in net.items():
        assert abs(_sigma_max(layer) - 1.0) < 1e-2, name


def test_idempotent_and_trainable():
    net = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
    apply_spectral_norm(apply_spectral_norm(net))
    assert len(net[0].parametrizations["weight"]) == 1
    net(torch.randn(3, 4)).sum().backward()
    assert net[0].parametrizations["weight"].original.grad is not None

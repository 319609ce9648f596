"""PPL in W with endpoint sampling: torchmetrics gets w vectors and [0, 255] images; a
hand-checkable similarity gives the expected value; missing LPIPS weights skip or raise."""

import pytest
import torch
from torch import nn

from gan_lab.errors import GanLabError
from gan_lab.metrics import perceptual_path_length as ppl
from gan_lab.models.stylegan2 import StyleGAN2Generator


def tiny_generator():
    torch.manual_seed(0)
    return StyleGAN2Generator(8, (1, 8, 8), w_dim=8, mapping_layers=2, channel_base=32, channel_max=8)


class MeanSquare(nn.Module):
    def forward(self, a, b):
        return (a - b).square().flatten(1).mean(1)


def test_w_space_interface():
    paths = ppl.WSpacePaths(tiny_generator(), seed=1)
    w = paths.sample(5)
    assert w.shape == (5, 8)
    images = paths(w)
    assert images.shape == (5, 3, 8, 8) and images.min() >= 0 and images.max() <= 255
    assert torch.equal(paths(w), images)  # fixed noise inputs: rendering is deterministic
    assert torch.equal(ppl.WSpacePaths(tiny_generator(), seed=1).sample(5), w)  # seeded


def test_ppl_of_a_constant_generator_is_zero_and_scales_with_epsilon_squared():
    g = tiny_generator()
    for p in g.synthesis_network.parameters():
        p.data.zero_()
    out = ppl.perceptual_path_length(g, MeanSquare(), num_samples=20, batch_size=10)
    assert out["ppl"] == 0.0
    g = tiny_generator()
    a = ppl.perceptual_path_length(g, MeanSquare(), num_samples=40, batch_size=20, epsilon=1e-2)
    b = ppl.perceptual_path_length(g, MeanSquare(), num_samples=40, batch_size=20, epsilon=2e-2)
    # for a smooth G the squared image difference grows as eps^2, so d / eps^2 stays about the same
    assert a["ppl"] > 0 and b["ppl"] == pytest.approx(a["ppl"], rel=0.25)


def test_missing_similarity_weights_skip_or_raise(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))  # an empty hub cache
    assert ppl.similarity_net(None, download=False, explicit=False) is None
    with pytest.raises(GanLabError, match="ppl needs the LPIPS-VGG backbone"):
        ppl.similarity_net(None, download=False, explicit=True)
    with pytest.raises(GanLabError, match="no such file"):
        ppl.similarity_net(str(tmp_path / "missing.pth"), download=False, explicit=False)

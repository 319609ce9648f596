"""PPL in W with endpoint sampling: torchmetrics gets w vectors and [0, 255] images; a
hand-checkable similarity gives the expected value; missing LPIPS weights skip or raise."""

import logging

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


# ------------------------------------------------------------------ through the evaluator
class StyleModule(nn.Module):
    """What the evaluator reads of a StyleGAN2 module: ``generator`` (no EMA copy)."""

    task_family = "noise_to_image"

    def __init__(self, generator):
        super().__init__()
        self.generator = generator


def evaluator_for(metrics, tmp_path, **settings):
    from gan_lab.metrics.evaluator import EvalSettings, Evaluator
    from helpers import TINY, compose_config

    cfg = compose_config([*TINY, "experiment=stylegan2_tiny"], tmp_path)
    return Evaluator(cfg, metrics, EvalSettings(num_samples=20, batch_size=10, **settings))


def test_evaluator_records_ppl_with_its_protocol(tmp_path, monkeypatch):
    monkeypatch.setattr(ppl, "similarity_net", lambda *args, **kwargs: MeanSquare())
    weights = tmp_path / "vgg16-397923af.pth"  # stands in for the backbone file; similarity_net is replaced
    weights.write_bytes(b"not really VGG")
    records = evaluator_for(["ppl"], tmp_path, ppl_weights=str(weights)).evaluate(StyleModule(tiny_generator()), step=3)
    by_name = {r["name"]: r for r in records}
    assert set(by_name) == {"ppl", "ppl_std"}
    expected = ppl.perceptual_path_length(tiny_generator(), MeanSquare(), num_samples=20, batch_size=10)
    assert by_name["ppl"]["value"] == pytest.approx(expected["ppl"])
    protocol = by_name["ppl"]["protocol"]
    assert protocol["feature_extractor"] == "lpips-vgg" and protocol["step"] == 3 and protocol["n_fake"] == 20
    assert protocol["options"]["space"] == "w" and protocol["options"]["epsilon"] == 1e-4
    assert protocol["weights"].endswith("vgg16-397923af.pth") and protocol["weights_sha256"]


def test_evaluator_skips_ppl_without_weights_with_one_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))  # an empty hub cache
    with caplog.at_level(logging.WARNING):
        records = evaluator_for(["ppl"], tmp_path, download_weights=False).evaluate(StyleModule(tiny_generator()))
    assert [r for r in records if r["name"].startswith("ppl")] == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "ppl skipped" in warnings[0] and "ppl_weights=" in warnings[0]


def test_evaluator_ppl_needs_a_style_based_generator(tmp_path):
    from gan_lab.errors import IncompatibleConfigError

    with pytest.raises(IncompatibleConfigError, match="style-based generator"):
        evaluator_for(["ppl"], tmp_path).evaluate(StyleModule(nn.Linear(8, 8)))

"""DiffAugment: shapes, differentiability, every sample of a batch gets each op."""

import pytest
import torch

from gan_lab.regularizers import DiffAugment
from gan_lab.regularizers.diffaugment import brightness, cutout, shift, translation

POLICIES = ["color", "translation", "cutout", "color,translation,cutout"]


@pytest.mark.parametrize("policy", POLICIES)
def test_shapes_and_gradients(policy):
    x = torch.randn(6, 3, 16, 16, requires_grad=True)
    out = DiffAugment(policy)(x)
    assert out.shape == x.shape
    out.square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_policy_parsing():
    assert DiffAugment(["color", "cutout"]).policy == ("color", "cutout")
    assert not DiffAugment("")
    with pytest.raises(ValueError, match="unknown DiffAugment"):
        DiffAugment("color,flip")


def test_brightness_shifts_each_whole_image():
    x = torch.zeros(8, 3, 5, 5)
    out = brightness(x, generator=torch.Generator().manual_seed(0))
    per_image = out.flatten(1)
    # every image shifted by one constant in [-0.5, 0.5], and not all by the same one
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image))
    assert per_image.abs().max() <= 0.5 and per_image[:, 0].unique().numel() == 8


def test_shift_is_exact():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    out = shift(x, torch.tensor([[[1]]]), torch.tensor([[[-1]]]), 1, 1)
    expected = torch.tensor([[0.0, 4, 5, 6], [0, 8, 9, 10], [0, 12, 13, 14], [0, 0, 0, 0]])
    assert torch.equal(out[0, 0], expected)


def test_translation_moves_every_sample_within_range():
    x = torch.rand(10, 2, 8, 8) + 1.0  # strictly positive so zero fill is visible
    out = translation(x, generator=torch.Generator().manual_seed(1))
    for i in range(10):  # each output is its own input shifted by some (dy, dx) with |d| <= 1
        matches = [
            (dy, dx)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if torch.equal(out[i : i + 1], shift(x[i : i + 1], torch.tensor([[[dy]]]), torch.tensor([[[dx]]]), 1, 1))
        ]
        assert matches


def test_cutout_zeroes_one_square_per_sample():
    x = torch.ones(16, 3, 8, 8)
    out = cutout(x, generator=torch.Generator().manual_seed(2))
    zeros = (out == 0).all(dim=1)  # same mask on every channel
    assert torch.equal((out == 0).any(dim=1), zeros)
    counts = zeros.flatten(1).sum(1)
    assert (counts >= 4).all() and (counts <= 16).all()  # a 4x4 square, clipped at the border


def test_module_augments_real_and_fake_in_both_steps(tmp_path):
    from zoo_config import build_run, compose_train

    cfg = compose_train(
        [
            "model.generator.width=4",
            "model.discriminator.width=4",
            "regularizers.diffaugment=[translation,cutout]",
            "g_steps=1",
        ],
        tmp_path,
    )
    datamodule, module, trainer = build_run(cfg)
    calls = []
    real_augment = module.augment
    module.augment = lambda x: calls.append(x.requires_grad) or real_augment(x)
    trainer.fit(module, datamodule=datamodule)
    # D step: real (no grad) and fake (made under no_grad); G step: fake, with grad to G
    assert calls == [False, False, True]

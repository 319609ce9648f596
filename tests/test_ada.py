"""ADA: the augmentation ops (identity at p = 0, exact at p = 1, differentiable), the sign rule
of the p controller with its clamp to [0, 1], fixed p, and p in the state dict."""

import pytest
import torch

from gan_lab.regularizers import ada
from gan_lab.regularizers.ada import AdaptiveAugment, adjusted_p


def images(n=6, c=3, size=8, seed=0):
    return torch.rand(n, c, size, size, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.mark.parametrize("name", ada.OPERATIONS)
def test_every_op_is_the_identity_at_p0_and_differentiable(name):
    x = images().requires_grad_(True)
    assert torch.equal(ada.PIPELINE[name](x, 0.0), x)
    out = ada.PIPELINE[name](x, 1.0)
    assert out.shape == x.shape
    out.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_ops_at_p1_do_what_they_say():
    x = images()
    assert torch.equal(ada.xflip(x, 1.0), x.flip(3))
    rotated = ada.rotate90(x, 1.0)
    for i in range(len(x)):  # each sample is one of its four rotations
        assert any(torch.equal(rotated[i], torch.rot90(x[i], k, dims=(1, 2))) for k in range(4))
    shifted = ada.translate(x, 1.0)
    assert torch.allclose(shifted.mean(dim=(1, 2, 3)), shifted.mean(dim=(1, 2, 3)))  # finite
    grey = images(c=1)
    assert torch.equal(ada.saturation(grey, 1.0), grey)  # one channel: nothing to saturate
    assert torch.allclose(ada.saturation(x, 1.0).mean(dim=1), x.mean(dim=1), atol=1e-6)  # keeps the grey axis
    ratio = ada.contrast(x, 1.0) / x
    assert torch.allclose(ratio, ratio[:, :1, :1, :1].expand_as(ratio), atol=1e-4)  # one factor per sample
    diff = ada.brightness(x, 1.0) - x
    assert torch.allclose(diff, diff[:, :1, :1, :1].expand_as(diff), atol=1e-6)  # one offset per sample
    holes = (ada.random_cutout(torch.ones(4, 1, 8, 8), 1.0) == 0).flatten(1).sum(1)
    assert ((holes > 0) & (holes <= 16)).all()  # a 4x4 square, clipped at the border


def test_translation_is_an_integer_shift_with_reflection():
    x = torch.arange(64.0).view(1, 1, 8, 8)
    torch.manual_seed(3)
    out = ada.translate(x, 1.0)
    # some shift (dy, dx) in [-1, 1]^2 (1/8 of 8 px) reproduces the inner pixels exactly
    inner = out[0, 0, 1:-1, 1:-1]
    assert any(torch.equal(inner, x[0, 0, 1 - dy : 7 - dy, 1 - dx : 7 - dx]) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def test_probability_applies_per_sample():
    torch.manual_seed(0)
    x = images(n=2000, size=4)
    flipped = (ada.xflip(x, 0.3) != x).flatten(1).any(1).float().mean().item()
    assert flipped == pytest.approx(0.3, abs=0.04)


def test_sign_rule_and_clamp():
    # rt above target: p grows by images / ramp; below: shrinks; never leaves [0, 1]
    assert adjusted_p(0.5, 0.8, 0.6, 128, 1000) == pytest.approx(0.628)
    assert adjusted_p(0.5, 0.2, 0.6, 128, 1000) == pytest.approx(0.372)
    assert adjusted_p(0.05, 0.0, 0.6, 128, 1000) == 0.0
    assert adjusted_p(0.95, 1.0, 0.6, 128, 1000) == 1.0
    assert adjusted_p(0.4, 0.6, 0.6, 128, 1000) == 0.4  # sign(0) = 0


def test_controller_updates_every_interval_from_the_sign_of_real_outputs():
    aug = AdaptiveAugment(target=0.6, interval=2, ramp_images=100)
    logs = aug.observe_real_outputs(torch.tensor([1.0, 2.0, -1.0, 3.0]))  # 3 positive of 4
    assert float(aug.p) == 0.0 and float(logs["train/ada_p"]) == 0.0  # not yet: interval 2
    logs = aug.observe_real_outputs(torch.tensor([0.5, 0.5, 0.5, -0.5]))
    # r_t = (3 - 1 + 3 - 1) / 8 = 0.5 < 0.6 -> p would fall, clamped at 0
    assert float(aug.rt) == pytest.approx(0.5) and float(aug.p) == 0.0
    for _ in range(2):
        aug.observe_real_outputs(torch.ones(4))  # r_t = 1 > 0.6 -> p += 8 / 100
    assert float(aug.p) == pytest.approx(0.08) and float(aug.rt) == 1.0
    assert float(aug.count) == 0 and int(aug.observations) == 0  # accumulators restart each interval
    for _ in range(40):
        aug.observe_real_outputs(torch.ones(4))
    assert float(aug.p) == 1.0  # clamped


def test_fixed_p_measures_rt_but_never_moves():
    aug = AdaptiveAugment(interval=1, fixed_p=0.25)
    for _ in range(5):
        aug.observe_real_outputs(torch.ones(8))
    assert float(aug.p) == 0.25 and float(aug.rt) == 1.0
    zero = AdaptiveAugment(interval=1, fixed_p=0.0)
    x = images()
    assert torch.equal(zero(x), x)


def test_p_and_the_running_sums_survive_a_state_dict_round_trip():
    aug = AdaptiveAugment(interval=3, ramp_images=10)
    for _ in range(4):
        aug.observe_real_outputs(torch.ones(2))
    restored = AdaptiveAugment(interval=3, ramp_images=10)
    restored.load_state_dict(aug.state_dict())
    assert float(restored.p) == float(aug.p) == pytest.approx(0.6)
    aug.observe_real_outputs(torch.ones(2))
    aug.observe_real_outputs(torch.ones(2))
    restored.observe_real_outputs(torch.ones(2))
    restored.observe_real_outputs(torch.ones(2))
    assert float(restored.p) == float(aug.p) == 1.0


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="unknown ADA operation"):
        AdaptiveAugment(operations=["hue"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        AdaptiveAugment(fixed_p=1.5)

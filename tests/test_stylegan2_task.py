"""StyleGAN2 training: path lengths and their running mean by hand, the lazy path-length term
with its gain, style mixing, the lazy Adam correction of both optimizers, the EMA half-life,
ADA in the loop (logged, p restored on resume), and the tiny preset training a few steps."""

import math

import pytest
import torch
from zoo_config import build_run, compose_train

from gan_lab.regularizers.ema import decay_for_half_life
from gan_lab.regularizers.lazy import LazyCorrectedOptimizer, lazy_ratio
from gan_lab.tasks.stylegan2 import path_lengths

TINY_SG2 = [
    "experiment=stylegan2_tiny",
    "model.latent_dim=8",
    "model.w_dim=8",
    "model.channel_base=64",
    "model.channel_max=8",
    "dataset.image_size=8",
    "data.batch_size=4",
]


def test_path_lengths_of_a_linear_synthesis_match_hand_computation():
    # images[n] = sum_j sum_k c_jk ws[n, j, k] everywhere in a 2x2 image, so
    # d sum(images * y) / d ws[n, j, k] = c_jk * sum(y_n) and a_n = |sum(y_n)| * sqrt(mean_j sum_k c_jk^2)
    c = torch.tensor([[1.0, 2.0], [0.0, 3.0], [1.0, 1.0]], requires_grad=True)  # "G weights": num_ws 3, w_dim 2
    ws = torch.randn(2, 3, 2, requires_grad=True)
    images = (ws * c).sum(dim=(1, 2)).view(2, 1, 1, 1).expand(2, 1, 2, 2)
    noise = torch.tensor([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 0.0, 0.0]]).view(2, 1, 2, 2)
    ys = noise.sum(dim=(1, 2, 3)) / 2.0  # noise / sqrt(H*W), summed
    expected = ys.abs() * math.sqrt((5.0 + 9.0 + 2.0) / 3)
    assert torch.allclose(path_lengths(images, ws, noise), expected)
    assert path_lengths(images, ws, noise).requires_grad  # the penalty reaches G's weights


def test_running_mean_and_penalty_follow_the_decay(tmp_path):
    _, module, _ = build_run(compose_train([*TINY_SG2, "task.style_mixing_prob=0"], tmp_path))
    lengths_seen = []

    def fake_lengths(images, ws, noise):
        out = torch.tensor([1.0, 3.0]) + 0.0 * images.sum()
        lengths_seen.append(out)
        return out

    import gan_lab.tasks.stylegan2 as sg2

    original = sg2.path_lengths
    sg2.path_lengths = fake_lengths
    try:
        first = module.path_length_penalty(2)
        assert float(module.pl_mean) == pytest.approx(0.01 * 2.0)  # 0 + 0.01 * (mean 2 - 0)
        assert float(first.detach()) == pytest.approx(((1 - 0.02) ** 2 + (3 - 0.02) ** 2) / 2)
        module.path_length_penalty(2)
        assert float(module.pl_mean) == pytest.approx(0.02 + 0.01 * (2.0 - 0.02))
    finally:
        sg2.path_lengths = original


def test_path_length_term_on_lazy_steps_only_scaled_by_weight_and_interval(tmp_path):
    cfg = compose_train([*TINY_SG2, "task.path_length.weight=2.0", "task.path_length.interval=4"], tmp_path)
    _, module, _ = build_run(cfg)
    module.path_length_penalty = lambda n: torch.tensor(0.5)
    batch = (torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long))
    outputs = module.generator_outputs(batch)
    seen = {}
    for step in range(6):
        module._step_counts()[1] = step
        module._step_logs = {}
        terms = module.generator_terms(batch, outputs)
        seen[step] = float(terms["path_length"]) if "path_length" in terms else None
    assert seen == {0: 4.0, 1: None, 2: None, 3: None, 4: 4.0, 5: None}  # 2 * 4 * 0.5 on steps 0, 4


def test_style_mixing_takes_the_second_latents_styles_after_a_cutoff(tmp_path):
    _, module, _ = build_run(compose_train([*TINY_SG2, "task.style_mixing_prob=1.0"], tmp_path))
    module.generator.eval()  # w_avg fixed
    z = torch.randn(3, 8)
    plain = module.generator.mapping(z)
    mixed = module.mixed_styles(z)
    same = (mixed == plain).all(dim=2).all(dim=0)  # per style input
    cutoff = int(same.long().argmin())
    assert 1 <= cutoff < plain.shape[1]
    assert same[:cutoff].all() and not same[cutoff:].any()
    module.style_mixing_prob = 0.0
    assert torch.equal(module.mixed_styles(z), plain)


def test_lazy_ratio_and_optimizer_correction():
    assert lazy_ratio(1) == 1.0 and lazy_ratio(16) == pytest.approx(16 / 17) and lazy_ratio(4) == pytest.approx(0.8)
    factory = LazyCorrectedOptimizer(lambda p: torch.optim.Adam(p, lr=0.0025, betas=(0.0, 0.99)), 4)
    opt = factory([torch.nn.Parameter(torch.zeros(2))])
    group = opt.param_groups[0]
    assert group["lr"] == pytest.approx(0.0025 * 0.8)
    assert group["betas"] == pytest.approx((0.0, 0.99**0.8))


def test_builder_corrects_both_optimizers_for_their_intervals(tmp_path):
    cfg = compose_train([*TINY_SG2, "regularizers.r1.lazy_interval=16", "task.path_length.interval=4"], tmp_path)
    _, module, _ = build_run(cfg)
    d_opt, g_opt = module.configure_optimizers()  # [D, G]
    d_group, g_group = d_opt.param_groups[0], g_opt.param_groups[0]
    assert d_group["lr"] == pytest.approx(0.0025 * 16 / 17) and d_group["betas"][1] == pytest.approx(0.99 ** (16 / 17))
    assert g_group["lr"] == pytest.approx(0.0025 * 4 / 5) and g_group["betas"][1] == pytest.approx(0.99 ** (4 / 5))
    off = compose_train([*TINY_SG2, "regularizers.lazy_adam_correction=false"], tmp_path)
    _, plain, _ = build_run(off)
    assert all(opt.param_groups[0]["lr"] == 0.0025 for opt in plain.configure_optimizers())
    no_pl = compose_train([*TINY_SG2, "task.path_length.weight=0"], tmp_path)
    _, module, _ = build_run(no_pl)
    assert module.configure_optimizers()[1].param_groups[0]["lr"] == 0.0025  # no lazy G regularizer: no correction


def test_ema_half_life_in_images(tmp_path):
    decay = decay_for_half_life(32, 10_000)
    assert decay == pytest.approx(0.5 ** (32 / 10_000))
    assert decay ** (10_000 / 32) == pytest.approx(0.5)  # after half-life images, old weights count half
    _, module, _ = build_run(compose_train([*TINY_SG2, "regularizers.ema.half_life_images=1000"], tmp_path))
    assert module.ema_generator.decay == pytest.approx(0.5 ** (4 / 1000))


def test_tiny_preset_trains_with_ada_and_p_survives_resume(tmp_path):
    from gan_lab.checkpointing.loading import load_checkpoint
    from gan_lab.train import train

    overrides = [
        *TINY_SG2,
        "regularizers.ada.enabled=true",
        "regularizers.ada.interval=1",
        "regularizers.ada.ramp_images=16",  # p moves by 4/16 per D step
        "regularizers.r1.lazy_interval=2",
        "task.path_length.interval=2",
        "g_steps=3",
    ]
    trainer = train(compose_train(overrides, tmp_path))
    module = trainer.lightning_module
    assert int(module.generator_steps) == 3 and float(module.pl_mean) > 0
    p = float(module.augment.p)
    assert p in (0.0, 0.25, 0.5, 0.75)  # three moves of +-0.25 from 0, clamped at 0
    assert float(module.latest_losses["train/ada_p"]) == p and "train/ada_rt" in module.latest_losses  # logged
    assert {"train/g_path_length", "train/pl_mean"} <= set(module.latest_losses)  # the last G step (2) was lazy
    ckpt = tmp_path / "run" / "checkpoints" / "last.ckpt"
    restored, _, _ = load_checkpoint(str(ckpt))
    assert float(restored.augment.p) == p and float(restored.pl_mean) == float(module.pl_mean)
    state = torch.load(ckpt, map_location="cpu", weights_only=False)["state_dict"]
    assert float(state["augment.p"]) == p
    images, _ = module.preview(trainer)
    assert torch.isfinite(images).all()


def test_generate_applies_the_configured_truncation(tmp_path):
    _, module, _ = build_run(compose_train([*TINY_SG2, "task.truncation_psi=0.0"], tmp_path))
    images = module.generate(n=3)  # psi 0: every sample is the image of w_avg (noise strengths are 0 at init)
    assert torch.allclose(images[0], images[1]) and torch.allclose(images[0], images[2])
    module.truncation_psi = 1.0
    images = module.generate(n=3)
    assert not torch.allclose(images[0], images[1])

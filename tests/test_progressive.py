"""The progressive-growing family: stages from images shown, faded reals, optimizer resets, exact resume."""

import csv
import logging
from pathlib import Path

import pytest
import torch
from helpers import TINY, compose_config

from gan_lab.builders import build_module
from gan_lab.checkpointing.loading import load_checkpoint
from gan_lab.errors import IncompatibleConfigError
from gan_lab.metrics.sampling import generate_samples
from gan_lab.train import train

# 16 px digits, tiny networks; with batch 8 and n_critic 1 every phase lasts 2 G steps
# (16 real images): 4x4 for steps 0-1, 8x8 fade-in 2-3, 8x8 stabilise 4-5, 16x16 fade-in 6-7, ...
PROGRESSIVE = [
    *TINY,
    "task=progressive",
    "model=progressive",
    "model.channel_base=64",
    "model.channel_max=8",
    "model.latent_dim=8",
    "dataset.image_size=16",
    "loss=wgan_gp",
    "loss.n_critic=1",
    "loss.drift=0.001",
    "optimizer.generator.betas=[0.0,0.99]",
    "optimizer.discriminator.betas=[0.0,0.99]",
    "task.fade_images=16",
    "task.stabilise_images=16",
    "regularizers.ema.enabled=true",
]


def test_training_walks_through_the_phases_and_resets_the_optimizers(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="gan_lab.train"):
        trainer = train(compose_config([*PROGRESSIVE, "g_steps=5"], tmp_path))
    module = trainer.lightning_module
    assert "g_steps=5 ends before 16x16 has faded in (G step 8)" in caplog.text
    assert int(module.images_shown) == 40 and int(module.growth_phase_index) == 2
    assert (module.generator.resolution, module.generator.alpha) == (8, 1.0)
    assert (module.ema_generator.module.resolution, module.discriminator.resolution) == (8, 8)
    messages = [r.getMessage() for r in caplog.records if " (phase " in r.getMessage()]
    assert [m.split(" (")[0] for m in messages] == [
        "progressive growing: 4x4 stabilise",
        "progressive growing: 8x8 fade-in",
        "progressive growing: 8x8 stabilise",
    ]
    # Adam's state was cleared when 8x8 stabilisation began (before G step 5): one step since then,
    # not five; layers of the 16x16 stage never had a gradient, hence no state.
    d_opt, g_opt = trainer.optimizers
    assert int(g_opt.state[module.generator.blocks[0].dense.weight]["step"]) == 1
    assert int(d_opt.state[module.discriminator.blocks[0].layers[1].weight]["step"]) == 1
    assert module.generator.blocks[2].layers[0].weight not in g_opt.state
    # a grid at the end of each finished phase, named after it
    samples = sorted(p.name for p in (tmp_path / "samples").glob("phase_*.png"))
    assert samples == [
        "phase_00_4x4_stabilise_end_step_000002.png",
        "phase_01_8x8_fade-in_end_step_000004.png",
    ]
    images, _ = module.preview(trainer)
    assert images.shape == (64, 1, 16, 16)  # the 8x8 stage, up-sampled to the dataset's size
    assert torch.equal(images[:, :, ::2, ::2].repeat_interleave(2, 2).repeat_interleave(2, 3), images)


@pytest.mark.slow
def test_without_a_phase_change_the_optimizer_state_is_kept(tmp_path):
    trainer = train(compose_config([*PROGRESSIVE, "g_steps=3", "task.stabilise_images=100"], tmp_path))
    _, g_opt = trainer.optimizers
    assert int(g_opt.state[trainer.lightning_module.generator.blocks[0].dense.weight]["step"]) == 3


def test_discriminator_sees_reals_downsampled_and_faded_with_the_current_alpha(tmp_path):
    module = build_module(compose_config(PROGRESSIVE, tmp_path))
    module.images_shown.fill_(16 + 16 + 16 + 4)  # 16x16 fade-in, alpha 4/16
    module.load_state_dict(module.state_dict())  # as a checkpoint load: the stage follows the buffers
    assert (module.generator.resolution, module.discriminator.alpha) == (16, 0.25)
    seen = []
    module.discriminate = lambda x, labels: seen.append(x) or module.discriminator(x)
    real = torch.rand(8, 1, 16, 16) * 2 - 1
    fake = module.generate_fakes(8, None)
    assert fake.shape == (8, 1, 16, 16)
    module.discriminator_terms((real, torch.zeros(8)), {"fake": fake, "fake_labels": None})
    coarse = torch.nn.functional.avg_pool2d(real, 2).repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert torch.allclose(seen[0], 0.75 * coarse + 0.25 * real)
    module.images_shown.fill_(16 + 4)  # 8x8 fade-in: reals box-downsampled to 8x8 first
    module.load_state_dict(module.state_dict())
    seen.clear()
    module.discriminator_terms((real, torch.zeros(8)), {"fake": module.generate_fakes(8, None), "fake_labels": None})
    fine = torch.nn.functional.avg_pool2d(real, 2)
    coarse = torch.nn.functional.avg_pool2d(real, 4).repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert seen[0].shape == (8, 1, 8, 8) and torch.allclose(seen[0], 0.75 * coarse + 0.25 * fine)


def logged(run_dir: Path) -> list[tuple]:
    keys = ("train/d_loss", "train/g_loss", "train/d_real", "train/d_fake", "train/penalty")
    rows = []
    for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
        for row in csv.DictReader(path.open()):
            if row.get("train/g_loss"):
                rows.append((int(row["step"]), *(row.get(k, "") for k in keys)))
    return rows


def test_resume_mid_fade_continues_at_the_same_alpha_with_the_same_losses(tmp_path):
    common = [*PROGRESSIVE, "trainer.deterministic=true", "sample_every=0", "task.fade_images=32"]
    straight = tmp_path / "straight"
    train(compose_config([*common, "g_steps=6"], straight))

    split = tmp_path / "split"
    train(compose_config([*common, "g_steps=3"], split))
    ckpt = split / "checkpoints" / "last.ckpt"
    module, _, raw = load_checkpoint(str(ckpt))
    assert raw["progressive_growing"] == {"images_shown": 24, "phase": 1, "resolution": 8, "alpha": 0.25}
    assert int(module.images_shown) == 24 and module.phase.fading
    assert module.phase.alpha == module.generator.alpha == module.ema_generator.module.alpha == 0.25  # (24-16)/32
    samples, kind = generate_samples(module, 4, seed=0)  # what evaluate and sample draw
    assert samples.shape == (4, 1, 16, 16) and kind == "ema"
    assert module.task_family == "noise_to_image"  # evaluate scores it like any noise -> image module
    resumed = train(compose_config([*common, "g_steps=6", f"ckpt_path={ckpt}"], split)).lightning_module
    assert int(resumed.images_shown) == 48 and resumed.phase.name == "8x8 stabilise"

    expected, got = logged(straight), logged(split)
    assert [r[0] for r in got] == list(range(6))
    assert got == expected  # bit-identical: same alpha, no extra optimizer reset at the resume


def test_non_growing_model_is_refused(tmp_path):
    cfg = compose_config([*TINY, "task=progressive", "model=dcgan"], tmp_path)
    with pytest.raises(IncompatibleConfigError, match="model=progressive"):
        build_module(cfg)


def test_start_resolution_must_be_one_of_the_networks(tmp_path):
    with pytest.raises(IncompatibleConfigError, match="start_resolution"):
        build_module(compose_config([*PROGRESSIVE, "task.start_resolution=32"], tmp_path))


def test_a_resume_with_other_schedule_settings_says_where_it_continues(tmp_path, caplog):
    module = build_module(compose_config(PROGRESSIVE, tmp_path))  # fade and stabilise over 16 images
    with caplog.at_level(logging.WARNING, logger="gan_lab.train"):
        same = {"images_shown": 24, "phase": 1, "resolution": 8, "alpha": 0.5}
        module.on_load_checkpoint({"gan_lab_config": {}, "progressive_growing": same})
        assert not caplog.text
        longer_fade = {"images_shown": 24, "phase": 1, "resolution": 8, "alpha": 0.25}  # saved with fade 32
        module.on_load_checkpoint({"gan_lab_config": {}, "progressive_growing": longer_fade})
    assert "stopped at 8x8, alpha 0.2500" in caplog.text and "8x8 fade-in, alpha 0.5000" in caplog.text

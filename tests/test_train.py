"""Training really runs: every model x loss pair, step counting, outputs, resume."""

import csv
from pathlib import Path

import pytest
import torch

from gan_lab.train import train
from helpers import TINY, compose_config, tiny_model_overrides

LOSSES = ["minimax", "ns", "wgan", "wgan_gp", "lsgan", "hinge"]


def run(tmp_path: Path, *overrides: str, model: str = "dcgan"):
    cfg = compose_config([*TINY, f"model={model}", *tiny_model_overrides(model), *overrides], tmp_path)
    return cfg, train(cfg)


def metrics_rows(run_dir: Path) -> list[dict]:
    rows = []
    for path in sorted(run_dir.glob("csv/version_*/metrics.csv")):
        rows += list(csv.DictReader(path.open()))
    return rows


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("model", ["dcgan", "mlp"])
def test_every_model_loss_pair_trains(tmp_path, model, loss):
    cfg, trainer = run(tmp_path, f"loss={loss}", "loss.n_critic=2", model=model)
    module = trainer.lightning_module
    assert int(module.generator_steps) == 2
    assert trainer.global_step == 2 * 3  # 2 G steps, each with 2 D steps
    rows = [r for r in metrics_rows(tmp_path) if r.get("train/d_loss")]
    assert len(rows) == 2
    for row in rows:
        for key in ("train/d_loss", "train/g_loss", "train/d_real", "train/d_fake"):
            assert torch.isfinite(torch.tensor(float(row[key])))
    has_penalty = any(r.get("train/penalty") for r in rows)
    assert has_penalty == (loss == "wgan_gp")


def test_run_folder_holds_config_samples_csv_and_checkpoint(tmp_path):
    run(tmp_path, "g_steps=4", "sample_every=2")
    assert (tmp_path / "config.yaml").is_file()
    assert sorted(p.name for p in (tmp_path / "samples").glob("*.png")) == [
        "final.png",
        "step_000000.png",
        "step_000002.png",
        "step_000004.png",
    ]
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()
    steps = [int(r["step"]) for r in metrics_rows(tmp_path) if r.get("train/g_loss")]
    assert steps == [0, 1, 2, 3]  # logged once per G step


def test_callbacks_none_writes_only_the_final_checkpoint(tmp_path):
    # 64 points in batches of 8: 8 steps per epoch, so 20 G steps cross two epoch ends, where
    # Lightning's own default ModelCheckpoint would write epoch=...-step=....ckpt
    run(
        tmp_path,
        "callbacks=none",
        "g_steps=20",
        "dataset=grid",
        "dataset.source.num_samples=64",
        "dataset.preview_samples=16",
        model="mlp",
    )
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.ckpt")] == ["checkpoints/last.ckpt"]


def test_2d_run_saves_scatter_plots(tmp_path):
    from PIL import Image

    run(
        tmp_path,
        "dataset=ring",
        "loss=ns",
        "dataset.source.num_samples=500",
        "dataset.preview_samples=100",
        model="mlp",
    )
    final = Image.open(tmp_path / "samples" / "final.png")
    assert final.size == (500, 500)  # a matplotlib figure, not an image grid


@pytest.mark.parametrize("n_critic", [1, 5])
def test_generator_updates_equal_g_steps(tmp_path, n_critic):
    counts = {}
    _, trainer = run(tmp_path, "loss=wgan_gp", f"loss.n_critic={n_critic}", "g_steps=3", "sample_every=0")
    module = trainer.lightning_module
    d_opt, g_opt = trainer.optimizers
    # Adam keeps a per-parameter step counter: it equals the number of updates.
    g_param = next(module.generator.parameters())
    d_param = next(module.discriminator.parameters())
    counts["g"] = int(g_opt.state[g_param]["step"])
    counts["d"] = int(d_opt.state[d_param]["step"])
    assert counts == {"g": 3, "d": 3 * n_critic}
    assert int(module.generator_steps) == 3


def test_d_updates_see_fresh_real_batches(tmp_path, monkeypatch):
    from gan_lab.gan_module import GANModule

    seen = []
    original = GANModule.discriminator_update

    def spy(self, batch, d_opt, outputs=None):
        seen.append(batch[0].clone())
        return original(self, batch, d_opt, outputs)

    monkeypatch.setattr(GANModule, "discriminator_update", spy)
    run(tmp_path, "loss=wgan", "loss.n_critic=3", "g_steps=1", "data.batch_size=4")
    assert len(seen) == 3 and all(r.shape[0] == 4 for r in seen)
    assert not torch.equal(seen[0], seen[1]) and not torch.equal(seen[1], seen[2])


def test_generator_step_leaves_discriminator_untouched(tmp_path, monkeypatch):
    from gan_lab.gan_module import GANModule

    seen = {}
    original = GANModule.generator_update

    def spy(self, batch, g_opt, outputs=None):
        before = [p.grad.clone() for p in self.discriminator.parameters()]
        weights = [p.detach().clone() for p in self.discriminator.parameters()]
        out = original(self, batch, g_opt, outputs)
        seen["grads_unchanged"] = all(torch.equal(b, p.grad) for b, p in zip(before, self.discriminator.parameters()))
        seen["weights_unchanged"] = all(torch.equal(w, p) for w, p in zip(weights, self.discriminator.parameters()))
        seen["requires_grad"] = all(p.requires_grad for p in self.discriminator.parameters())
        seen["g_grads"] = all(p.grad is not None for p in self.generator.parameters())
        return out

    monkeypatch.setattr(GANModule, "generator_update", spy)
    run(tmp_path, "g_steps=1")
    assert seen == {"grads_unchanged": True, "weights_unchanged": True, "requires_grad": True, "g_grads": True}


def test_resume_continues_at_the_right_step(tmp_path):
    cfg, trainer = run(tmp_path, "g_steps=3", "loss=wgan_gp", "loss.n_critic=2")
    ckpt = tmp_path / "checkpoints" / "last.ckpt"
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)  # plain types only
    assert saved["global_step"] == 9 and int(saved["state_dict"]["generator_steps"]) == 3
    assert saved["gan_lab_config"]["g_steps"] == 3

    _, resumed = run(tmp_path, "g_steps=5", "loss=wgan_gp", "loss.n_critic=2", f"ckpt_path={ckpt}")
    assert int(resumed.lightning_module.generator_steps) == 5
    assert resumed.lightning_module.g_step == 5  # the host-side count continues from the checkpoint too
    assert resumed.global_step == 15
    steps = [int(r["step"]) for r in metrics_rows(tmp_path) if r.get("train/g_loss")]
    assert steps == [0, 1, 2, 3, 4]  # version_0 then version_1 (the resumed part)
    assert torch.equal(saved["state_dict"]["fixed_noise"], resumed.lightning_module.fixed_noise.cpu())


def test_host_step_counts_follow_the_buffers(tmp_path):
    """g_step / d_step are the step buffers as host ints, also after loading other weights."""
    _, trainer = run(tmp_path, "g_steps=3", "loss=wgan_gp", "loss.n_critic=2", "sample_every=0")
    module = trainer.lightning_module
    assert (module.g_step, module.d_step) == (3, 6)
    assert (int(module.generator_steps), int(module.discriminator_steps)) == (3, 6)
    state = module.state_dict()
    state["generator_steps"] = torch.tensor(11)
    state["discriminator_steps"] = torch.tensor(22)
    module.load_state_dict(state)
    assert (module.g_step, module.d_step) == (11, 22)


def test_fixed_noise_does_not_depend_on_the_global_seed(tmp_path):
    _, a = run(tmp_path / "a", "seed=1", "g_steps=1")
    _, b = run(tmp_path / "b", "seed=2", "g_steps=1")
    assert torch.equal(a.lightning_module.fixed_noise, b.lightning_module.fixed_noise)


def test_losses_are_logged_on_lightnings_logging_steps(tmp_path):
    run(tmp_path, "g_steps=6", "trainer.log_every_n_steps=3", "sample_every=0")
    steps = [int(r["step"]) for r in metrics_rows(tmp_path) if r.get("train/g_loss")]
    assert steps == [2, 5]  # every 3rd G step, none lost or doubled


def test_final_metrics_hold_the_last_steps_losses_even_when_not_logged(tmp_path):
    import json

    _, trainer = run(tmp_path, "g_steps=3", "trainer.log_every_n_steps=50", "sample_every=0")
    final = json.loads((tmp_path / "final_metrics.json").read_text())
    assert final["g_steps_done"] == 3
    assert final["train/g_loss"] == pytest.approx(float(trainer.lightning_module.latest_losses["train/g_loss"]))


def test_resume_with_another_n_critic_ends_at_g_steps(tmp_path):
    """The steps still to do are counted from the checkpoint: 3 G steps with 1 D step each,
    then 2 more with 3 D steps each (Lightning's max_steps alone would give 3 + 15/4 G steps)."""
    common = ["loss=wgan_gp", "sample_every=0", "checkpoint_every=500"]
    run(tmp_path, "g_steps=3", "loss.n_critic=1", *common)
    ckpt = tmp_path / "checkpoints" / "last.ckpt"
    _, trainer = run(tmp_path, "g_steps=5", "loss.n_critic=3", f"ckpt_path={ckpt}", *common)
    module = trainer.lightning_module
    assert (module.g_step, module.d_step) == (5, 3 * 1 + 2 * 3)
    assert trainer.global_step == 3 * 2 + 2 * 4
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert int(saved["state_dict"]["generator_steps"]) == 5

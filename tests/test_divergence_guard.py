"""A NaN/Inf loss stops the run, names step and loss, keeps the last good checkpoint."""

import math

import lightning as L
import pytest
import torch

from gan_lab.builders import build_callbacks, build_datamodule, build_loggers, build_module, build_trainer
from gan_lab.callbacks import DivergenceError
from helpers import TINY, compose_config, run_module, tiny_model_overrides

# Adam with an absurd learning rate (1e3) grows the weights by ~1e3 per step; the
# losses pass the guard's bound of 1e10 at step 2 with this seed (with 1e8 they overflow
# float32 by step 3, and pass the bound already at step 1).
DIVERGING = [
    "loss=wgan",
    "loss.clip_value=null",
    "loss.n_critic=1",
    "optimizer.discriminator.lr=1e3",
    "optimizer.generator.lr=1e3",
]


@pytest.mark.parametrize("log_every", [1, 50])  # the guard checks every step, logged or not
def test_diverging_run_stops_with_a_clear_message(tmp_path, log_every):
    run_dir = tmp_path / "run"
    result = run_module(
        "gan_lab.train",
        *TINY,
        "g_steps=50",
        "sample_every=0",
        "dataset=grid",
        "model=mlp",
        *tiny_model_overrides("mlp"),
        "dataset.source.num_samples=2000",
        "dataset.preview_samples=16",
        f"hydra.run.dir={run_dir}",
        f"trainer.log_every_n_steps={log_every}",
        *DIVERGING,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    message = result.stderr
    assert "training diverged at generator step" in message
    assert "Traceback" not in message
    assert "nan" in message.lower() or "inf" in message.lower() or "magnitudes above 1e+10" in message
    step = int(message.split("generator step ")[1].split(":")[0])
    assert 1 <= step < 50
    # checkpoint_every=1: the last checkpoint is the step before the divergence, and it is finite
    ckpt = run_dir / "checkpoints" / "last.ckpt"
    assert str(ckpt) in message
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert int(saved["state_dict"]["generator_steps"]) == step - 1
    assert all(math.isfinite(v.float().abs().max()) for k, v in saved["state_dict"].items() if v.is_floating_point())


class _RuinGeneratorAfterStep(L.Callback):
    """Puts a NaN into G after its update ``step``: that step's losses are still finite."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if pl_module.g_step == self.step:
            with torch.no_grad():
                next(pl_module.generator.parameters()).view(-1)[0] = float("nan")


def test_ruined_weights_are_never_checkpointed(tmp_path):
    cfg = compose_config(
        [
            *TINY,
            "g_steps=5",
            "sample_every=0",
            "dataset=grid",
            "model=mlp",
            *tiny_model_overrides("mlp"),
            "dataset.source.num_samples=2000",
            "dataset.preview_samples=16",
            "logger=[]",
        ],
        tmp_path,
    )
    L.seed_everything(0)
    module = build_module(cfg)
    trainer = build_trainer(cfg, [_RuinGeneratorAfterStep(2), *build_callbacks(cfg)], build_loggers(cfg))
    with pytest.raises(DivergenceError, match=r"generator step 2: generator parameters \(max \|value\|\) = nan"):
        trainer.fit(module, datamodule=build_datamodule(cfg))
    # the checkpoint of step 2 was refused before its file was opened; last.ckpt is step 1's
    saved = torch.load(tmp_path / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert int(saved["state_dict"]["generator_steps"]) == 1
    assert all(math.isfinite(v.float().abs().max()) for v in saved["state_dict"].values() if v.is_floating_point())


def test_a_nan_loss_stops_the_step_it_appears_in(tmp_path):
    cfg = compose_config(
        [
            *TINY,
            "g_steps=5",
            "sample_every=0",
            "checkpoint_every=100",
            "dataset=grid",
            "model=mlp",
            *tiny_model_overrides("mlp"),
            "dataset.source.num_samples=2000",
            "dataset.preview_samples=16",
            "logger=[]",
            "callbacks=none",
            "trainer.log_every_n_steps=50",
        ],
        tmp_path,
    )
    L.seed_everything(0)
    module = build_module(cfg)
    original = module.generator_update

    def generator_update(*args, **kwargs):
        logs, outputs = original(*args, **kwargs)
        return ({**logs, "train/g_loss": torch.tensor(float("inf"))} if module.g_step == 2 else logs), outputs

    module.generator_update = generator_update
    trainer = build_trainer(cfg, [], build_loggers(cfg))
    with pytest.raises(DivergenceError, match=r"generator step 3: train/g_loss = inf\. Stopped; no checkpoint"):
        trainer.fit(module, datamodule=build_datamodule(cfg))


def test_saturated_blow_up_is_caught(tmp_path):
    """lr=1e6 on the grid: the losses reach ~1e26 while staying finite (the issue's case)."""
    from gan_lab.train import train

    cfg = compose_config(
        [
            *TINY,
            "g_steps=30",
            "sample_every=0",
            "checkpoint_every=500",
            "dataset=grid",
            "model=mlp",
            *tiny_model_overrides("mlp"),
            "dataset.source.num_samples=2000",
            "dataset.preview_samples=16",
            "optimizer.generator.lr=1e6",
            "optimizer.discriminator.lr=1e6",
        ],
        tmp_path,
    )
    with pytest.raises(DivergenceError, match="training diverged at generator step"):
        train(cfg)
    assert not (tmp_path / "final_metrics.json").exists()


class _Stub:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


@pytest.mark.parametrize("where", ["optimizer state", "buffer"])
def test_checkpoint_with_inf_state_or_huge_buffers_is_refused(where):
    from gan_lab.callbacks.divergence_guard import DivergenceGuard

    generator = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    discriminator = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(generator.parameters())
    generator(torch.randn(4, 2)).sum().backward()
    optimizer.step()
    if where == "optimizer state":
        next(iter(optimizer.state.values()))["exp_avg_sq"].fill_(float("inf"))
    else:
        generator[1].running_var.fill_(1e30)
    module = _Stub(generator=generator, discriminator=discriminator, g_step=7)
    trainer = _Stub(optimizers=[optimizer], checkpoint_callbacks=[])
    expected = "optimizer 0 state" if where == "optimizer state" else "generator buffers"
    with pytest.raises(DivergenceError, match=f"generator step 7: {expected}"):
        DivergenceGuard().on_save_checkpoint(trainer, module, {})

"""A resume is checked before it writes: a failed or no-op resume leaves the run's records as they were."""

from pathlib import Path

import pytest

from gan_lab.checkpointing.loading import CheckpointError
from gan_lab.train import train
from helpers import TINY_GRID_RUN, compose_config, run_module

GRID = TINY_GRID_RUN
RECORDS = ("config.yaml", "final_metrics.json", "checkpoints/last.ckpt")


def snapshot(run_dir: Path, names=RECORDS) -> dict[str, bytes]:
    return {name: (run_dir / name).read_bytes() for name in names}


@pytest.fixture
def finished_run(tmp_path) -> Path:
    run_dir = tmp_path / "run"
    train(compose_config([*GRID, "g_steps=2"], run_dir))
    return run_dir


def resume(run_dir: Path, ckpt: Path, *overrides: str):
    return train(compose_config([*GRID, f"ckpt_path={ckpt}", *overrides], run_dir))


def test_damaged_checkpoints_are_refused_before_anything_is_written(finished_run):
    before = snapshot(finished_run)
    good = (finished_run / "checkpoints" / "last.ckpt").read_bytes()
    truncated = finished_run / "checkpoints" / "truncated.ckpt"
    truncated.write_bytes(good[: len(good) // 2])
    noise = finished_run / "checkpoints" / "noise.ckpt"
    noise.write_bytes(bytes(range(256)) * 40)
    for bad in (truncated, noise):
        with pytest.raises(CheckpointError, match=f"cannot read checkpoint {bad}"):
            resume(finished_run, bad, "g_steps=4")
    assert snapshot(finished_run) == before


def test_checkpoint_of_another_model_is_refused_before_anything_is_written(finished_run):
    before = snapshot(finished_run)
    ckpt = finished_run / "checkpoints" / "last.ckpt"
    with pytest.raises(CheckpointError, match="incompatible checkpoint.*config.yaml"):
        resume(finished_run, ckpt, "g_steps=4", "model.generator.hidden_dims=[32,32]")
    assert snapshot(finished_run) == before


@pytest.mark.parametrize("g_steps", [1, 2])
def test_resume_with_nothing_to_train_is_refused(finished_run, g_steps):
    before = snapshot(finished_run)
    with pytest.raises(CheckpointError, match="already done 2 generator steps and g_steps=.*more than 2"):
        resume(finished_run, finished_run / "checkpoints" / "last.ckpt", f"g_steps={g_steps}")
    assert snapshot(finished_run) == before


@pytest.mark.slow  # two command-line runs: ~70 s on 2 busy cores
def test_failed_resume_from_the_command_line_keeps_hydra_records(tmp_path):
    run_dir = tmp_path / "run"
    args = [a for a in GRID if not a.startswith("g_steps")]
    first = run_module("gan_lab.train", *args, "g_steps=2", f"hydra.run.dir={run_dir}", cwd=tmp_path, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    names = (*RECORDS, ".hydra/config.yaml", ".hydra/overrides.yaml", ".hydra/hydra.yaml")
    before = snapshot(run_dir, names)
    ckpt = run_dir / "checkpoints" / "last.ckpt"
    second = run_module(
        "gan_lab.train", *args, "g_steps=4", "model.latent_dim=4", f"ckpt_path={ckpt}", cwd=tmp_path, timeout=300
    )
    assert second.returncode == 2
    errors = [line for line in second.stderr.splitlines() if line.startswith("gan_lab error:")]
    assert len(errors) == 1 and "incompatible checkpoint" in errors[0]
    assert "Traceback" not in second.stderr
    assert snapshot(run_dir, names) == before


def test_successful_resume_keeps_the_earlier_config(finished_run):
    resume(finished_run, finished_run / "checkpoints" / "last.ckpt", "g_steps=3", "optimizer.generator.lr=1e-4")
    kept = (finished_run / "config.until_g_step_2.yaml").read_text()
    assert "lr: 0.0002" in kept and "g_steps: 2" in kept
    assert "lr: 0.0001" in (finished_run / "config.yaml").read_text()


def test_resume_with_another_seed_is_refused(finished_run):
    with pytest.raises(CheckpointError, match="seed=3 differs.*set seed=42"):
        resume(finished_run, finished_run / "checkpoints" / "last.ckpt", "g_steps=4", "seed=3")

"""logger=wandb works offline, resumes into the same W&B run, and never writes the API key."""

import os
import subprocess
import sys

import pytest

from helpers import REPO_ROOT, TINY, tiny_model_overrides

pytest.importorskip("wandb")
SECRET = "SECRET_wandb_key_0123456789abcdef"


def run(tmp_path, *overrides):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WANDB_MODE": "offline",
        "WANDB_API_KEY": SECRET,
        "WANDB_DIR": str(tmp_path),
        "WANDB_CACHE_DIR": str(tmp_path / "wandb_cache"),
        "WANDB_CONFIG_DIR": str(tmp_path / "wandb_config"),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gan_lab.train",
            *TINY,
            "logger=wandb",
            "dataset=grid",
            "model=mlp",
            *tiny_model_overrides("mlp"),
            "dataset.source.num_samples=400",
            "dataset.preview_samples=16",
            *overrides,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )


def test_offline_run_resume_and_no_secret(tmp_path):
    run_dir = tmp_path / "run"
    first = run(tmp_path, f"hydra.run.dir={run_dir}", "g_steps=2")
    assert first.returncode == 0, first.stderr[-3000:]
    runs = sorted((run_dir / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    run_id = runs[0].name.rsplit("-", 1)[1]

    second = run(tmp_path, f"ckpt_path={run_dir / 'checkpoints' / 'last.ckpt'}", "g_steps=4")
    assert second.returncode == 0, second.stderr[-3000:]
    runs = sorted((run_dir / "wandb").glob("offline-run-*"))
    assert len(runs) >= 1 and {r.name.rsplit("-", 1)[1] for r in runs} == {run_id}  # the same W&B run

    # images were logged (W&B keeps them as media files)
    assert list(run_dir.glob("wandb/offline-run-*/files/media/images/*.png"))
    # the key from the environment is nowhere in the outputs
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert SECRET.encode() not in path.read_bytes(), path

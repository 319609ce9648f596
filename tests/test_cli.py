"""`python -m gan_lab.train` as a user runs it: run folders under outputs/, resume in place."""

import os
import subprocess
import sys

from helpers import REPO_ROOT, TINY, tiny_model_overrides


def test_cli_run_then_resume_in_the_same_run_folder(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    base = [
        sys.executable,
        "-m",
        "gan_lab.train",
        *TINY,
        "dataset=grid",
        "model=mlp",
        *tiny_model_overrides("mlp"),
        "dataset.source.num_samples=400",
        "dataset.preview_samples=50",
    ]
    first = subprocess.run([*base, "g_steps=2"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    runs = list((tmp_path / "outputs" / "train" / "runs").iterdir())
    assert len(runs) == 1
    run_dir = runs[0]
    for name in (
        "config.yaml",
        ".hydra/config.yaml",
        "checkpoints/last.ckpt",
        "samples/final.png",
        "csv/version_0/metrics.csv",
    ):
        assert (run_dir / name).exists(), name
    assert "Training" in first.stdout  # the progress bar (tqdm writes to stdout)

    ckpt = run_dir / "checkpoints" / "last.ckpt"
    second = subprocess.run(
        [*base, "g_steps=4", f"ckpt_path={ckpt}"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(list((tmp_path / "outputs" / "train" / "runs").iterdir())) == 1  # no new run folder
    assert (run_dir / "csv" / "version_1" / "metrics.csv").is_file()
    assert (run_dir / "samples" / "step_000004.png").is_file()

"""Two CPU processes (gloo) really run DDP and end with identical parameters."""

import os
import subprocess
import sys

from helpers import REPO_ROOT, TINY, tiny_model_overrides


def test_two_process_cpu_ddp_keeps_ranks_identical(tmp_path):
    digests = tmp_path / "digests"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")])}
    overrides = [
        *TINY,
        "g_steps=3",
        "trainer.devices=2",
        "model=dcgan",
        *tiny_model_overrides("dcgan"),
        f"hydra.run.dir={tmp_path / 'run'}",
        "+callbacks.digest._target_=helpers.ParameterDigest",
        f"+callbacks.digest.output_dir={digests}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "gan_lab.train", *overrides],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = {p.name: p.read_text().split() for p in sorted(digests.glob("params_rank*.txt"))}
    assert sorted(lines) == ["params_rank0.txt", "params_rank1.txt"]
    rank0, rank1 = lines["params_rank0.txt"], lines["params_rank1.txt"]
    assert rank0[2] == rank1[2] == "2"  # world size
    assert rank0[1] == rank1[1] == "3"  # G steps on each rank
    assert rank0[0] == rank1[0]  # identical parameters and buffers
    # one run folder, written once
    assert (tmp_path / "run" / "checkpoints" / "last.ckpt").is_file()
    assert len(list((tmp_path / "run" / "csv").glob("version_*"))) == 1

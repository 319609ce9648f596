"""A NaN/Inf loss stops the run, names step and loss, keeps the last good checkpoint."""

import math
import os
import subprocess
import sys

import pytest
import torch

from helpers import REPO_ROOT, TINY, tiny_model_overrides

# Adam with an absurd learning rate (1e8) grows the weights by ~1e8 per step;
# the losses overflow float32 after a few steps (step 3 with this seed).
DIVERGING = ["loss=wgan", "loss.clip_value=null", "loss.n_critic=1",
             "optimizer.discriminator.lr=1e8", "optimizer.generator.lr=1e8"]


@pytest.mark.parametrize("log_every", [1, 50])  # the guard checks every step, logged or not
def test_diverging_run_stops_with_a_clear_message(tmp_path, log_every):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "gan_lab.train", *TINY, "g_steps=50", "sample_every=0", "dataset=grid", "model=mlp",
         *tiny_model_overrides("mlp"), "dataset.source.num_samples=2000", "dataset.preview_samples=16",
         f"hydra.run.dir={run_dir}", f"trainer.log_every_n_steps={log_every}", *DIVERGING],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    message = result.stderr
    assert "training diverged at generator step" in message
    assert "Traceback" not in message
    assert "nan" in message.lower() or "inf" in message.lower()
    step = int(message.split("generator step ")[1].split(":")[0])
    assert 1 <= step < 50
    # checkpoint_every=1: the last checkpoint is the step before the divergence, and it is finite
    ckpt = run_dir / "checkpoints" / "last.ckpt"
    assert str(ckpt) in message
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert int(saved["state_dict"]["generator_steps"]) == step - 1
    assert all(math.isfinite(v.float().abs().max()) for k, v in saved["state_dict"].items() if v.is_floating_point())

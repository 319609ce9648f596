"""`python -m gan_lab.sample` on a real conditional checkpoint with an EMA generator:
one grid row per class, rows really class-dependent, EMA used."""

import os
import subprocess
import sys

import numpy as np
import torch
from PIL import Image

from gan_lab.checkpointing.loading import load_checkpoint
from gan_lab.train import train
from helpers import REPO_ROOT, TINY, compose_config, tiny_model_overrides


def test_conditional_grid_has_one_row_per_class(tmp_path):
    run_dir = tmp_path / "run"
    train(
        compose_config(
            [
                *TINY,
                "model=dcgan",
                *tiny_model_overrides("dcgan"),
                "model.conditional=true",
                "regularizers.ema.enabled=true",
                "sample_every=0",
            ],
            run_dir,
        )
    )
    ckpt = run_dir / "checkpoints" / "last.ckpt"
    out = tmp_path / "samples"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gan_lab.sample",
            f"ckpt_path={ckpt}",
            f"output_dir={out}",
            "num_images=0",
            "per_class=3",
            "interpolation_rows=2",
            "interpolation_steps=3",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("ema generator")
    grid = np.asarray(Image.open(out / "grid.png"))
    assert grid.shape[:2] == (10 * 30 + 2, 3 * 30 + 2)  # 10 class rows x 3 images of 28 px, 2 px padding

    # the same noise with different labels gives different images: the rows depend on the class
    module, _, _ = load_checkpoint(ckpt)
    z = torch.randn(1, module.latent_dim).repeat(10, 1)
    images = module.generate(z, labels=torch.arange(10))
    assert module.num_classes == 10
    assert (images[0] - images[1]).abs().max() > 0

"""`python -m gan_lab.sample` on checkpoints made by short training runs."""

from pathlib import Path

import numpy as np
import pytest
import torch
from hydra import compose, initialize_config_dir
from PIL import Image

from gan_lab.checkpointing.loading import load_checkpoint
from gan_lab.config_path import config_dir
from gan_lab.metrics.sampling import generate_samples, to_uint8
from gan_lab.errors import IncompatibleConfigError
from gan_lab.sample import sample
from gan_lab.train import train
from helpers import REPO_ROOT, TINY, compose_config, run_module


def test_sample_writes_grid_singles_and_interpolation(mnist_ckpt, tmp_path):
    out = tmp_path / "samples"
    proc = run_module(
        "gan_lab.sample",
        f"ckpt_path={mnist_ckpt}",
        f"output_dir={out}",
        "num_images=5",
        "grid_size=16",
        "interpolation_rows=3",
        "interpolation_steps=4",
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    singles = sorted((out / "images").glob("*.png"))
    assert [p.name for p in singles] == [f"{i:06d}.png" for i in range(5)]
    # singles are exactly the generated tensors converted to uint8 (seed 0)
    module, _, _ = load_checkpoint(mnist_ckpt)
    expected = to_uint8(generate_samples(module, 5, seed=0)[0])
    for i, path in enumerate(singles):
        assert np.array_equal(np.asarray(Image.open(path)), expected[i, 0].numpy())
    # torch-fidelity reads the folder back as exactly the tensors the metrics score (same numbers follow)
    from gan_lab.metrics.fidelity import folder_dataset
    from gan_lab.metrics.sampling import to_rgb

    folder = folder_dataset(out / "images")
    assert torch.equal(torch.stack([folder[i] for i in range(len(folder))]), to_rgb(expected))
    # 4 x 4 grid of 28 px images with 2 px padding; interpolation 3 rows x 4 steps
    assert Image.open(out / "grid.png").size == (4 * 30 + 2, 4 * 30 + 2)
    assert Image.open(out / "interpolation.png").size == (4 * 30 + 2, 3 * 30 + 2)
    # interpolation endpoints differ from each other (a real strip, not a copy)
    strip = np.asarray(Image.open(out / "interpolation.png")).astype(int)
    assert np.abs(strip[2:30, 2:30] - strip[2:30, 3 * 30 + 2 : 3 * 30 + 30]).sum() > 0


def test_sample_points_and_refusals(ring_ckpt, tmp_path):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("sample", overrides=[f"ckpt_path={ring_ckpt}", f"output_dir={tmp_path}", "num_points=300"])
    sample(cfg)
    rows = (tmp_path / "points.csv").read_text().splitlines()
    assert rows[0] == "x,y" and len(rows) == 301
    assert (tmp_path / "scatter.png").stat().st_size > 0
    proc = run_module("gan_lab.sample", f"ckpt_path={tmp_path / 'missing.ckpt'}", cwd=REPO_ROOT)
    assert proc.returncode == 2 and "gan_lab error: checkpoint not found" in proc.stderr


@pytest.mark.parametrize("override", ["num_images=-1", "grid_size=0", "interpolation_steps=1", "num_points=-5"])
def test_negative_counts_are_refused(ring_ckpt, tmp_path, override):
    from gan_lab.errors import GanLabError

    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("sample", overrides=[f"ckpt_path={ring_ckpt}", f"output_dir={tmp_path}", override])
    with pytest.raises(GanLabError, match=override.split("=")[0] + ".*must be a whole number"):
        sample(cfg)


def test_default_output_folder_is_beside_the_run():
    from gan_lab.sample import default_output_dir

    assert default_output_dir(Path("/r/run1/checkpoints/last.ckpt")) == Path("/r/run1/samples_last")
    assert default_output_dir(Path("/elsewhere/model.ckpt")) == Path("/elsewhere/samples_model")


@pytest.mark.parametrize(
    "overrides,command",
    [
        (["experiment=pix2pix_edges2digits", "model.generator.width=8", "model.discriminator.width=8"], "translate"),
        (
            ["task=vocoder", "model=vocoder/hifigan_tiny", "loss=lsgan", "dataset=tones", "dataset.num_clips=8"],
            "vocode",
        ),
    ],
)
def test_checkpoints_that_take_an_input_are_sent_to_their_command(tmp_path, overrides, command):
    train(compose_config([*TINY, "g_steps=1", "sample_every=0", "data.batch_size=4", *overrides], tmp_path / "run"))
    ckpt = tmp_path / "run" / "checkpoints" / "last.ckpt"
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("sample", overrides=[f"ckpt_path={ckpt}", f"output_dir={tmp_path / 'out'}"])
    with pytest.raises(
        IncompatibleConfigError, match=f"instead of sampling from noise: run it with python -m gan_lab.{command}"
    ):
        sample(cfg)
    assert not (tmp_path / "out").exists()

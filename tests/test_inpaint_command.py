"""`python -m gan_lab.inpaint`: semantic inpainting with a trained noise -> image checkpoint."""

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import train_tiny
from helpers import REPO_ROOT, run_module
from hydra import compose, initialize_config_dir
from PIL import Image

from gan_lab.checkpointing.loading import CheckpointError
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.inpaint import inpaint, make_mask

QUICK = ["iterations=4", "candidates=2"]


def _cfg(*overrides):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("inpaint", overrides=[*QUICK, *overrides])


def digits(folder: Path, n: int = 3, size: int = 28) -> list[np.ndarray]:
    from gan_lab.datasets import BundledMNIST

    folder.mkdir(parents=True, exist_ok=True)
    data = BundledMNIST(image_size=size, channels=1)
    arrays = []
    for i in range(n):
        array = ((data[i][0][0].numpy() + 1) * 127.5).round().astype(np.uint8)
        Image.fromarray(array).save(folder / f"digit_{i}.png")
        arrays.append(array)
    return arrays


def test_inpaint_end_to_end_writes_filled_images_and_a_grid(mnist_ckpt, tmp_path):
    arrays = digits(tmp_path / "in")
    out = tmp_path / "out"
    proc = run_module(
        "gan_lab.inpaint",
        f"ckpt_path={mnist_ckpt}",
        f"input={tmp_path / 'in'}",
        f"output={out}",
        "mask=center",
        *QUICK,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in out.glob("digit_*.png")) == [f"digit_{i}.png" for i in range(3)]
    hole = make_mask(_cfg(), 28, 28, 0)[0].bool().numpy()
    for i, array in enumerate(arrays):
        filled = np.asarray(Image.open(out / f"digit_{i}.png"))
        assert filled.shape == (28, 28)
        assert np.array_equal(filled[~hole], array[~hole])  # known pixels kept exactly
    assert Image.open(out / "grid.png").size == (3 * 30 + 2, 3 * 30 + 2)  # rows: input | masked | filled


@pytest.mark.parametrize("mask", ["random", "left", "file"])
@pytest.mark.parametrize("blend", ["alpha", "poisson"])
def test_masks_and_blends_keep_the_known_pixels(mnist_ckpt, tmp_path, mask, blend):
    arrays = digits(tmp_path / "in", n=1)
    if mask == "file":
        drawn = np.zeros((14, 14), dtype=np.uint8)  # resized to the image size with nearest neighbours
        drawn[2:5, 3:12] = 255
        Image.fromarray(drawn).save(tmp_path / "mask.png")
        mask = str(tmp_path / "mask.png")
    cfg = _cfg(f"ckpt_path={mnist_ckpt}", f"input={tmp_path / 'in'}", f"output={tmp_path / 'out'}", f"mask={mask}")
    cfg.blend = blend
    inpaint(cfg)
    hole = make_mask(cfg, 28, 28, 0)[0].bool().numpy()
    assert 0 < hole.mean() < 1
    filled = np.asarray(Image.open(tmp_path / "out" / "digit_0.png"))
    assert np.array_equal(filled[~hole], arrays[0][~hole])


def test_mask_shapes():
    cfg = _cfg()
    center = make_mask(cfg, 32, 32, 0)[0]
    assert center.sum() == 256 and center[8:24, 8:24].all()
    cfg.mask = "left"
    assert make_mask(cfg, 32, 32, 0)[0, :, :16].all() and make_mask(cfg, 32, 32, 0).sum() == 512
    cfg.mask = "random"
    first, again, other = (make_mask(cfg, 64, 64, i) for i in (0, 0, 1))
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert 0.15 < float(first.mean()) < 0.25


def test_no_images_is_a_user_error(mnist_ckpt, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(GanLabError, match="no images"):
        inpaint(_cfg(f"ckpt_path={mnist_ckpt}", f"input={tmp_path / 'empty'}"))


def test_a_colour_image_for_a_grey_model_is_refused(mnist_ckpt, tmp_path):
    (tmp_path / "in").mkdir()
    colour = np.zeros((28, 28, 3), dtype=np.uint8)
    colour[..., 0] = 200
    Image.fromarray(colour).save(tmp_path / "in" / "red.png")
    with pytest.raises(IncompatibleConfigError, match="colour image"):
        inpaint(_cfg(f"ckpt_path={mnist_ckpt}", f"input={tmp_path / 'in'}", f"output={tmp_path / 'out'}"))


def test_a_grey_image_stored_as_rgb_is_accepted(mnist_ckpt, tmp_path):
    (tmp_path / "in").mkdir()
    grey = np.repeat(np.arange(28, dtype=np.uint8)[None, :, None] * 9, 28, 0).repeat(3, 2)
    Image.fromarray(grey).save(tmp_path / "in" / "grey_rgb.png")
    inpaint(_cfg(f"ckpt_path={mnist_ckpt}", f"input={tmp_path / 'in'}", f"output={tmp_path / 'out'}"))
    assert (tmp_path / "out" / "grey_rgb.png").is_file()


def test_points_and_paired_checkpoints_are_refused(ring_ckpt, tmp_path):
    digits(tmp_path / "in", n=1)
    with pytest.raises(IncompatibleConfigError, match="not images"):
        inpaint(_cfg(f"ckpt_path={ring_ckpt}", f"input={tmp_path / 'in'}"))
    paired = train_tiny(
        tmp_path / "paired",
        [
            "experiment=inpaint_center",
            "model.generator.width=4",
            "model.discriminator.width=4",
            "g_steps=1",
            "data.batch_size=2",
            "callbacks=none",
        ],
    )
    with pytest.raises(IncompatibleConfigError, match="gan_lab.translate"):
        inpaint(_cfg(f"ckpt_path={paired}", f"input={tmp_path / 'in'}"))


def test_bad_settings_and_missing_checkpoint(tmp_path):
    digits(tmp_path / "in", n=1)
    with pytest.raises(GanLabError, match="blend"):
        inpaint(_cfg("ckpt_path=x.ckpt", f"input={tmp_path / 'in'}", "blend=median"))
    with pytest.raises(GanLabError, match="window"):
        inpaint(_cfg("ckpt_path=x.ckpt", f"input={tmp_path / 'in'}", "window=4"))
    with pytest.raises(CheckpointError, match="not found"):
        inpaint(_cfg("ckpt_path=missing.ckpt", f"input={tmp_path / 'in'}"))
    with pytest.raises(GanLabError, match="mask=stars"):
        cfg = _cfg()
        cfg.mask = "stars"
        make_mask(cfg, 8, 8, 0)


def test_the_command_prints_one_error_line(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = run_module("gan_lab.inpaint", "ckpt_path=x.ckpt", f"input={tmp_path / 'empty'}", cwd=REPO_ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("gan_lab error: no images")

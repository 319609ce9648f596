"""`python -m gan_lab.translate`: a paired checkpoint applied to a folder of images (stand-in modules
with the paired family's API; end-to-end on trained checkpoints once gan_lab.tasks.paired exists)."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hydra import compose, initialize_config_dir
from PIL import Image
from torch import nn

import gan_lab.checkpointing.loading as loading
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.translate import center_mask, default_output, translate
from helpers import REPO_ROOT, TINY, compose_config, run_module


class StandInTranslator(nn.Module):
    """The paired family's API: nearest-neighbour up-sampling by ``scale`` (SR), or for
    inpainting a hole filled with white; grey input, RGB output when ``target_channels == 3``."""

    task_family = "paired"

    def __init__(self, source_channels=1, target_channels=1, scale=1, needs_mask=False, refuse_odd=False):
        super().__init__()
        self.p = nn.Parameter(torch.zeros(()))
        self.source_channels, self.target_channels, self.scale = source_channels, target_channels, scale
        self.needs_mask = needs_mask
        self.generator = nn.Identity()
        if refuse_odd:  # as the U-Net does: a size its depth cannot take is a user error
            self.generator.check_size = self._check_size
        self.seen_ema = []

    @staticmethod
    def _check_size(h, w):
        if h % 8 or w % 8:
            raise IncompatibleConfigError(f"image height and width must be multiples of 8; got {h}x{w}")

    def direction_channels(self, direction="AtoB"):
        if direction != "AtoB":
            raise IncompatibleConfigError(f"direction={direction}: a paired checkpoint learnt one direction")
        return self.source_channels, self.target_channels

    def direction_generator(self, direction="AtoB", use_ema=True):
        return self.generator

    def translate(self, source, mask=None, use_ema=True, direction="AtoB"):
        self.seen_ema.append(use_ema)
        out = F.interpolate(source, scale_factor=self.scale, mode="nearest") if self.scale > 1 else source
        if mask is not None:
            out = source * (1 - mask) + 1.0 * mask
        return out.expand(-1, self.target_channels, -1, -1) if out.shape[1] == 1 else out


def _cfg(*overrides):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("translate", overrides=["ckpt_path=stand_in.ckpt", *overrides])


@pytest.fixture
def use_module(monkeypatch):
    def install(module):
        monkeypatch.setattr(loading, "load_checkpoint", lambda path, map_location="cpu": (module, None, {}))
        return module

    return install


def _write(folder, images):
    folder.mkdir(exist_ok=True)
    for name, array in images.items():
        Image.fromarray(array).save(folder / name)
    return folder


def test_super_resolution_outputs_are_scale_times_the_input_with_same_stems(tmp_path, use_module):
    rng = np.random.default_rng(0)
    inputs = _write(
        tmp_path / "in",
        {
            "a.png": rng.integers(0, 256, (10, 12), dtype=np.uint8),  # grey
            "b.jpg": rng.integers(0, 256, (7, 9, 3), dtype=np.uint8),  # RGB: converted to grey
            "c.png": rng.integers(0, 256, (10, 12), dtype=np.uint8),
        },
    )
    module = use_module(StandInTranslator(source_channels=1, target_channels=3, scale=2))
    out = translate(_cfg(f"input={inputs}", f"output={tmp_path / 'out'}", "use_ema=false", "batch_size=8"))
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png", "c.png", "comparison.png"]
    a = np.asarray(Image.open(out / "a.png"))
    assert a.shape == (20, 24, 3)  # 2x the input, RGB
    source = np.asarray(Image.open(inputs / "a.png"))
    assert np.array_equal(a[..., 0], source.repeat(2, axis=0).repeat(2, axis=1))  # exactly G's output, uint8
    assert np.asarray(Image.open(out / "b.png")).shape == (14, 18, 3)
    assert module.seen_ema and not any(module.seen_ema)
    # a, c (equal size) form one batch, b another; comparison: 3 rows of input | output at 20 x 24, 2 px padding
    assert len(module.seen_ema) == 2
    grid = np.asarray(Image.open(out / "comparison.png"))
    assert grid.shape == (3 * 22 + 2, 2 * 26 + 2, 3)
    assert np.array_equal(grid[2:22, 28:52], a)  # row 1 (a.png), right cell: its output
    left = grid[2:22, 2:26, 0].astype(int)  # its input, bicubic-resized to the output size: close to the nearest one
    assert np.abs(left - a[..., 0]).mean() < 40 and np.abs(left - np.roll(a[..., 0], 5, axis=1)).mean() > 40


def test_inpainting_fills_the_centre_or_a_mask_file_and_keeps_known_pixels(tmp_path, use_module):
    image = np.full((16, 16), 40, dtype=np.uint8)
    inputs = _write(tmp_path / "in", {"x.png": image})
    use_module(StandInTranslator(needs_mask=True))
    out = translate(_cfg(f"input={inputs}", f"output={tmp_path / 'c'}"))
    result = np.asarray(Image.open(out / "x.png"))
    hole = center_mask(16, 16)[0].bool().numpy()
    assert hole.sum() == 64 and hole[4:12, 4:12].all()  # the centre half box
    assert (result[hole] == 255).all() and (result[~hole] == 40).all()
    mask = np.zeros((8, 8), dtype=np.uint8)
    mask[:2, :2] = 255  # white = hole; resized to the image (nearest): the top-left 4 x 4
    Image.fromarray(mask).save(tmp_path / "mask.png")
    out = translate(_cfg(f"input={inputs}", f"output={tmp_path / 'f'}", f"mask={tmp_path / 'mask.png'}"))
    result = np.asarray(Image.open(out / "x.png"))
    assert (result[:4, :4] == 255).all() and (result[4:, :] == 40).all() and (result[:, 4:] == 40).all()
    with pytest.raises(GanLabError, match="mask=nope"):
        translate(_cfg(f"input={inputs}", "mask=nope"))
    assert not default_output(_cfg(f"input={inputs}")).exists()  # refused before any folder is made


def test_bad_inputs_are_gan_lab_errors(tmp_path, use_module):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GanLabError, match="no images"):
        translate(_cfg(f"input={empty}"))
    inputs = _write(tmp_path / "in", {"odd.png": np.zeros((12, 16), dtype=np.uint8)})
    use_module(StandInTranslator(refuse_odd=True))
    with pytest.raises(GanLabError, match=r"odd.png \(12x16\): image height and width must be multiples of 8"):
        translate(_cfg(f"input={inputs}", f"output={tmp_path / 'o'}"))
    use_module(StandInTranslator(source_channels=2))
    with pytest.raises(IncompatibleConfigError, match="2-channel images"):
        translate(_cfg(f"input={inputs}", f"output={tmp_path / 'o'}"))
    use_module(StandInTranslator())
    with pytest.raises(IncompatibleConfigError, match="direction=BtoA"):
        translate(_cfg(f"input={inputs}", "direction=BtoA"))
    with pytest.raises(GanLabError, match="choose from"):
        translate(_cfg(f"input={inputs}", "direction=sideways"))
    assert not default_output(_cfg(f"input={inputs}")).exists()  # refused before any folder is made


def test_resize_brings_inputs_to_a_size_the_generator_takes(tmp_path, use_module):
    inputs = _write(tmp_path / "in", {"odd.png": np.full((12, 20), 200, dtype=np.uint8)})
    use_module(StandInTranslator(refuse_odd=True))
    with pytest.raises(GanLabError, match=r"multiples of 8; got 12x16 \(resize=N resizes every input"):
        translate(_cfg(f"input={_write(tmp_path / 'in16', {'a.png': np.zeros((12, 16), dtype=np.uint8)})}"))
    out = translate(_cfg(f"input={inputs}", f"output={tmp_path / 'o'}", "resize=16"))
    result = np.asarray(Image.open(out / "odd.png"))
    assert result.shape == (16, 16) and np.all(np.abs(result.astype(int) - 200) <= 1)  # a flat image stays flat
    for bad in ("resize=0", "resize=1.5", "resize=true"):
        with pytest.raises(GanLabError, match="resize=.*a side in pixels"):
            translate(_cfg(f"input={inputs}", bad))


def test_a_noise_to_image_checkpoint_is_refused_by_the_command(mnist_ckpt, tmp_path):
    _write(tmp_path / "in", {"a.png": np.zeros((28, 28), dtype=np.uint8)})
    proc = run_module("gan_lab.translate", f"ckpt_path={mnist_ckpt}", f"input={tmp_path / 'in'}", cwd=REPO_ROOT)
    assert proc.returncode == 2
    assert "gan_lab error:" in proc.stderr and "gan_lab.sample" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- end to end (needs the paired family)
def _train(tmp_path, overrides):
    from gan_lab.train import train

    out = tmp_path / "run"
    cfg = compose_config(
        [*TINY, f"paths.root_dir={out}", f"paths.output_dir={out}", "logger=csv", "callbacks=none", *overrides], out
    )
    train(cfg)
    return out / "checkpoints" / "last.ckpt"


TINY_PAIRED = ["model.generator.width=8", "model.discriminator.width=8"]


def test_pix2pix_edges2digits_trains_translates_and_evaluates(tmp_path, eval_cache_dir, mnist_classifier):
    pytest.importorskip("gan_lab.tasks.paired")
    from gan_lab.evaluate import evaluate

    ckpt = _train(tmp_path, ["experiment=pix2pix_edges2digits", *TINY_PAIRED])
    edges = _write(tmp_path / "edges", {f"{i}.png": np.zeros((32, 32), dtype=np.uint8) for i in range(2)})
    proc = run_module(
        "gan_lab.translate", f"ckpt_path={ckpt}", f"input={edges}", f"output={tmp_path / 'o'}", cwd=REPO_ROOT
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["0.png", "1.png", "comparison.png"]
    assert Image.open(tmp_path / "o" / "0.png").size == (32, 32)
    odd = _write(tmp_path / "odd", {"x.png": np.zeros((20, 20), dtype=np.uint8)})
    with pytest.raises(GanLabError, match=r"x.png \(20x20\).*multiples of 32"):
        translate(_cfg_for(ckpt, f"input={odd}", f"output={tmp_path / 'o2'}"))
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            "evaluate",
            overrides=[
                f"ckpt_path={ckpt}",
                "num_samples=16",
                f"output={tmp_path / 'm.json'}",
                f"cache_dir={eval_cache_dir}",
                "classifier_epochs=2",
            ],
        )
    records, out = evaluate(cfg)
    assert {r["name"] for r in records} == {"psnr", "ssim", "digit_accuracy"}  # auto for edges -> digits
    assert json.loads(out.read_text())["records"][0]["protocol"]["n_fake"] == 16


def _cfg_for(ckpt, *overrides):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("translate", overrides=[f"ckpt_path={ckpt}", *overrides])


def test_super_resolution_and_inpainting_checkpoints_translate(tmp_path):
    pytest.importorskip("gan_lab.tasks.paired")
    sr = _train(tmp_path / "sr", ["experiment=sr_digits_x2", "model.generator.num_blocks=1", *TINY_PAIRED])
    images = _write(tmp_path / "lr", {"a.png": np.zeros((11, 13), dtype=np.uint8)})  # any size
    out = translate(_cfg_for(sr, f"input={images}", f"output={tmp_path / 'sr_out'}"))
    assert Image.open(out / "a.png").size == (26, 22)  # scale 2
    inpaint = _train(tmp_path / "ip", ["experiment=inpaint_center", *TINY_PAIRED])
    images = _write(tmp_path / "full", {"d.png": np.full((32, 32), 200, dtype=np.uint8)})
    out = translate(_cfg_for(inpaint, f"input={images}", f"output={tmp_path / 'ip_out'}"))
    result = np.asarray(Image.open(out / "d.png"))
    hole = center_mask(32, 32)[0].bool().numpy()
    assert (result[~hole] == 200).all()  # known pixels kept exactly
    assert not (result[hole] == 200).all()  # the hole was blanked and filled by G

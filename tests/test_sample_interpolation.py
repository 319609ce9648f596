"""`python -m gan_lab.sample` with prompts and the interpolation modes (latent, class, caption) on tiny
checkpoints, and the refusals that say why."""

import numpy as np
import pytest
import torch
from helpers import REPO_ROOT, TINY, compose_config, run_module, tiny_model_overrides
from hydra import compose, initialize_config_dir
from PIL import Image

from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError
from gan_lab.sample import interpolation_latents, sample
from gan_lab.train import train

TINY_TEXT = [
    "experiment=text2image_digits",
    "model.generator.width=8",
    "model.discriminator.width=8",
    "model.latent_dim=16",
    "model.condition_dim=8",
    "model.text_encoder.embed_dim=8",
    "model.text_encoder.hidden_dim=8",
    "regularizers.ema.enabled=true",
]


@pytest.fixture(scope="module")
def text_ckpt(tmp_path_factory):
    run = tmp_path_factory.mktemp("text_run")
    train(compose_config([*TINY, *TINY_TEXT], run))
    return run / "checkpoints" / "last.ckpt"


@pytest.fixture(scope="module")
def conditional_ckpt(tmp_path_factory):
    run = tmp_path_factory.mktemp("cond_run")
    train(compose_config([*TINY, "model=dcgan", *tiny_model_overrides("dcgan"), "model.conditional=true"], run))
    return run / "checkpoints" / "last.ckpt"


@pytest.fixture(scope="module")
def plain_ckpt(tmp_path_factory):
    run = tmp_path_factory.mktemp("plain_run")
    train(compose_config([*TINY, "model=dcgan", *tiny_model_overrides("dcgan"), "task.prior=uniform"], run))
    return run / "checkpoints" / "last.ckpt"


def _sample(ckpt, out, *overrides):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("sample", overrides=[f"ckpt_path={ckpt}", f"output_dir={out}", "num_images=0", *overrides])
    return sample(cfg)


def _cells(path, rows, cols, size=28):
    image = np.asarray(Image.open(path)).astype(int)
    image = image[..., 0] if image.ndim == 3 else image  # make_grid writes grey images as RGB
    assert image.shape == (rows * (size + 2) + 2, cols * (size + 2) + 2)
    return [
        [image[2 + r * 30 : 2 + r * 30 + size, 2 + c * 30 : 2 + c * 30 + size] for c in range(cols)]
        for r in range(rows)
    ]


@pytest.mark.slow
def test_prompt_grid_from_the_command_line(text_ckpt, plain_ckpt, tmp_path):
    out = tmp_path / "s"
    proc = run_module(
        "gan_lab.sample",
        f"ckpt_path={text_ckpt}",
        f"output_dir={out}",
        'prompt="a bold seven"',
        "per_class=3",
        "num_images=4",
        "interpolation_rows=2",
        "interpolation_steps=3",
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    _cells(out / "grid.png", 1, 3)
    assert len(list((out / "images").glob("*.png"))) == 4
    _cells(out / "interpolation.png", 2, 3)
    proc = run_module("gan_lab.sample", f"ckpt_path={plain_ckpt}", 'prompt="a bold seven"', cwd=REPO_ROOT)
    assert proc.returncode == 2 and "gan_lab error: prompt=" in proc.stderr


def test_text_model_interpolations(text_ckpt, tmp_path):
    _sample(
        text_ckpt,
        tmp_path / "c",
        "interpolate=caption",
        "prompt=a thin one",
        "prompt_to=a bold eight",
        "interpolation_rows=2",
        "interpolation_steps=4",
    )
    cells = _cells(tmp_path / "c" / "interpolation.png", 2, 4)
    assert np.abs(cells[0][0] - cells[0][3]).sum() > 0  # the caption moved
    _sample(
        text_ckpt,
        tmp_path / "d",
        "interpolate=caption",
        "prompt=[a one,a two,a three]",
        "interpolation_rows=3",
        "interpolation_steps=2",
    )
    _cells(tmp_path / "d" / "interpolation.png", 3, 2)
    # no prompt: the run's preview captions, one grid row each
    _sample(text_ckpt, tmp_path / "e", "per_class=2", "interpolate=latent", "interpolation_rows=1")
    _cells(tmp_path / "e" / "grid.png", 8, 2)
    # the same seed gives the same images
    _sample(text_ckpt, tmp_path / "f", "per_class=2", "interpolate=none")
    assert np.array_equal(
        np.asarray(Image.open(tmp_path / "e" / "grid.png")), np.asarray(Image.open(tmp_path / "f" / "grid.png"))
    )
    assert not (tmp_path / "f" / "interpolation.png").exists()


def test_class_interpolation_moves_the_embedding_with_z_fixed(conditional_ckpt, tmp_path):
    _sample(conditional_ckpt, tmp_path, "interpolate=class", "interpolation_rows=2", "interpolation_steps=5")
    cells = _cells(tmp_path / "interpolation.png", 2, 5)
    # the ends of row r are class r and class r + 1 with the row's z: the conditional grid's samples
    from gan_lab.checkpointing.loading import load_checkpoint
    from gan_lab.metrics.sampling import draw_noise, to_uint8

    module, _, _ = load_checkpoint(conditional_ckpt)
    z = draw_noise(module, 2, 1)
    with torch.no_grad():
        module.generator.eval()
        ends = to_uint8(module.generator(z.repeat_interleave(2, 0), torch.tensor([0, 1, 1, 2])))
    for r in range(2):
        assert np.abs(cells[r][0] - ends[2 * r, 0].numpy().astype(int)).max() <= 1
        assert np.abs(cells[r][4] - ends[2 * r + 1, 0].numpy().astype(int)).max() <= 1


def test_latent_paths_use_slerp_for_normal_and_lerp_for_uniform_priors(conditional_ckpt, plain_ckpt):
    from gan_lab.checkpointing.loading import load_checkpoint

    normal, _, _ = load_checkpoint(conditional_ckpt)
    z = interpolation_latents(normal, 3, 5, 0).view(3, 5, -1)
    norms = z.norm(dim=2)
    assert torch.allclose(norms[:, 2], (norms[:, 0] + norms[:, 4]) / 2, rtol=1e-4)  # slerp: the norm moves linearly
    uniform, _, _ = load_checkpoint(plain_ckpt)
    z = interpolation_latents(uniform, 3, 5, 0).view(3, 5, -1)
    assert torch.allclose(z[:, 2], (z[:, 0] + z[:, 4]) / 2, atol=1e-6)  # lerp
    assert z.abs().max() <= 1
    z = interpolation_latents(normal, 3, 5, 0, space="lerp").view(3, 5, -1)
    assert torch.allclose(z[:, 2], (z[:, 0] + z[:, 4]) / 2, atol=1e-6)


def test_bad_inputs_are_refused(text_ckpt, conditional_ckpt, plain_ckpt, tmp_path):
    with pytest.raises(GanLabError, match="needs a text -> image checkpoint"):
        _sample(plain_ckpt, tmp_path, "prompt=a bold seven")
    with pytest.raises(GanLabError, match="class-conditional"):
        _sample(plain_ckpt, tmp_path, "interpolate=class")
    with pytest.raises(GanLabError, match="class-conditional"):
        _sample(text_ckpt, tmp_path, "interpolate=class")
    with pytest.raises(GanLabError, match="text -> image"):
        _sample(conditional_ckpt, tmp_path, "interpolate=caption")
    with pytest.raises(GanLabError, match="two captions"):
        _sample(text_ckpt, tmp_path, "interpolate=caption", "prompt=a one")
    with pytest.raises(GanLabError, match="interpolate="):
        _sample(plain_ckpt, tmp_path, "interpolate=diagonal")
    with pytest.raises(GanLabError, match="interpolation_space"):
        _sample(plain_ckpt, tmp_path, "interpolation_space=cubic")

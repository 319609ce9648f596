"""Truncation and style-mixing grids: layout, psi = 0 gives the average image, mixing keeps
the destination's coarse styles and takes the source's fine ones."""

import pytest
import torch

from gan_lab.models.stylegan2 import StyleGAN2Generator
from gan_lab.regularizers.ema import make_ema_generator
from gan_lab.sampling import style_mixing_grid, truncation_grid


def generator():
    torch.manual_seed(0)
    g = StyleGAN2Generator(8, (1, 8, 8), w_dim=8, mapping_layers=2, channel_base=32, channel_max=8)
    g.mapping(torch.randn(64, 8))  # training mode: moves w_avg away from 0
    return g


def test_truncation_grid_rows_are_latents_and_columns_psis():
    g = generator()
    images, nrow = truncation_grid(g, num_rows=3, psis=(1.0, 0.5, 0.0), seed=1)
    assert images.shape == (9, 1, 8, 8) and nrow == 3
    assert g.training  # mode restored
    # psi = 0: every row is the image of w_avg
    assert torch.allclose(images[2], images[5]) and torch.allclose(images[2], images[8])
    assert not torch.allclose(images[0], images[3])
    g.eval()
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(1))
    expected = g.synthesis(g.mapping(z, truncation_psi=0.5), noise_mode="const")
    assert torch.allclose(images[1::3], expected, atol=1e-6)


def test_style_mixing_grid_layout_and_content():
    g = generator()
    images, nrow = style_mixing_grid(g, num_sources=3, num_destinations=2, cutoff=4, seed=5)
    assert nrow == 4 and images.shape == (12, 1, 8, 8)
    assert torch.equal(images[0], torch.zeros_like(images[0]))  # blank corner
    g.eval()
    ws_a = g.mapping(torch.randn(3, 8, generator=torch.Generator().manual_seed(5)))
    ws_b = g.mapping(torch.randn(2, 8, generator=torch.Generator().manual_seed(6)))
    assert torch.allclose(images[1:4], g.synthesis(ws_a, "const"), atol=1e-6)  # the sources on top
    assert torch.allclose(images[4], g.synthesis(ws_b[:1], "const")[0], atol=1e-6)  # first destination
    mixed = torch.cat([ws_b[1:2, :4], ws_a[2:3, 4:]], dim=1)  # destination 2 coarse, source 3 fine
    assert torch.allclose(images[11], g.synthesis(mixed, "const")[0], atol=1e-6)


def test_grids_accept_the_ema_copy_and_refuse_other_generators():
    ema = make_ema_generator(generator(), 0.9)
    assert truncation_grid(ema, num_rows=1, psis=(1.0,))[0].shape == (1, 1, 8, 8)
    with pytest.raises(TypeError, match="not a style-based generator"):
        truncation_grid(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="cutoff"):
        style_mixing_grid(generator(), cutoff=99)


def sample_config(ckpt, out, *overrides):
    from hydra import compose, initialize_config_dir

    from gan_lab.config_path import config_dir

    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("sample", overrides=[f"ckpt_path={ckpt}", f"output_dir={out}", "num_images=0", *overrides])


def test_sample_command_writes_the_style_grids(tmp_path):
    from PIL import Image

    from gan_lab.sample import sample
    from gan_lab.train import train
    from helpers import TINY, compose_config

    run = tmp_path / "run"
    stylegan = ["experiment=stylegan2_tiny", "model.latent_dim=8", "model.w_dim=8", "model.channel_max=8"]
    train(compose_config([*TINY, *stylegan, "g_steps=1", "data.batch_size=4"], run))
    ckpt = run / "checkpoints" / "last.ckpt"
    sample(sample_config(ckpt, tmp_path / "t", "grid=truncation"))
    assert Image.open(tmp_path / "t" / "truncation.png").size[0] > 0
    sample(sample_config(ckpt, tmp_path / "m", "grid=style_mixing", "truncation_psi=0.7"))
    assert (tmp_path / "m" / "style_mixing.png").exists()


def test_sample_command_refuses_style_grids_of_other_generators(mnist_ckpt, tmp_path):
    from gan_lab.errors import GanLabError
    from gan_lab.sample import sample

    with pytest.raises(GanLabError, match="style-based generator"):
        sample(sample_config(mnist_ckpt, tmp_path, "grid=truncation"))
    with pytest.raises(GanLabError, match="choose plain, truncation or style_mixing"):
        sample(sample_config(mnist_ckpt, tmp_path, "grid=bogus"))

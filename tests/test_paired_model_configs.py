"""conf/model/paired/*.yaml: each builds its G and D from the dataset keys, and they fit together."""

from __future__ import annotations

import pytest
import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf

from gan_lab.config_path import config_dir
from gan_lab.models.paired import PatchGANDiscriminator, SRResNetGenerator, UNetGenerator, VGGStyleDiscriminator

if not OmegaConf.has_resolver("add"):  # the lead registers it in gan_lab.utils.resolvers
    OmegaConf.register_new_resolver("add", lambda a, b: int(a) + int(b))


def _compose(name: str, dataset: dict, **sizes) -> OmegaConf:
    model = OmegaConf.load(f"{config_dir()}/model/paired/{name}.yaml")
    for part, width in sizes.items():
        model[part].width = width  # small networks keep the test fast
    return OmegaConf.create({"dataset": dataset, "model": model})


def _paired_dataset(**keys) -> dict:
    return {"image_size": 32, "channels": 3, "source_channels": 1, "scale": 1, **keys}


def test_pix2pix_d_sees_source_and_target():
    cfg = _compose("pix2pix", _paired_dataset(), generator=8, discriminator=8)
    assert cfg.model.name == "pix2pix_unet"
    assert cfg.model.discriminator.n_layers == 3 and cfg.model.discriminator.norm == "batch"
    g, d = instantiate(cfg.model.generator), instantiate(cfg.model.discriminator)
    assert isinstance(g, UNetGenerator) and isinstance(d, PatchGANDiscriminator)
    source = torch.randn(2, 1, 32, 32)
    fake = g(source)
    assert fake.shape == (2, 3, 32, 32)
    assert d(torch.cat([source, fake], dim=1)).shape == (2, 1, 2, 2)


def test_srresnet_d_sees_hr_only():
    cfg = _compose("srresnet", _paired_dataset(channels=3, source_channels=3, scale=4), generator=8, discriminator=8)
    cfg.model.generator.num_blocks = 2
    g, d = instantiate(cfg.model.generator), instantiate(cfg.model.discriminator)
    assert isinstance(g, SRResNetGenerator) and isinstance(d, VGGStyleDiscriminator)
    hr = g(torch.randn(2, 3, 8, 8))
    assert hr.shape == (2, 3, 32, 32) and d(hr).shape == (2,)


def test_inpaint_unet_takes_image_and_mask():
    cfg = _compose("inpaint_unet", _paired_dataset(channels=1, source_channels=1), generator=8, discriminator=8)
    g, d = instantiate(cfg.model.generator), instantiate(cfg.model.discriminator)
    masked, mask = torch.randn(2, 1, 32, 32), (torch.rand(2, 1, 32, 32) > 0.5).float()
    fake = g(torch.cat([masked, mask], dim=1))
    assert fake.shape == (2, 1, 32, 32)
    assert d(torch.cat([fake, mask], dim=1)).shape == (2, 1, 2, 2)


@pytest.mark.parametrize("name", ["pix2pix", "srresnet", "inpaint_unet"])
def test_config_files_start_with_a_comment(name):
    with open(f"{config_dir()}/model/paired/{name}.yaml") as f:
        assert f.readline().startswith("# ")

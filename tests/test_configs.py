"""Every option of every config group composes into a valid run config."""

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from helpers import compose_config
from gan_lab.config_path import config_dir

CONF = Path(config_dir())
GROUPS = ["dataset", "model", "loss", "optimizer", "trainer", "logger", "callbacks", "paths", "hydra", "experiment"]


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def test_every_group_has_options():
    for group in GROUPS:
        assert options(group), f"conf/{group}/ is empty"


@pytest.mark.parametrize("group,option", [(g, o) for g in GROUPS for o in options(g) if g != "hydra"])
def test_option_composes_and_resolves(group, option, tmp_path):
    overrides = [f"{group}={option}"]
    if group == "dataset":
        overrides.append("model=mlp")  # every dataset works with the MLP
        if option == "image_folder":
            overrides.append(f"dataset.root={tmp_path}")
    cfg = compose_config(overrides, tmp_path)
    container = OmegaConf.to_container(cfg, resolve=True)  # every interpolation resolves
    assert container["trainer"]["max_steps"] == cfg.g_steps * (cfg.loss.n_critic + 1)


def test_defaults_are_the_documented_job(tmp_path):
    cfg = compose_config([], tmp_path)
    assert cfg.dataset.name == "bundled_mnist" and cfg.model.name == "dcgan"
    # the default job of docs/default_job.md: hinge loss, Adam (0, 0.9) at 3e-4, spectrally normalised D without BatchNorm
    assert cfg.loss._target_.endswith("HingeLoss")
    assert list(cfg.optimizer.generator.betas) == [0.0, 0.9] == list(cfg.optimizer.discriminator.betas)
    assert cfg.optimizer.generator.lr == cfg.optimizer.discriminator.lr == 3e-4
    assert cfg.model.spectral_norm.discriminator and cfg.model.discriminator.norm == "none"
    assert cfg.g_steps == 6000
    assert list(cfg.logger) == ["csv"]
    assert cfg.trainer.max_steps == cfg.g_steps * 2


def test_max_steps_counts_all_optimizer_steps(tmp_path):
    cfg = compose_config(["loss=wgan_gp", "g_steps=100"], tmp_path)
    assert cfg.loss.n_critic == 5 and cfg.trainer.max_steps == 600
    cfg = compose_config(["loss=wgan_gp", "loss.n_critic=2", "g_steps=100", "checkpoint_every=10"], tmp_path)
    assert cfg.trainer.max_steps == 300
    assert cfg.callbacks.model_checkpoint.every_n_train_steps == 30


def test_readme_example_is_accepted(tmp_path):
    cfg = compose_config(["model=dcgan", "loss=wgan_gp", "trainer.devices=4"], tmp_path)
    assert cfg.trainer.devices == 4


def test_unknown_option_lists_the_available_ones(tmp_path):
    from hydra.errors import MissingConfigException

    with pytest.raises(MissingConfigException, match="Available options") as info:
        compose_config(["loss=nonexistent"], tmp_path)
    assert "wgan_gp" in str(info.value)

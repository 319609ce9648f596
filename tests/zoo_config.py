"""Config composition for the model-zoo tests (imported by tests/test_*.py)."""

from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf, open_dict

import gan_lab  # noqa: F401  (registers the resolvers)
from gan_lab.config_path import config_dir

# Small and quick: CSV logging and callbacks off, 2 G steps, CPU.
FAST = [
    "g_steps=2",
    "trainer.accelerator=cpu",
    "logger={}",
    "callbacks=none",
    "data.batch_size=8",
    "+trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
]


def compose_train(overrides: list[str], tmp_path: Path, fast: bool = True) -> DictConfig:
    """``conf/train.yaml`` composed with ``overrides``, run folder in ``tmp_path``, ``${hydra:}`` resolvable."""
    GlobalHydra.instance().clear()
    run_dir = tmp_path / "run"
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            config_name="train",
            overrides=[*(FAST if fast else []), *overrides, f"hydra.run.dir={run_dir}"],
            return_hydra_config=True,
        )
    OmegaConf.set_readonly(cfg.hydra, False)
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(run_dir)
        cfg.hydra.runtime.cwd = str(tmp_path)
    HydraConfig.instance().set_config(cfg)
    with open_dict(cfg):  # a real run's config has no `hydra` node; ${hydra:...} reads HydraConfig
        del cfg["hydra"]
    return cfg


def build_run(cfg: DictConfig):
    """(datamodule, module, trainer) built the way ``gan_lab.train`` builds them."""
    import lightning as L

    from gan_lab.builders import build_datamodule, build_module, build_trainer, check_compatibility

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    check_compatibility(cfg)
    return build_datamodule(cfg), build_module(cfg), build_trainer(cfg)

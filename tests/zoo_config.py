"""Config composition for the model-zoo tests (imported by tests/test_*.py)."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from helpers import compose_config

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
    """``conf/train.yaml`` composed with ``overrides`` (after :data:`FAST`), run folder ``tmp_path/run``."""
    return compose_config([*(FAST if fast else []), *overrides], tmp_path / "run")


def build_run(cfg: DictConfig):
    """(datamodule, module, trainer) built the way ``gan_lab.train`` builds them."""
    import lightning as L

    from gan_lab.builders import build_datamodule, build_module, build_trainer, check_compatibility

    L.seed_everything(cfg.seed, workers=True, verbose=False)
    check_compatibility(cfg)
    return build_datamodule(cfg), build_module(cfg), build_trainer(cfg)

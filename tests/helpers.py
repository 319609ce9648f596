"""Shared test utilities: compose the real config the way `python -m gan_lab.train` does."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import lightning as L
import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

import gan_lab  # noqa: F401  (registers resolvers)
from gan_lab.config_path import config_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# Small and fast: enough to exercise every code path on 2 CPU cores.
TINY = [
    "g_steps=2",
    "sample_every=1",
    "checkpoint_every=1",
    "data.batch_size=8",
    "trainer.accelerator=cpu",
    "trainer.enable_model_summary=false",
    "trainer.log_every_n_steps=1",
]


def tiny_model_overrides(model: str) -> list[str]:
    if model == "dcgan":
        return ["model.generator.width=8", "model.discriminator.width=8", "model.latent_dim=16"]
    if model == "mlp":
        return ["model.generator.hidden_dims=[16,16]", "model.discriminator.hidden_dims=[16,16]", "model.latent_dim=8"]
    return []


# A tiny MLP on 64 points of the 2-D grid at Adam's 2e-4 (which resume tests name), checkpointed
# only at the end: the run that the resume tests train, interrupt and continue.
TINY_GRID_RUN = [
    "optimizer=adam",
    *TINY,
    "model=mlp",
    *tiny_model_overrides("mlp"),
    "dataset=grid",
    "dataset.source.num_samples=64",
    "dataset.preview_samples=16",
    "sample_every=0",
    "checkpoint_every=500",
]


def compose_config(overrides: list[str], output_dir: Path) -> DictConfig:
    """Compose conf/train.yaml with overrides, with `${hydra:...}` resolvable and the run in output_dir."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(config_name="train", overrides=overrides, return_hydra_config=True)
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(output_dir)
        cfg.hydra.runtime.cwd = str(output_dir)
        cfg.hydra.job.num = 0
    HydraConfig.instance().set_config(cfg)
    return cfg


def run_module(module: str, *args: str, cwd: Path | str, env: dict | None = None, timeout: int = 600):
    """``python -m <module> args`` in a subprocess, as a user runs the commands, with the repository
    on PYTHONPATH (``env`` adds to or overrides the environment); output is captured as text."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        timeout=timeout,
    )


def parameter_digest(module: torch.nn.Module) -> str:
    """Hash of the trainable parameters (BatchNorm running stats are per-rank buffers)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.named_parameters()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


class ParameterDigest(L.Callback):
    """Writes each rank's parameter digest at the end of training (for the DDP test)."""

    def __init__(self, output_dir: str) -> None:
        self.output_dir = Path(output_dir)
        self.rng_digest = ""

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        # the RNG stream this rank's noise comes from (recorded without drawing from it)
        self.rng_digest = hashlib.sha256(torch.get_rng_state().numpy().tobytes()).hexdigest()[:16]

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = self.output_dir / f"params_rank{trainer.global_rank}.txt"
        path.write_text(
            f"{parameter_digest(pl_module)} {int(pl_module.generator_steps)} {trainer.world_size} {self.rng_digest}\n"
        )

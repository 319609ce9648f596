"""Turns a composed config into the objects of a run: data, module, trainer.

Shared by ``gan_lab.train`` and the tests, so both build runs the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import lightning as L
import torch
from hydra.errors import InstantiationException
from hydra.utils import instantiate as hydra_instantiate
from omegaconf import DictConfig, OmegaConf

from gan_lab.callbacks.divergence_guard import DivergenceGuard
from gan_lab.callbacks.final_checkpoint import FinalCheckpoint
from gan_lab.checkpointing import AtomicCheckpointIO, RNGStateCheckpoint
from gan_lab.datasets.datamodule import GANDataModule
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.gan_module import GANModule

log = logging.getLogger(__name__)

def instantiate(config: Any, *args: Any, **kwargs: Any) -> Any:
    """``hydra.utils.instantiate`` that lets gan_lab's own errors through unwrapped:
    Hydra wraps every exception in a constructor into an ``InstantiationException``."""
    try:
        return hydra_instantiate(config, *args, **kwargs)
    except InstantiationException as error:
        cause = error.__cause__
        while isinstance(cause, InstantiationException):
            cause = cause.__cause__
        if isinstance(cause, GanLabError):
            raise cause from None
        raise


# Which data kinds each model accepts: checked before anything is built.
MODEL_DATA_KINDS = {"dcgan": ("image",), "mlp": ("image", "points")}


def check_compatibility(cfg: DictConfig) -> None:
    model, kind = cfg.model.get("name"), cfg.dataset.get("kind")
    accepted = MODEL_DATA_KINDS.get(model)
    if accepted is not None and kind not in accepted:
        working = "; ".join(f"model={m} with {' or '.join(k)} datasets" for m, k in MODEL_DATA_KINDS.items())
        raise IncompatibleConfigError(
            f"model={model} cannot train on dataset={cfg.dataset.name} ({kind} data of shape "
            f"{list(cfg.dataset.shape)}). Working combinations: {working}. "
            "Image datasets: bundled_mnist, mnist, fashion_mnist, cifar10, image_folder; "
            "2D point datasets: ring, grid."
        )


def build_datamodule(cfg: DictConfig) -> GANDataModule:
    dataset = instantiate(cfg.dataset.source)
    return GANDataModule(
        dataset,
        batch_size=cfg.data.batch_size,
        batches_per_step=cfg.loss.n_critic,
        num_workers=cfg.data.num_workers,
        seed=cfg.seed,
    )


def build_module(cfg: DictConfig) -> GANModule:
    # A partial: the run config holds `_target_` keys that Hydra must not instantiate.
    make_module = instantiate(cfg.module, _partial_=True)
    return make_module(
        generator=instantiate(cfg.model.generator),
        discriminator=instantiate(cfg.model.discriminator),
        loss=instantiate(cfg.loss),
        g_optimizer=instantiate(cfg.optimizer.generator),
        d_optimizer=instantiate(cfg.optimizer.discriminator),
        run_config=OmegaConf.to_container(cfg, resolve=True),
    )


def _device_count(trainer_cfg: DictConfig) -> int:
    devices = trainer_cfg.get("devices", 1)
    if isinstance(devices, int):
        return torch.cuda.device_count() if devices == -1 else devices
    if isinstance(devices, str):
        if devices == "auto":
            gpu = trainer_cfg.get("accelerator") in ("auto", "gpu", "cuda")
            return torch.cuda.device_count() if gpu and torch.cuda.is_available() else 1
        if devices.strip().lstrip("-").isdigit():
            return _device_count(OmegaConf.create({**trainer_cfg, "devices": int(devices)}))
        return len([d for d in devices.split(",") if d.strip()])
    return len(devices)  # a list of device ids


def build_trainer(cfg: DictConfig, callbacks: list[L.Callback] | None = None, loggers: Any = None) -> L.Trainer:
    kwargs: dict[str, Any] = {}
    strategy = cfg.trainer.get("strategy", "auto")
    if strategy == "auto" and (_device_count(cfg.trainer) > 1 or cfg.trainer.get("num_nodes", 1) > 1):
        # Manual optimization: D steps leave G's parameters without gradients and the
        # other way round, so DDP must be told to expect unused parameters.
        kwargs["strategy"] = "ddp_find_unused_parameters_true"
    # Always on, whatever the callbacks group says: these make runs safe to stop and resume.
    final = FinalCheckpoint(str(Path(cfg.paths.output_dir) / "checkpoints"))
    callbacks = [*(callbacks or []), RNGStateCheckpoint(), DivergenceGuard(), final]
    plugins = [AtomicCheckpointIO()]
    return instantiate(cfg.trainer, callbacks=callbacks, logger=loggers if loggers else False, plugins=plugins, **kwargs)


def build_callbacks(cfg: DictConfig) -> list[L.Callback]:
    return [instantiate(c) for c in (cfg.get("callbacks") or {}).values() if c is not None and "_target_" in c]


def build_loggers(cfg: DictConfig) -> list[Any]:
    return [instantiate(c) for c in (cfg.get("logger") or {}).values() if c is not None and "_target_" in c]


def check_checkpoint(ckpt_path: str | None) -> str | None:
    if ckpt_path is None:
        return None
    path = Path(str(ckpt_path)).expanduser()
    if not path.is_file():
        raise GanLabError(f"checkpoint not found: {path.resolve()} (ckpt_path={ckpt_path})")
    return str(path)

"""Train a GAN: ``python -m gan_lab.train [group=option ...] [key=value ...]``.

Examples::

    python -m gan_lab.train                                  # DCGAN on bundled MNIST, CPU
    python -m gan_lab.train dataset=ring model=mlp loss=ns   # 2D mixture
    python -m gan_lab.train model=dcgan loss=wgan_gp trainer.devices=4
    python -m gan_lab.train ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import hydra
import lightning as L
from omegaconf import DictConfig, OmegaConf

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.builders import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
    check_checkpoint,
    check_compatibility,
)
from gan_lab.cli import report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError

log = logging.getLogger("gan_lab.train")

# Lightning warns that manual-optimization checkpoints hold the weights *after* the
# optimizer step; that is exactly what resuming needs.
warnings.filterwarnings("ignore", message=".*no pre-optimization state was saved.*")
# GANDataModule restores its position itself (see datasets/resumable_sampler.py).
warnings.filterwarnings("ignore", message=".*your dataloader is not resumable.*")
# A deprecation inside Lightning itself (torch's pytree API), not actionable for users.
warnings.filterwarnings("ignore", message=".*isinstance\\(treespec, LeafSpec\\).*")


def train(cfg: DictConfig) -> L.Trainer:
    """Build everything from ``cfg`` and fit. Returns the trainer (for tests and sweeps)."""
    L.seed_everything(cfg.seed, workers=True)
    check_compatibility(cfg)
    ckpt_path = check_checkpoint(cfg.get("ckpt_path"))
    output_dir = Path(cfg.paths.output_dir)

    datamodule = build_datamodule(cfg)
    module = build_module(cfg)
    trainer = build_trainer(cfg, build_callbacks(cfg), build_loggers(cfg))

    for logger in trainer.loggers:  # the resolved config, to every logger (rank 0 only inside)
        logger.log_hyperparams(OmegaConf.to_container(cfg, resolve=True))
    if trainer.is_global_zero:
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
        log.info(
            "run folder: %s | %d generator steps, %d D steps each (trainer.max_steps=%d optimizer steps)",
            output_dir,
            cfg.g_steps,
            module.n_critic,
            trainer.max_steps,
        )
    # gan_lab checkpoints hold tensors and plain types only: resume loads them safely.
    trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
    if trainer.is_global_zero:
        write_final_metrics(trainer, output_dir / "final_metrics.json")
    if trainer.is_global_zero:
        log.info("done: %d generator steps; samples in %s", int(module.generator_steps), output_dir / "samples")
    return trainer


def final_metrics(trainer: L.Trainer) -> dict[str, float]:
    """The last value of every loss and metric and the G steps done. The losses of the very
    last step come from the module (it logs to Lightning only every log_every_n_steps)."""
    module = trainer.lightning_module
    values = {"g_steps_done": float(int(module.generator_steps))}
    latest = {**trainer.callback_metrics, **getattr(module, "latest_losses", {})}
    for name, value in sorted(latest.items()):
        if name.startswith(("train/", "metrics/")) and value.numel() == 1:
            values[name] = float(value)
    return values


def write_final_metrics(trainer: L.Trainer, path: Path) -> None:
    path.write_text(json.dumps(final_metrics(trainer), indent=2) + "\n")


def objective(cfg: DictConfig, trainer: L.Trainer) -> float | None:
    """The value a sweeper optimises (``optimized_metric``), e.g. for Optuna."""
    name = cfg.get("optimized_metric")
    if not name:
        return None
    values = final_metrics(trainer)
    value = values.get(name)
    if value is None:
        raise GanLabError(
            f"optimized_metric={name} was never logged; logged: {sorted(values)}. "
            "Metrics come from callbacks=metrics (metrics/<name>) or the training losses (train/<name>)."
        )
    return float(value)


@hydra.main(version_base="1.3", config_path=config_dir(), config_name="train")
@report_user_errors
def main(cfg: DictConfig) -> float | None:
    return objective(cfg, train(cfg))


if __name__ == "__main__":
    main()

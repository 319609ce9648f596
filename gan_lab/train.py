"""Train a GAN: ``python -m gan_lab.train [group=option ...] [key=value ...]``.

Examples::

    python -m gan_lab.train                                  # DCGAN on bundled MNIST, CPU
    python -m gan_lab.train dataset=ring model=mlp loss=ns   # 2D mixture
    python -m gan_lab.train model=dcgan loss=wgan_gp trainer.devices=4
    python -m gan_lab.train ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt
"""

from __future__ import annotations

import logging
import os
import signal
import warnings
from pathlib import Path

import hydra
import lightning as L
from lightning.fabric.utilities.rank_zero import rank_zero_only
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig, OmegaConf, open_dict

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.builders import (
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_trainer,
    check_checkpoint,
    check_compatibility,
    check_run_settings,
    in_multirun,
)
from gan_lab.callbacks.graceful_stop import GracefulStop
from gan_lab.checkpointing.atomic_io import remove_stale_temporaries
from gan_lab.checkpointing.resume import check_resume, max_steps_after, read_resume_point
from gan_lab.cli import check_command_line, report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError, RunFolderInUseError, TrainingInterrupted
from gan_lab.run_lock import RunLock
from gan_lab.run_records import write_final_metrics, write_run_records
from gan_lab.sweep_summary import run_sweep_job
from gan_lab.utils.init_weights import load_network_weights

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
    check_run_settings(cfg)
    output_dir = Path(cfg.paths.output_dir)
    # One live run per folder; only the launching process (rank 0) holds it, not the DDP ranks
    # that Lightning starts with the same command.
    lock = RunLock(output_dir) if rank_zero_only.rank == 0 else None
    if lock is not None:
        lock.acquire()
    try:
        return _train(cfg, output_dir)
    finally:
        if lock is not None:
            lock.release()


def _train(cfg: DictConfig, output_dir: Path) -> L.Trainer:
    L.seed_everything(cfg.seed, workers=True)
    check_compatibility(cfg)
    if rank_zero_only.rank == 0:
        remove_stale_temporaries(output_dir / "checkpoints")
    # Check first, write after: everything that can fail is tried before the run's records are written.
    ckpt_path = check_checkpoint(cfg.get("ckpt_path") or requeued_checkpoint(output_dir))
    if ckpt_path is None and rank_zero_only.rank == 0:
        check_fresh_folder(output_dir)
    resume = read_resume_point(ckpt_path) if ckpt_path else None
    if resume is not None:
        with open_dict(cfg):  # the steps still to do, counted from the checkpoint (n_critic may change)
            cfg.ckpt_path = str(ckpt_path)
            cfg.trainer.max_steps = max_steps_after(resume, cfg.g_steps, cfg.loss.n_critic)

    datamodule = build_datamodule(cfg)
    module = build_module(cfg)
    if resume is not None:
        check_resume(resume, cfg, module)
    elif cfg.get("init_from") and cfg.init_from.get("ckpt_path"):
        copied = load_network_weights(module, cfg.init_from.ckpt_path, list(cfg.init_from.networks))
        names = ", ".join(f"{n} ({k} tensors)" for n, k in copied.items())
        log.info("initialised %s from %s", names, cfg.init_from.ckpt_path)
    trainer = build_trainer(cfg, build_callbacks(cfg), build_loggers(cfg))

    # Every check has passed: from here on the run writes.
    if trainer.is_global_zero:
        write_run_records(cfg, output_dir, resume.g_steps_done if resume else None)
        log.info(
            "run folder: %s | %d generator steps, %d D steps each (trainer.max_steps=%d optimizer steps)%s",
            output_dir,
            cfg.g_steps,
            module.n_critic,
            trainer.max_steps,
            f" | resuming from G step {resume.g_steps_done} ({resume.path})" if resume else "",
        )
    for logger in trainer.loggers:  # the resolved config, to every logger (rank 0 only inside)
        logger.log_hyperparams(OmegaConf.to_container(cfg, resolve=True))
    try:
        # gan_lab checkpoints hold tensors and plain types only: resume loads them safely.
        trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
    except SIGTERMException:
        raise interruption(trainer, module) from None
    if trainer.is_global_zero:
        write_final_metrics(final_metrics(trainer), output_dir / "final_metrics.json")
        log.info("done: %d generator steps; samples in %s", int(module.generator_steps), output_dir / "samples")
    return trainer


def interruption(trainer: L.Trainer, module: L.LightningModule) -> TrainingInterrupted:
    """The error that reports a SIGTERM/SIGINT stop (exit status 128 + signal)."""
    stop = next(c for c in trainer.callbacks if isinstance(c, GracefulStop))
    name = signal.Signals(stop.signum).name
    if stop.saved is None:
        return TrainingInterrupted(f"{name} before the first step finished: nothing to save", stop.signum)
    return TrainingInterrupted(
        f"{name}: stopped after generator step {module.g_step} and wrote {stop.saved}; "
        f"continue with ckpt_path={stop.saved} (and the same overrides)",
        stop.signum,
    )


def requeued_checkpoint(output_dir: Path) -> str | None:
    """Under SLURM, a requeued job (``SLURM_RESTART_COUNT`` > 0) runs the same command again: it
    continues from the newest checkpoint of its folder (our ``last.ckpt`` written on SIGTERM, or
    Lightning's ``hpc_ckpt_<n>.ckpt`` written on its requeue signal)."""
    if int(os.environ.get("SLURM_RESTART_COUNT", "0") or 0) < 1:
        return None
    candidates = [output_dir / "checkpoints" / "last.ckpt", *output_dir.glob("hpc_ckpt_*.ckpt")]
    found = [p for p in candidates if p.is_file()]
    if not found:
        return None
    newest = max(found, key=lambda p: p.stat().st_mtime)
    log.info("SLURM requeue (restart %s): continuing from %s", os.environ["SLURM_RESTART_COUNT"], newest)
    return str(newest)


def check_fresh_folder(output_dir: Path) -> None:
    """A new run (no ckpt_path) must not overwrite the checkpoint of an earlier run in its folder."""
    last = output_dir / "checkpoints" / "last.ckpt"
    if last.is_file():
        raise RunFolderInUseError(
            f"run folder {output_dir} already holds a run (checkpoints/last.ckpt). Continue it with "
            f"ckpt_path={last}, or start the new run in another folder (drop hydra.run.dir=... for a fresh one)"
        )


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


@check_command_line("train", reuse_run_overrides=True)
@hydra.main(version_base="1.3", config_path=config_dir(), config_name="train")
@report_user_errors
def main(cfg: DictConfig) -> float | None:
    if in_multirun():  # a failed job must not end the sweep (gan_lab/sweep_summary.py)
        return run_sweep_job(lambda: objective(cfg, train(cfg)), Path(cfg.paths.output_dir))
    return objective(cfg, train(cfg))


if __name__ == "__main__":
    main()

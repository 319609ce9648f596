"""Helpers shared by the benchmarks: composing gan_lab configs in-process, running a
training run without touching outputs/, and describing the machine for the results page."""

from __future__ import annotations

import datetime as _dt
import functools
import logging
import math
import multiprocessing as mp
import os
import platform
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.config_path import config_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# Quiet runs: no progress bar, no model summary, no loggers, no callbacks.
QUIET = [
    "callbacks=none",
    "logger=[]",
    "trainer.accelerator=cpu",
    "trainer.enable_model_summary=false",
    "+trainer.enable_progress_bar=false",
]


def quiet_logging() -> None:
    for name in ("lightning", "lightning.pytorch", "lightning.fabric", "gan_lab"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")


def compose_config(overrides: list[str], output_dir: str | Path | None = None) -> DictConfig:
    """conf/train.yaml with ``overrides``, with the run folder set to ``output_dir`` (a temp dir by default)."""
    output_dir = str(output_dir or tempfile.mkdtemp(prefix="gan_lab_bench_"))
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(config_name="train", overrides=list(overrides), return_hydra_config=True)
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = output_dir
        cfg.hydra.runtime.cwd = output_dir
        cfg.hydra.job.num = 0
    HydraConfig.instance().set_config(cfg)
    return cfg


def machine_line() -> str:
    """Machine, versions and date, for every results page."""
    import lightning

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{_dt.date.today().isoformat()}; {cpu} ({os.cpu_count()} cores visible, "
        f"torch threads {torch.get_num_threads()}), {gpu}; Python {platform.python_version()}, "
        f"torch {torch.__version__}, lightning {lightning.__version__}"
    )


def _call_reporting_errors(fn: Callable[[object], dict], task: object) -> dict:
    try:
        return fn(task)
    except Exception as exc:  # noqa: BLE001  (returned, then reported by run_in_workers)
        return {"error": f"{task!r}: {type(exc).__name__}: {exc}"}


def run_in_workers(
    fn: Callable[[object], dict], tasks: Iterable[object], workers: int, maxtasksperchild: int | None = None
) -> Iterator[dict]:
    """``fn(task)`` for every task in ``workers`` spawned processes, yielded as they finish.

    A failure comes back as a value and stops everything with its message: an
    exception that does not pickle would otherwise hang the pool. ``fn`` must be a
    module-level function (the workers import it).
    """
    with mp.get_context("spawn").Pool(workers, maxtasksperchild=maxtasksperchild) as pool:
        for result in pool.imap_unordered(functools.partial(_call_reporting_errors, fn), tasks):
            if "error" in result:
                pool.terminate()
                raise SystemExit(f"run failed: {result['error']}")
            yield result


def mean_se(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """``mean ± standard error`` of ``values`` times ``scale`` (just the mean for one value)."""
    values = [v * scale for v in values]
    m = statistics.mean(values)
    if len(values) < 2:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ± {statistics.stdev(values) / math.sqrt(len(values)):.{digits}f}"


def train_run(overrides: list[str], prefix: str = "bench_"):
    """A quiet training run from seed 0 in a fresh temporary folder: ``(module in eval mode, wall seconds)``."""
    from gan_lab.train import train

    run_dir = Path(tempfile.mkdtemp(prefix=prefix))
    cfg = compose_config([*QUIET, "seed=0", *overrides], run_dir)
    start = time.perf_counter()
    module = train(cfg).lightning_module.eval()
    return module, time.perf_counter() - start

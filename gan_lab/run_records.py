"""The files that say what a run did: ``config.yaml``, ``.hydra/`` and ``final_metrics.json``.

Hydra would write ``.hydra/`` when the job starts, before gan_lab has checked
anything; a resume that then fails (a damaged checkpoint, another model) would
already have replaced the run's record of what it ran. So ``conf/hydra/default.yaml``
sets ``hydra.output_subdir: null`` and ``gan_lab.train`` writes the same three
files (``config.yaml``, ``hydra.yaml``, ``overrides.yaml``) itself, once every
check has passed. A resume keeps the config the run had until then as
``config.until_g_step_<N>.yaml``, so the folder records every config that ran.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

HYDRA_SUBDIR = ".hydra"


def hydra_records() -> dict[str, Any] | None:
    """``{file name: content}`` of the ``.hydra`` folder Hydra would write, or None outside Hydra."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    hydra_cfg = HydraConfig.get()
    return {
        "hydra.yaml": {"hydra": OmegaConf.to_container(hydra_cfg, resolve=False)},
        "overrides.yaml": list(hydra_cfg.overrides.task),
    }


def write_hydra_overrides(output_dir: Path) -> None:
    """Only ``.hydra/overrides.yaml`` (what a sweep summary needs of a job that failed at start-up),
    when the folder has none yet."""
    records = hydra_records()
    path = output_dir / HYDRA_SUBDIR / "overrides.yaml"
    if records is None or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OmegaConf.to_yaml(OmegaConf.create(records["overrides.yaml"])))


def write_run_records(cfg: DictConfig, output_dir: Path, resumed_from_g_step: int | None = None) -> None:
    """``config.yaml`` (resolved) and ``.hydra/{config,hydra,overrides}.yaml`` of the run about to start."""
    output_dir.mkdir(parents=True, exist_ok=True)
    config_file = output_dir / "config.yaml"
    new_config = OmegaConf.to_yaml(cfg, resolve=True)
    if resumed_from_g_step is not None and config_file.is_file() and config_file.read_text() != new_config:
        config_file.replace(output_dir / f"config.until_g_step_{resumed_from_g_step}.yaml")
    config_file.write_text(new_config)
    records = hydra_records()
    if records is None:
        return
    folder = output_dir / HYDRA_SUBDIR
    folder.mkdir(exist_ok=True)
    task_cfg = {k: v for k, v in OmegaConf.to_container(cfg, resolve=False).items() if k != "hydra"}
    (folder / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.create(task_cfg)))
    for name, content in records.items():
        (folder / name).write_text(OmegaConf.to_yaml(OmegaConf.create(content)))


def write_final_metrics(values: dict[str, float], path: Path) -> None:
    path.write_text(json.dumps(values, indent=2) + "\n")

"""One table for a whole sweep (``python -m gan_lab.train -m ...``).

A Hydra callback (registered in ``conf/hydra/default.yaml``). When the
multirun ends, it reads each job's overrides (``.hydra/overrides.yaml``) and
final metrics (``final_metrics.json``, written by ``gan_lab.train``). It then
writes ``summary.csv`` and ``summary.md`` into the sweep folder: one row per
job, one column per override and per metric. A job that failed shows
``failed`` in the ``status`` column.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

log = logging.getLogger(__name__)


def collect_jobs(sweep_dir: Path) -> list[dict[str, Any]]:
    rows = []
    job_dirs = [p for p in sweep_dir.iterdir() if (p / ".hydra" / "overrides.yaml").is_file()]
    for job_dir in sorted(job_dirs, key=lambda p: (len(p.name), p.name)):
        overrides = yaml.safe_load((job_dir / ".hydra" / "overrides.yaml").read_text()) or []
        row: dict[str, Any] = {"job": job_dir.name}
        row.update(dict(o.split("=", 1) for o in overrides if "=" in o))
        metrics_file = job_dir / "final_metrics.json"
        if metrics_file.is_file():
            row["status"] = "ok"
            row.update(json.loads(metrics_file.read_text()))
        else:
            row["status"] = "failed"
        rows.append(row)
    return rows


def write_summary(rows: list[dict[str, Any]], sweep_dir: Path) -> tuple[Path, Path]:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]

    def fmt(value: Any) -> str:
        return f"{value:.6g}" if isinstance(value, float) else ("" if value is None else str(value))

    csv_path, md_path = sweep_dir / "summary.csv", sweep_dir / "summary.md"
    with csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(row.get(c)) for c in columns) + " |" for row in rows]
    md_path.write_text("\n".join(lines) + "\n")
    return csv_path, md_path


class SweepSummary(Callback):
    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.is_dir():
            return
        rows = collect_jobs(sweep_dir)
        if rows:
            csv_path, md_path = write_summary(rows, sweep_dir)
            log.info("sweep summary: %s and %s (%d jobs)", csv_path, md_path, len(rows))

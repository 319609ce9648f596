"""One table for a whole sweep (``python -m gan_lab.train -m ...``).

A Hydra callback (registered in ``conf/hydra/default.yaml``). When the
multirun ends, it reads each job's overrides (``.hydra/overrides.yaml``) and
final metrics (``final_metrics.json``, written by ``gan_lab.train``). It then
writes ``summary.csv`` and ``summary.md`` into the sweep folder: one row per
job, one column per override and per metric, and a ``status`` (``ok``,
``failed``: a gan_lab error, ``crashed``: any other exception, ``interrupted``)
with the ``error`` line of a job that did not finish.

Inside a multirun, ``gan_lab.train`` runs each job through :func:`run_sweep_job`:
a job that fails is recorded (``job_status.json``) instead of ending the sweep,
so every job runs; the multirun then exits with status 1 when any job failed.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

log = logging.getLogger(__name__)

JOB_STATUS = "job_status.json"


def record_job_status(job_dir: Path, status: str, error: str) -> None:
    from gan_lab.run_records import write_hydra_overrides

    job_dir.mkdir(parents=True, exist_ok=True)
    write_hydra_overrides(job_dir)  # the summary finds jobs by their overrides
    (job_dir / JOB_STATUS).write_text(json.dumps({"status": status, "error": error}, indent=2) + "\n")


def run_sweep_job(job: Callable[[], Any], job_dir: Path) -> Any:
    """Run one job of a multirun; a failure is printed, recorded for the summary and swallowed
    (the job returns None) so that the sweep's other jobs still run. An interruption
    (SIGTERM/SIGINT) is recorded and stops the sweep."""
    from gan_lab.errors import GanLabError, TrainingInterrupted

    try:
        return job()
    except TrainingInterrupted as error:
        record_job_status(job_dir, "interrupted", f"gan_lab error: {error}")
        raise
    except GanLabError as error:
        line = f"gan_lab error: {error}"
        print(line, file=sys.stderr)
        record_job_status(job_dir, "failed", line)
    except Exception as error:
        log.exception("job %s crashed", job_dir.name)
        first_line = (str(error).strip().splitlines() or [""])[0][:300]
        record_job_status(job_dir, "crashed", f"{type(error).__name__}: {first_line}")
    return None


def collect_jobs(sweep_dir: Path) -> list[dict[str, Any]]:
    rows = []
    job_dirs = [
        p for p in sweep_dir.iterdir() if (p / ".hydra" / "overrides.yaml").is_file() or (p / JOB_STATUS).is_file()
    ]
    for job_dir in sorted(job_dirs, key=lambda p: (len(p.name), p.name)):
        overrides_file = job_dir / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(overrides_file.read_text()) or [] if overrides_file.is_file() else []
        row: dict[str, Any] = {"job": job_dir.name}
        row.update(dict(o.split("=", 1) for o in overrides if "=" in o))
        metrics_file, status_file = job_dir / "final_metrics.json", job_dir / JOB_STATUS
        if status_file.is_file():
            row.update(json.loads(status_file.read_text()))
        elif metrics_file.is_file():
            row["status"] = "ok"
            row.update(json.loads(metrics_file.read_text()))
        else:
            row.update(status="failed", error="no final_metrics.json (the job was killed?)")
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
        if not rows:
            return
        csv_path, md_path = write_summary(rows, sweep_dir)
        log.info("sweep summary: %s and %s (%d jobs)", csv_path, md_path, len(rows))
        failed = [r["job"] for r in rows if r.get("status") != "ok"]
        if failed:
            print(
                f"gan_lab error: {len(failed)} of {len(rows)} sweep jobs did not finish (jobs {', '.join(failed)}); "
                f"their status and error are in {md_path}",
                file=sys.stderr,
            )
            sys.exit(1)

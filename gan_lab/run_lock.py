"""One live run per run folder.

Two runs writing into one folder overwrite each other's checkpoint, config and
metrics, and both exit 0. A run therefore holds ``<run>/.gan_lab.lock`` (its host
and pid, and its SLURM job id under SLURM) while it trains. A second run that finds
the lock of a live process refuses to start; a lock whose process is gone (a
killed run, a SLURM job requeued onto another node) is taken over.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from gan_lab.errors import RunFolderInUseError

LOCK_NAME = ".gan_lab.lock"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _owner() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "slurm_job_id": os.environ.get("SLURM_JOB_ID")}


def _is_stale(holder: dict[str, Any]) -> bool:
    me = _owner()
    if holder.get("slurm_job_id") and holder.get("slurm_job_id") == me["slurm_job_id"]:
        return holder.get("host") != me["host"] or not pid_alive(int(holder.get("pid", 0)))  # requeued
    if holder.get("host") != me["host"]:
        return False  # cannot tell: assume it runs
    pid = int(holder.get("pid", 0))
    return pid == me["pid"] or not pid_alive(pid)


class RunLock:
    """``with RunLock(folder):`` holds the folder or raises :class:`RunFolderInUseError`."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.held = False

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    holder = json.loads(self.path.read_text() or "{}")
                except (OSError, ValueError):
                    holder = {}
                if holder and not _is_stale(holder):
                    raise RunFolderInUseError(
                        f"run folder {self.path.parent} is in use by another run (pid {holder.get('pid')} on "
                        f"{holder.get('host')}); two runs in one folder overwrite each other's checkpoints. "
                        f"Pick another folder (hydra.run.dir=...), or delete {self.path} if that run is not running"
                    ) from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as handle:
                json.dump(_owner(), handle)
            self.held = True
            return
        raise RunFolderInUseError(f"could not take the lock {self.path}: another run took it meanwhile")

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> RunLock:  # noqa: PYI034
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

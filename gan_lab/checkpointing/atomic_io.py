"""Checkpoint writes that never leave a half-written file behind.

Lightning's default writer goes through an fsspec transaction whose temporary
file lives in the system temp folder. When that folder is on another
filesystem, the final move is a copy, which a kill can interrupt. Here the
temporary file sits next to the target, is fsync'ed, and then ``os.replace``
swaps it in. The rename is atomic on POSIX filesystems, so ``last.ckpt`` is
always either the old or the new checkpoint.
"""

from __future__ import annotations

import errno
import logging
import os
import re
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO

from gan_lab.errors import GanLabError

log = logging.getLogger(__name__)


class CheckpointWriteError(GanLabError):
    """A checkpoint could not be written (full disk, quota)."""


TEMPORARY = re.compile(r"^\..+\.tmp-(\d+)$")


def temporary_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete the ``.<name>.tmp-<pid>`` files that a killed writer (``kill -9``, a crashed node)
    left in ``folder``; a file whose pid still runs is being written and stays."""
    from gan_lab.run_lock import pid_alive

    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = TEMPORARY.match(path.name)
        if match and int(match.group(1)) != os.getpid() and not pid_alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        log.info("removed %d unfinished checkpoint file(s) of killed runs in %s", len(removed), folder)
    return removed


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as handle:
            torch.save(obj, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise CheckpointWriteError(
                f"no space left on the device to write {path} ({err.strerror}); the previous {path.name}, if any, "
                "is intact. Free some space (or point hydra.run.dir at a larger disk) and resume from it"
            ) from None
        raise
    finally:
        if tmp.exists():
            tmp.unlink()


class AtomicCheckpointIO(TorchCheckpointIO):
    def save_checkpoint(self, checkpoint: dict[str, Any], path: Any, storage_options: Any = None) -> None:
        if storage_options is not None:
            raise TypeError("AtomicCheckpointIO takes no storage_options")
        atomic_torch_save(checkpoint, path)

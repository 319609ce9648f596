"""SIGTERM and SIGINT stop training at the next step boundary with a checkpoint.

Lightning's own handling of SIGTERM (preemption, ``scancel``, a scheduler's time
limit) stops the loop at the next step boundary and raises ``SIGTERMException``, a
``SystemExit`` with status 0, without a checkpoint: the work since the last
periodic checkpoint is lost, and a scheduler counts the job as a success. This
callback writes ``last.ckpt`` at that boundary (``on_exception``: the loop state is
that of a finished step, so the resume is exact), and ``gan_lab.train`` then exits
with 128 + the signal number. SIGINT (Ctrl-C) is handled the same way: the first
one stops at the step boundary, a second one interrupts at once. Under SLURM,
Lightning's requeue on its requeue signal (SIGUSR1) is left as it is.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Any

import lightning as L
from lightning.pytorch.utilities.exceptions import SIGTERMException

log = logging.getLogger("gan_lab.train")


class GracefulStop(L.Callback):
    def __init__(self, dirpath: str, filename: str = "last.ckpt") -> None:
        self.path = Path(dirpath) / filename
        self.signum: int = signal.SIGTERM
        self.saved: Path | None = None
        self._previous_sigint: Any = None

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        # After Lightning has installed its SIGTERM handler and recorded the handlers it puts back
        # at the end of fit (so ours is not put back with them). Main thread only.
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        self._previous_sigint = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C interrupts at once
        self.signum = signum
        log.warning("SIGINT: stopping after the current step (press Ctrl-C again to stop at once)")
        sigterm_handler = signal.getsignal(signal.SIGTERM)
        if callable(sigterm_handler):
            sigterm_handler(signum, frame)  # Lightning's: flag the stop, forward to child processes

    def on_exception(self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException) -> None:
        self.teardown(trainer, pl_module, "fit")
        if not isinstance(exception, SIGTERMException) or trainer.global_step == 0:
            return
        trainer.save_checkpoint(self.path, weights_only=False)
        self.saved = self.path

    def teardown(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if self._previous_sigint is not None:
            signal.signal(signal.SIGINT, self._previous_sigint)
            self._previous_sigint = None

"""A Lightning callback that ends training after a budget of this process's CPU time.

Benchmarks on a shared machine compare models "after a fixed CPU budget": wall-clock
limits would give a model less work whenever other jobs compete for the cores, CPU
time (``time.process_time``: all threads of this process) does not.
"""

from __future__ import annotations

import time

from lightning.pytorch.callbacks import Callback


class CpuTimeBudget(Callback):
    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.start: float | None = None

    def on_train_start(self, trainer, pl_module) -> None:
        self.start = time.process_time()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.start is not None and time.process_time() - self.start >= self.seconds:
            trainer.should_stop = True

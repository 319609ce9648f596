"""A tqdm progress bar over the whole run, counted in generator updates.

Lightning's own bar counts batches per epoch against ``max_steps``, which
counts optimizer steps (``n_critic + 1`` per G update): with ``n_critic=5`` it
would stop at one sixth. This bar shows ``G step k / g_steps`` instead.
"""

from __future__ import annotations

from typing import Any

import lightning as L
from lightning.pytorch.callbacks import TQDMProgressBar


class GStepProgressBar(TQDMProgressBar):
    def _target(self, trainer: L.Trainer, pl_module: L.LightningModule) -> int:
        # the run's g_steps; max_steps // (n_critic + 1) is only right when n_critic never changed
        total = getattr(pl_module, "total_g_steps", None)
        return int(total) if total else max(trainer.max_steps, 0) // (pl_module.n_critic + 1)

    def _align(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        bar = self.train_progress_bar
        if bar.total is None or bar.total != self._target(trainer, pl_module):
            bar.reset(total=self._target(trainer, pl_module))
            bar.initial = bar.n = pl_module.g_step  # a resumed run's rate counts only its own steps
        bar.set_description(f"Training (epoch {trainer.current_epoch})")

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        super().on_train_start(trainer, pl_module)
        # a run resumed mid-epoch gets no on_train_epoch_start for that epoch
        self._align(trainer, pl_module)

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._align(trainer, pl_module)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        n = pl_module.g_step
        bar = self.train_progress_bar
        if self._should_update(n, bar.total):
            bar.n = n
            bar.set_postfix(self.get_metrics(trainer, pl_module))
            bar.refresh()

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        pass

    def get_metrics(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, Any]:
        metrics = super().get_metrics(trainer, pl_module)
        metrics.pop("v_num", None)
        metrics.pop("g_step", None)
        return metrics

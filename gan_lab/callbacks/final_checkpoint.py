"""Writes ``last.ckpt`` after the final training step.

ModelCheckpoint writes only every ``checkpoint_every`` G steps. A checkpoint
written after ``trainer.fit`` returns records the epoch as finished, so
resuming from it would start a new epoch instead of continuing the current
one. This callback writes from inside the last ``on_train_batch_end``, where
Lightning's loop state is the same as in its periodic checkpoints.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L


class FinalCheckpoint(L.Callback):
    def __init__(self, dirpath: str, filename: str = "last.ckpt") -> None:
        self.path = Path(dirpath) / filename

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if trainer.max_steps > 0 and trainer.global_step >= trainer.max_steps:
            # every rank calls it; rank 0 writes. weights_only=False: the full state, for resuming
            # (left unset, Lightning logs that it defaulted to False).
            trainer.save_checkpoint(self.path, weights_only=False)

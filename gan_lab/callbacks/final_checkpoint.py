"""Writes ``last.ckpt`` after the final training step.

ModelCheckpoint writes only every ``checkpoint_every`` G steps. A checkpoint
written after the last step has finished (``ModelCheckpoint.on_train_end`` with
``save_last``, or a save after ``trainer.fit`` returns) records the epoch as
finished, so resuming from it would start a new epoch instead of continuing the
current one, and the resumed run would no longer match an uninterrupted one.
This callback writes from inside the last ``on_train_batch_end``, where
Lightning's loop state is the same as in its periodic checkpoints, and tells the
ModelCheckpoints that keep a ``last.ckpt`` in the same folder that their last
checkpoint is written, so that their ``on_train_end`` does not overwrite it.
"""

from __future__ import annotations

from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint


class FinalCheckpoint(L.Callback):
    def __init__(self, dirpath: str, filename: str = "last.ckpt") -> None:
        self.path = Path(dirpath) / filename

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        if trainer.max_steps > 0 and trainer.global_step >= trainer.max_steps:
            # every rank calls it; rank 0 writes. weights_only=False: the full state, for resuming
            # (left unset, Lightning logs that it defaulted to False).
            trainer.save_checkpoint(self.path, weights_only=False)
            self._mark_saved(trainer)

    def _mark_saved(self, trainer: L.Trainer) -> None:
        """Record our file as the ModelCheckpoints' last checkpoint of this step.

        Lightning has no public call for this; these are the attributes its
        ``on_train_end`` (save_last when nothing was saved) and ``on_train_epoch_end``
        (save_last when this step was saved) read (Lightning 2.6).
        """
        for callback in trainer.checkpoint_callbacks:
            if not isinstance(callback, ModelCheckpoint) or not callback.save_last or not callback.dirpath:
                continue
            last = Path(callback.format_checkpoint_name({}, callback.CHECKPOINT_NAME_LAST))
            if last.resolve() != self.path.resolve():
                continue
            callback.last_model_path = str(self.path)
            callback._last_checkpoint_saved = str(self.path)
            callback._last_global_step_saved = trainer.global_step

"""Saves and restores every random number generator, per rank.

Lightning does not put RNG states in checkpoints. An exactly reproducible
resume needs them: the noise that G and the gradient penalty draw after step k
must be the same in a resumed run as in an uninterrupted one. This callback
stores torch (CPU and CUDA), numpy and python states of every rank under
``checkpoint["rng_states"]``. On resume it restores them just before the
first training batch, after Lightning and the dataloader have finished their
own start-up draws.

It also gives each DDP rank its own stream at the start of a fresh run
(``seed + rank``): ``seed_everything`` gives every rank the same seed, so
without this every rank would draw the same noise.
"""

from __future__ import annotations

import os
import random
from typing import Any

import lightning as L
import numpy as np
import torch
import torch.distributed as dist


def capture_rng_state() -> dict[str, Any]:
    """All generator states as tensors, ints and tuples: checkpoints stay loadable
    with ``torch.load(weights_only=True)`` (numpy arrays would not be)."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": (kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(cached)),
        "python": random.getstate(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


class RNGStateCheckpoint(L.Callback):
    def __init__(self) -> None:
        self._pending: dict[str, Any] | None = None

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        base_seed = os.environ.get("PL_GLOBAL_SEED")
        if trainer.ckpt_path is None and trainer.world_size > 1 and base_seed is not None:
            L.seed_everything(int(base_seed) + trainer.global_rank, workers=True, verbose=False)

    def on_save_checkpoint(self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]) -> None:
        state = capture_rng_state()
        if dist.is_available() and dist.is_initialized() and trainer.world_size > 1:
            states: list[Any] = [None] * trainer.world_size
            dist.all_gather_object(states, state)
        else:
            states = [state]
        checkpoint["rng_states"] = states

    def on_load_checkpoint(self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]) -> None:
        states = checkpoint.get("rng_states")
        if states:
            self._pending = states[trainer.global_rank] if trainer.global_rank < len(states) else states[0]

    def on_train_batch_start(
        self, trainer: L.Trainer, pl_module: L.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        if self._pending is not None:
            restore_rng_state(self._pending)
            self._pending = None

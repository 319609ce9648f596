"""Stops a run whose losses stop being finite.

A NaN or Inf loss means the weights have already been ruined, and every later
step is wasted. An optimizer step can also ruin the weights while the loss it
was computed from still looks fine, so the guard checks the parameters of G
and D after every step as well (one norm over all of them). The guard raises
:class:`DivergenceError`, which names the step and the loss. It runs before
Lightning's ModelCheckpoint (Lightning runs checkpoint callbacks last), so the
ruined state is never written and the last checkpoint stays the last good one.
``gan_lab.train`` prints the message and exits with status 2.
"""

from __future__ import annotations

import math
from pathlib import Path

import lightning as L
import torch

from gan_lab.errors import GanLabError


class DivergenceError(GanLabError):
    """A training loss became NaN or infinite."""


class DivergenceGuard(L.Callback):
    """Args: prefix: logged metrics whose names start with it are checked."""

    def __init__(self, prefix: str = "train/") -> None:
        self.prefix = prefix

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        # The module's losses of this very step (it logs to Lightning only every
        # log_every_n_steps), plus whatever else was logged (e.g. metrics/...).
        values = {**trainer.callback_metrics, **getattr(pl_module, "latest_losses", {})}
        bad = {
            name: float(value)
            for name, value in values.items()
            if name.startswith(self.prefix) and value.numel() == 1 and not math.isfinite(float(value))
        }
        for name in ("generator", "discriminator"):
            params = [p.detach() for p in getattr(pl_module, name).parameters()]
            norm = float(torch.nn.utils.get_total_norm(params)) if params else 0.0
            if not math.isfinite(norm):
                bad[f"{name} parameters (norm)"] = norm
        if not bad:
            return
        step = int(pl_module.generator_steps)
        last = self._last_checkpoint(trainer)
        found = ", ".join(f"{name} = {value}" for name, value in sorted(bad.items()))
        kept = f"the last good checkpoint is {last}" if last else "no checkpoint had been written yet"
        raise DivergenceError(
            f"training diverged at generator step {step}: {found}. Stopped; {kept}. "
            "Lower the learning rates (optimizer.*.lr), use a gradient penalty or spectral norm, "
            "or try trainer.precision=32-true."
        )

    @staticmethod
    def _last_checkpoint(trainer: L.Trainer) -> str | None:
        for callback in trainer.checkpoint_callbacks:
            path = getattr(callback, "last_model_path", "") or ""
            if path and Path(path).is_file():
                return path
        return None

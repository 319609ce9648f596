"""Stops a run whose losses stop being finite.

A NaN or Inf loss means the weights have already been ruined, and every later
step is wasted. The guard checks the losses of every step (one host-device
synchronisation for all of them) and raises :class:`DivergenceError`, which
names the step and the loss; ``gan_lab.train`` prints the message and exits
with status 2.

An optimizer step can also ruin the weights while the loss it was computed
from still looks fine. Such weights make the next step's losses non-finite
(a NaN or Inf weight reaches every output of its layer), so the per-step check
catches them one step later. What must not happen in between is a checkpoint
of them: before every checkpoint is written (``on_save_checkpoint``, which
Lightning calls before the file is opened) the guard also checks the
parameters of G and D, so the last checkpoint on disk is always the last good
one. Checking the parameters only there, and not after every step, keeps the
guard's cost per step to a few scalars (docs/speed_vs_pytorch.md).

A blow-up can also saturate instead of overflowing: with absurd learning rates
the losses reach 1e26 and BatchNorm's running variances 1e30 while everything
stays finite, and Adam's state holds Inf. So a loss whose magnitude exceeds
``max_abs_loss`` (1e10 by default: far beyond any loss of a working GAN) counts
as divergence, and before a checkpoint the guard also checks the networks'
buffers (BatchNorm statistics) and the optimizers' state for non-finite values
or values beyond ``max_abs_value`` (1e20: a float32 whose square overflows).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import lightning as L
import torch

from gan_lab.errors import GanLabError


class DivergenceError(GanLabError):
    """A training loss (or a parameter about to be checkpointed) became NaN or infinite."""


class DivergenceGuard(L.Callback):
    """Args: prefix: logged metrics whose names start with it are checked; max_abs_loss: the
    largest loss magnitude taken as sane; max_abs_value: the same for weights, buffers and
    optimizer state (checked before each checkpoint)."""

    def __init__(self, prefix: str = "train/", max_abs_loss: float = 1e10, max_abs_value: float = 1e20) -> None:
        self.prefix = prefix
        self.max_abs_loss = float(max_abs_loss)
        self.max_abs_value = float(max_abs_value)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:  # noqa: ANN001
        # The module's losses of this very step (it logs to Lightning only every
        # log_every_n_steps); whatever else was logged (e.g. metrics/...) is read from
        # trainer.callback_metrics on those logging steps only, as building that dict
        # costs more than the rest of the check.
        values = dict(getattr(pl_module, "latest_losses", {}))
        if pl_module.is_logging_step():
            values = {**trainer.callback_metrics, **values}
        scalars = {
            name: value.detach().reshape(())
            for name, value in values.items()
            if name.startswith(self.prefix) and isinstance(value, torch.Tensor) and value.numel() == 1
        }
        if not scalars:
            return
        # One synchronisation: the scalars are stacked on the device, only the verdict is read back.
        device = next(iter(scalars.values())).device
        stacked = torch.stack([v.to(device=device, dtype=torch.float32) for v in scalars.values()])
        if bool((stacked.abs() <= self.max_abs_loss).all()):  # False for NaN too
            return
        bad = {name: float(value) for name, value in scalars.items() if not self._sane(float(value), self.max_abs_loss)}
        self._stop(trainer, pl_module, bad)

    @staticmethod
    def _sane(value: float, bound: float) -> bool:
        return math.isfinite(value) and abs(value) <= bound

    def on_save_checkpoint(self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]) -> None:
        groups: dict[str, list[torch.Tensor]] = {}
        for name in ("generator", "discriminator"):
            network = getattr(pl_module, name)
            groups[f"{name} parameters"] = [p.detach() for p in network.parameters()]
            groups[f"{name} buffers"] = [b for b in network.buffers() if b.is_floating_point()]
        for index, optimizer in enumerate(trainer.optimizers):
            groups[f"optimizer {index} state"] = [
                v
                for state in optimizer.state.values()
                for v in state.values()
                if isinstance(v, torch.Tensor) and v.is_floating_point()
            ]
        bad = {}
        for name, tensors in groups.items():
            if not tensors:
                continue
            # one max per group: it is finite and within the bound exactly when every value is
            largest = float(torch.stack([t.detach().abs().max().float() for t in tensors if t.numel()]).max())
            if not self._sane(largest, self.max_abs_value):
                bad[f"{name} (max |value|)"] = largest
        if bad:
            self._stop(trainer, pl_module, bad)

    def _stop(self, trainer: L.Trainer, pl_module: L.LightningModule, bad: dict[str, float]) -> None:
        last = self._last_checkpoint(trainer)
        found = ", ".join(f"{name} = {value:.4g}" for name, value in sorted(bad.items()))
        if any(math.isfinite(v) for v in bad.values()):
            found += f" (magnitudes above {self.max_abs_loss:.0e} for losses, {self.max_abs_value:.0e} for state)"
        kept = f"the last good checkpoint is {last}" if last else "no checkpoint had been written yet"
        raise DivergenceError(
            f"training diverged at generator step {pl_module.g_step}: {found}. Stopped; {kept}. "
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

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

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        # The parameter lists do not change during fit; collecting them walks the module tree.
        self._params = {name: [p.detach() for p in getattr(pl_module, name).parameters()] for name in ("generator", "discriminator")}

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
        params = getattr(self, "_params", None)
        if params is None:
            self.on_train_start(trainer, pl_module)
            params = self._params
        everything = params["generator"] + params["discriminator"]
        if everything:
            # One norm over G and D together: finite exactly when every parameter is.
            scalars["parameters (norm)"] = torch.nn.utils.get_total_norm(everything)
        if not scalars:
            return
        # One host-device synchronisation for the whole check: everything is stacked
        # on the device and only the verdict is read back.
        device = next(iter(scalars.values())).device
        stacked = torch.stack([v.to(device=device, dtype=torch.float32) for v in scalars.values()])
        if bool(torch.isfinite(stacked).all()):
            return
        bad = {name: float(value) for name, value in scalars.items() if name.startswith(self.prefix) and not math.isfinite(float(value))}
        for name, group in params.items():
            norm = float(torch.nn.utils.get_total_norm(group)) if group else 0.0
            if not math.isfinite(norm):
                bad[f"{name} parameters (norm)"] = norm
        step = pl_module.g_step
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

"""A resumed run trains with the optimizer settings of its new config, not the checkpoint's.

Lightning restores each optimizer's ``param_groups`` from the checkpoint, learning
rate and betas included, and each LR scheduler with its old length. A resume with
``optimizer.generator.lr=...`` or a larger ``g_steps`` under ``lr_decay=linear``
would then keep the old values (with a finished linear decay the learning rate
stays 0 and the extra steps change no weight), while the run's config.yaml claims
the new ones. :func:`apply_configured_optimization` runs when training starts
after a restore: it copies the new config's hyperparameters into the restored
param groups (the optimizer *state*, e.g. Adam's moments, is kept) and, when the
base learning rates or the schedule changed, rebuilds the schedule of the new
config and replays it up to the current G step, so the learning rate is the one
an uninterrupted run with the new config would have now. Every change is logged.
A resume whose settings are unchanged keeps the restored state untouched.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import torch

log = logging.getLogger("gan_lab.train")


def _base_lr(group: dict[str, Any]) -> float:
    """The learning rate a group was configured with (a scheduler keeps it as ``initial_lr``)."""
    return float(group.get("initial_lr", group["lr"]))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Sequence) and not isinstance(a, str) and isinstance(b, Sequence) and not isinstance(b, str):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _schedule(lr_decay: Any, g_steps: Any, start: Any, gamma: Any = None) -> tuple[str, float, int]:
    kind = str(lr_decay or "none")
    if kind == "exponential":  # its length does not depend on g_steps
        return (kind, float(0.999 if gamma is None else gamma), 0)
    return (kind, int(g_steps or 0), int(start or 0)) if kind != "none" else ("none", 0, 0)


def _describe(schedule: tuple[str, float, int]) -> str:
    kind, total, start = schedule
    if kind == "none":
        return "constant"
    if kind == "exponential":
        return f"x {total} per epoch"
    return f"{kind} decay to 0 at G step {total}" + (f" after {start} constant steps" if start else "")


def apply_configured_optimization(module: Any, checkpoint_config: dict[str, Any]) -> list[str]:
    """Make the restored optimizers and schedulers of ``module`` follow its (new) config; returns
    the changes, as logged. ``checkpoint_config`` is the run config stored in the checkpoint."""
    trainer = module.trainer
    restored = list(trainer.optimizers)  # [D, G], the order of configure_optimizers
    fresh = [
        module.d_optimizer_factory(module.discriminator.parameters()),
        module.g_optimizer_factory(module.generator.parameters()),
    ]
    changes: list[str] = []
    lr_changed = False
    for name, old_opt, new_opt in zip(("discriminator", "generator"), restored, fresh):
        for old_group, new_group in zip(old_opt.param_groups, new_opt.param_groups):
            for key, value in new_group.items():
                if key in ("params", "initial_lr"):
                    continue
                before = _base_lr(old_group) if key == "lr" else old_group.get(key)
                if _same(before, value):
                    continue
                changes.append(f"optimizer.{name}.{key}: {before} -> {value}")
                if key == "lr":
                    lr_changed = True
                    old_group["lr"] = old_group["initial_lr"] = value
                else:
                    old_group[key] = value

    old_schedule = _schedule(
        checkpoint_config.get("lr_decay"),
        checkpoint_config.get("g_steps"),
        checkpoint_config.get("lr_decay_start"),
        checkpoint_config.get("lr_decay_gamma"),
    )
    new_schedule = _schedule(module.lr_decay, module.total_g_steps, module.lr_decay_start, module.lr_decay_gamma)
    if old_schedule != new_schedule:
        changes.append(f"learning-rate schedule: {_describe(old_schedule)} -> {_describe(new_schedule)}")
    if lr_changed or old_schedule != new_schedule:
        _rebuild_schedule(module, restored)
        lrs = ", ".join(f"{n} {opt.param_groups[0]['lr']:.4g}" for n, opt in zip(("D", "G"), restored))
        changes.append(f"learning rates at G step {module.g_step}: {lrs}")
    if changes:
        log.warning("resumed with settings of the new config (not the checkpoint's): %s", "; ".join(changes))
    return changes


def _rebuild_schedule(module: Any, optimizers: list[torch.optim.Optimizer]) -> None:
    """Learning rates as the new config's schedule has them at the current G step."""
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            base = _base_lr(group)
            group["lr"] = base
            group.pop("initial_lr", None)
    if module.lr_decay == "none":
        return
    configs = module.trainer.lr_scheduler_configs
    with warnings.catch_warnings():  # stepping without optimizer steps is the point of a replay
        warnings.filterwarnings("ignore", message=".*lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`.*")
        for config, optimizer in zip(configs, optimizers):
            scheduler = module.make_lr_scheduler(optimizer)
            for _ in range(module.lr_schedule_steps_done()):
                scheduler.step()
            config.scheduler = scheduler

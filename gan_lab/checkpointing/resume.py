"""What a resumed run continues from, checked before the run writes anything.

``ckpt_path=<run>/checkpoints/last.ckpt`` continues a run in its own folder. Everything
that can make the resume fail or do nothing is checked here first: a missing, damaged or
foreign checkpoint, a model that does not match it, a ``g_steps`` the checkpoint has
already reached. Only then does ``gan_lab.train`` write the run's records
(``config.yaml``, ``.hydra/``), so a failed resume leaves the run as it was.

Lightning counts optimizer steps (``n_critic`` D steps + 1 G step per G step) and stops
at ``trainer.max_steps``. The steps still to do are counted from the checkpoint, so a
resume with another ``loss.n_critic`` still ends at ``g_steps`` generator steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig, OmegaConf

from gan_lab.checkpointing.loading import CheckpointError, load_state_strictly, read_checkpoint


@dataclass(frozen=True)
class ResumePoint:
    """Where a checkpoint stands: its file, G steps and Lightning optimizer steps done, and the
    config it was trained with."""

    path: Path
    g_steps_done: int
    global_step: int
    run_config: DictConfig
    checkpoint: dict[str, Any]


def read_resume_point(ckpt_path: str) -> ResumePoint:
    ckpt = read_checkpoint(ckpt_path)
    path = Path(str(ckpt_path)).expanduser()
    g_steps = ckpt["state_dict"].get("generator_steps")
    if not isinstance(g_steps, torch.Tensor) or "global_step" not in ckpt or "loops" not in ckpt:
        raise CheckpointError(
            f"{path} holds weights only (no training state), so a run cannot resume from it; "
            "resume from the run's checkpoints/last.ckpt"
        )
    return ResumePoint(path, int(g_steps), int(ckpt["global_step"]), OmegaConf.create(ckpt["gan_lab_config"]), ckpt)


def check_resume(point: ResumePoint, cfg: DictConfig, module: torch.nn.Module) -> None:
    """Refuse a resume that would do nothing or load into a model of another shape."""
    g_steps = int(cfg.g_steps)
    if g_steps <= point.g_steps_done:
        raise CheckpointError(
            f"{point.path} has already done {point.g_steps_done} generator steps and g_steps={g_steps}: "
            f"nothing to train. To train longer, set g_steps to more than {point.g_steps_done}"
        )
    old_seed = point.run_config.get("seed")
    if old_seed is not None and int(old_seed) != int(cfg.seed):
        raise CheckpointError(
            f"seed={cfg.seed} differs from the seed of {point.path} ({old_seed}): a resumed run continues the "
            f"checkpoint's random streams and data order, so its seed cannot change; set seed={old_seed} "
            "(or start a new run)"
        )
    load_state_strictly(
        module,
        point.checkpoint,
        point.path,
        hint=". Resume with the model settings the run was trained with (its config.yaml; "
        "repeat the run's overrides from .hydra/overrides.yaml), or start a new run",
    )


def max_steps_after(point: ResumePoint, g_steps: int, n_critic: int) -> int:
    """Lightning's ``max_steps`` for ``g_steps`` G steps in all, ``n_critic`` D steps each from here on."""
    return point.global_step + (int(g_steps) - point.g_steps_done) * (int(n_critic) + 1)

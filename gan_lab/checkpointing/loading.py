"""Loading a gan_lab checkpoint back into a module, with clear errors for the user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from omegaconf import DictConfig, OmegaConf

from gan_lab.errors import GanLabError


class CheckpointError(GanLabError):
    """A checkpoint is missing, unreadable, or not one gan_lab can rebuild."""


def read_checkpoint(ckpt_path: str | None, map_location: str = "cpu") -> dict[str, Any]:
    """The raw dict of a gan_lab checkpoint; a :class:`CheckpointError` with the fix when the file is
    missing, unreadable (truncated, random bytes, not a torch file) or not written by gan_lab."""
    if not ckpt_path:
        raise CheckpointError("set ckpt_path=PATH/TO/file.ckpt")
    path = Path(str(ckpt_path)).expanduser()
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path.resolve()} (ckpt_path={ckpt_path})")
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)  # tensors and plain types only
    except Exception as err:  # truncated file, not a torch file, ...
        raise CheckpointError(
            f"cannot read checkpoint {path}: {type(err).__name__}: {str(err)[:200]}. The file is damaged or not "
            "a checkpoint; use another one (a run keeps checkpoints/last.ckpt) or start a new run"
        ) from None
    if not isinstance(ckpt, dict) or "gan_lab_config" not in ckpt or "state_dict" not in ckpt:
        raise CheckpointError(
            f"{path} is not a gan_lab checkpoint (no 'gan_lab_config'/'state_dict'); use a .ckpt written by gan_lab.train"
        )
    return ckpt


def load_state_strictly(module: torch.nn.Module, ckpt: dict[str, Any], path: str | Path, hint: str = "") -> None:
    """``module.load_state_dict(ckpt["state_dict"], strict=True)`` with a :class:`CheckpointError`
    naming the first mismatches instead of PyTorch's wall of keys."""
    try:
        module.load_state_dict(ckpt["state_dict"], strict=True)
    except RuntimeError as err:
        first = str(err).strip().splitlines()
        raise CheckpointError(
            f"{path} does not match the model its config describes (incompatible checkpoint): "
            f"{' '.join(first[:3])[:300]}{hint}"
        ) from None


def load_checkpoint(ckpt_path: str | None, map_location: str = "cpu") -> tuple[Any, DictConfig, dict[str, Any]]:
    """``(module in eval mode, run config, raw checkpoint dict)``."""
    import gan_lab  # noqa: F401  (config resolvers)
    from gan_lab.builders import build_module

    ckpt = read_checkpoint(ckpt_path, map_location)
    path = Path(str(ckpt_path)).expanduser()
    cfg = OmegaConf.create(ckpt["gan_lab_config"])
    try:
        module = build_module(cfg)
    except GanLabError:
        raise
    except Exception as err:
        raise CheckpointError(
            f"cannot rebuild the model of {path} from its stored config: {type(err).__name__}: {err}"
        ) from None
    load_state_strictly(module, ckpt, path)
    module.eval()
    return module, cfg, ckpt

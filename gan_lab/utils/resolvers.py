"""OmegaConf resolvers used by the configs in ``conf/``.

Registered when ``gan_lab`` is imported, before Hydra composes anything.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf


def optimizer_steps(generator_steps: int, n_critic: int) -> int:
    """Lightning optimizer steps for ``generator_steps`` G updates: each G update
    comes with ``n_critic`` D updates, and Lightning's ``global_step`` counts both."""
    return int(generator_steps) * (int(n_critic) + 1)


def resume_dir(ckpt_path: str | None, default: str) -> str:
    """The run folder of ``<run>/checkpoints/<file>.ckpt`` (so a resumed run keeps
    writing where it started), else ``default``."""
    if ckpt_path:
        path = Path(str(ckpt_path)).expanduser().resolve()
        if path.parent.name == "checkpoints":
            return str(path.parent.parent)
    return default


def register_resolvers() -> None:
    for name, fn in (("optimizer_steps", optimizer_steps), ("resume_dir", resume_dir)):
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, fn)

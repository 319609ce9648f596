"""A resume from the command line reuses the overrides its run was started with.

``python -m gan_lab.train ckpt_path=<run>/checkpoints/last.ckpt`` composes the config anew; without
the run's own overrides (``experiment=hifigan_tiny_speech dataset.root=...``) that would be the
default DCGAN, which the checkpoint does not fit. So the overrides in ``<run>/.hydra/overrides.yaml``
are put before the command line's own, leaving out every key the command line sets itself (those
win: ``g_steps=20000`` to train longer, a new learning rate, another experiment altogether).
"""

from __future__ import annotations

from pathlib import Path


def override_key(override: str) -> str:
    """``"+a.b=1"`` -> ``"a.b"``; ``"~a"`` -> ``"a"``."""
    return override.split("=", 1)[0].lstrip("+~")


def saved_overrides_file(ckpt_path: str) -> Path:
    """``<run>/.hydra/overrides.yaml`` of a checkpoint in ``<run>/checkpoints/`` (or beside it)."""
    path = Path(ckpt_path).expanduser()
    run = path.parent.parent if path.parent.name == "checkpoints" else path.parent
    return run / ".hydra" / "overrides.yaml"


def with_run_overrides(argv: list[str]) -> tuple[list[str], list[str]]:
    """``(argv with the resumed run's other overrides first, the overrides added)``; ``argv``
    unchanged when it resumes nothing, is a multirun, or the run has no saved overrides."""
    from omegaconf import OmegaConf

    if "-m" in argv or "--multirun" in argv:
        return argv, []
    given = {override_key(a): a for a in argv if not a.startswith("-") and ("=" in a or a.startswith("~"))}
    ckpt_path = given.get("ckpt_path", "").split("=", 1)[-1]
    if not ckpt_path or ckpt_path == "null":
        return argv, []
    saved_file = saved_overrides_file(ckpt_path)
    if not saved_file.is_file():
        return argv, []
    saved = [str(o) for o in OmegaConf.to_container(OmegaConf.load(saved_file)) or []]
    added = [o for o in saved if override_key(o) not in given and override_key(o) != "ckpt_path"]
    return [*added, *argv], added

"""Where the ``conf/`` folder is: inside the package of a wheel install, or at the
top of a source checkout (editable install)."""

from __future__ import annotations

from pathlib import Path


def config_dir() -> str:
    packaged = Path(__file__).resolve().parent / "conf"
    if packaged.is_dir():
        return str(packaged)
    return str(Path(__file__).resolve().parent.parent / "conf")

"""What the commands (train, evaluate, sample) share around their Hydra main."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from gan_lab.errors import GanLabError


def report_user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`GanLabError` into one line on stderr (``gan_lab error: ...``) and exit
    status 2 (or the error's own ``exit_code``, e.g. 143 after SIGTERM), instead of a traceback:
    the error is in the user's config or data, not the code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GanLabError as error:
            print(f"gan_lab error: {error}", file=sys.stderr)
            sys.exit(getattr(error, "exit_code", 2))

    return wrapper

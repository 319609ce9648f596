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


def check_command_line(
    config_name: str, reuse_run_overrides: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Check the command line's ``key.sub=value`` overrides against the command's own
    config before Hydra composes it, so that an override *into* a list or a plain value
    (``metrics.inception_weights=x``: ``metrics`` is a list) gives one ``gan_lab error``
    line with the fix instead of a traceback from deep inside OmegaConf.
    ``reuse_run_overrides``: a ``ckpt_path=`` resume also gets the overrides its run was
    started with (:mod:`gan_lab.checkpointing.run_overrides`)."""

    def decorate(hydra_main: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(hydra_main)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not args and not kwargs:  # called as the command (not with a config, as tests may)
                try:
                    if reuse_run_overrides:
                        from gan_lab.checkpointing.run_overrides import with_run_overrides

                        argv, added = with_run_overrides(sys.argv[1:])
                        if added:
                            print(f"resuming with the run's own overrides too: {' '.join(added)}", file=sys.stderr)
                            sys.argv[1:] = argv
                    check_overrides(config_name, sys.argv[1:])
                except GanLabError as error:
                    print(f"gan_lab error: {error}", file=sys.stderr)
                    sys.exit(2)
            return hydra_main(*args, **kwargs)

        return wrapper

    return decorate


def check_overrides(config_name: str, argv: list[str]) -> None:
    """Raise :class:`GanLabError` for an override whose path runs through a list or a value
    of ``conf/<config_name>.yaml`` (settings that come from config groups are not checked)."""
    from omegaconf import DictConfig, ListConfig, OmegaConf

    from gan_lab.checkpointing.run_overrides import override_key
    from gan_lab.config_path import config_dir

    config = OmegaConf.load(f"{config_dir()}/{config_name}.yaml")
    for arg in argv:
        if arg.startswith("-") or "=" not in arg:
            continue  # Hydra's own flags (--help, -m, --cfg job, ...)
        key = override_key(arg)
        if "@" in key or "/" in key or key.startswith("hydra"):
            continue
        parts = key.split(".")
        node: Any = config
        for depth, part in enumerate(parts[:-1]):
            if not isinstance(node, DictConfig) or part not in node:
                break
            node = node[part]
            if isinstance(node, ListConfig) and not parts[depth + 1].isdigit():
                parent = ".".join(parts[: depth + 1])
                hint = _top_level_hint(config, parts[-1], arg.split("=", 1)[1])
                raise GanLabError(
                    f"{arg}: {parent} is a list ([{','.join(map(str, OmegaConf.to_container(node, resolve=False)))}]),"
                    f" so it has no setting {parts[depth + 1]!r}; a list is overridden whole, e.g. {parent}=[a,b]{hint}"
                )
            if not isinstance(node, (DictConfig, ListConfig)):
                parent = ".".join(parts[: depth + 1])
                hint = _top_level_hint(config, parts[-1], arg.split("=", 1)[1])
                raise GanLabError(f"{arg}: {parent} is a single value ({node!r}), not a group of settings{hint}")


def _top_level_hint(config: Any, name: str, value: str) -> str:
    return f". Did you mean {name}={value}? ({name} is a setting of its own)" if name in config else ""

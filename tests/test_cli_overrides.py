"""gan_lab/cli.py: overrides into a list or a value are one `gan_lab error` line; the
non-training commands' --help lists their own settings, not the training groups."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gan_lab.cli import check_overrides
from gan_lab.errors import GanLabError
from helpers import REPO_ROOT


def test_override_into_a_list_names_the_fix():
    with pytest.raises(GanLabError, match=r"metrics is a list \(\[auto\]\).*Did you mean inception_weights=x"):
        check_overrides("evaluate", ["metrics.inception_weights=x"])


def test_override_into_a_value_is_refused():
    with pytest.raises(GanLabError, match="seed is a single value"):
        check_overrides("evaluate", ["seed.x=1"])


@pytest.mark.parametrize(
    "argv",
    [
        ["metrics=[fid,kid]", "num_samples=10", "inception_weights=/w.pth"],
        ["metrics.0=fid"],  # an index into a list is fine
        ["--help"],
        ["-m", "+new.key=1", "hydra.run.dir=x"],
        ["dataset.root=/data", "loss.n_critic=5"],  # group settings are Hydra's to check
    ],
)
def test_valid_command_lines_pass(argv):
    check_overrides("evaluate", argv)
    check_overrides("train", argv)


def run(module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", module, *args], env=env, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
    )


def test_evaluate_command_gives_one_error_line():
    result = run("gan_lab.evaluate", "metrics.inception_weights=x")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("gan_lab error: metrics.inception_weights=x")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["evaluate", "inpaint", "sample", "translate", "vocode"])
def test_help_lists_the_commands_settings_not_the_training_groups(command):
    result = run(f"gan_lab.{command}", "--help")
    assert result.returncode == 0, result.stderr
    assert f"conf/{command}.yaml" in result.stdout
    assert "ckpt_path" in result.stdout
    for training_group in ("loss: hinge", "trainer: cpu", "== Configuration groups =="):
        assert training_group not in result.stdout

"""Killing a process while it writes a checkpoint never leaves an unloadable last.ckpt."""

import os
import signal
import subprocess
import sys
import time

import torch

from gan_lab.checkpointing.atomic_io import atomic_torch_save
from helpers import REPO_ROOT

WRITER = """
import sys, torch
from gan_lab.checkpointing.atomic_io import atomic_torch_save
path = sys.argv[1]
i = 0
while True:
    i += 1
    # ~40 MB per write, so a kill lands inside a write most of the time
    atomic_torch_save({"i": i, "weights": torch.full((10_000_000,), float(i))}, path)
    print(i, flush=True)
"""


def test_atomic_save_replaces_whole_file(tmp_path):
    path = tmp_path / "last.ckpt"
    atomic_torch_save({"a": torch.ones(3)}, path)
    atomic_torch_save({"a": torch.zeros(3)}, path)
    assert torch.equal(torch.load(path, weights_only=True)["a"], torch.zeros(3))
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]  # no temporary files left


def test_kill_during_writes_keeps_a_loadable_checkpoint(tmp_path):
    path = tmp_path / "last.ckpt"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    for attempt in range(4):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], env=env, stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()  # at least one complete write
        assert first.strip()
        time.sleep(0.05 + 0.07 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        saved = torch.load(path, weights_only=True)
        assert torch.all(saved["weights"] == float(saved["i"]))  # complete and consistent

"""Interruption: SIGTERM/SIGINT save at a step boundary and exit non-zero; stale temporaries and
run-folder locks; unique default run-folder names."""

import os
import signal
import subprocess
import sys

import lightning as L
import pytest
import torch

import gan_lab.train as train_module
from gan_lab.checkpointing.atomic_io import remove_stale_temporaries
from gan_lab.cli import report_user_errors
from gan_lab.errors import RunFolderInUseError, TrainingInterrupted
from gan_lab.run_lock import LOCK_NAME, RunLock
from gan_lab.train import train
from gan_lab.utils.resolvers import run_name
from helpers import TINY, compose_config, tiny_model_overrides
from test_exact_resume import losses

GRID = [
    *TINY,
    "model=mlp",
    *tiny_model_overrides("mlp"),
    "dataset=grid",
    "dataset.source.num_samples=96",
    "dataset.preview_samples=16",
    "data.batch_size=16",
    "loss=wgan_gp",
    "loss.n_critic=2",
    "sample_every=0",
    "checkpoint_every=500",
    "trainer.deterministic=true",
]


class SignalAt(L.Callback):
    """Sends ``signum`` to this process during G step ``step`` (as a scheduler or Ctrl-C would)."""

    def __init__(self, step: int, signum: int) -> None:
        self.step, self.signum = step, signum

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if pl_module.g_step == self.step - 1:
            os.kill(os.getpid(), self.signum)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_saves_the_step_and_the_resume_is_exact(tmp_path, monkeypatch, signum, code):
    train(compose_config([*GRID, "g_steps=7"], tmp_path / "straight"))
    build = train_module.build_callbacks
    monkeypatch.setattr(train_module, "build_callbacks", lambda cfg: [*build(cfg), SignalAt(4, signum)])
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(TrainingInterrupted, match="stopped after generator step 4") as stopped:
        train(compose_config([*GRID, "g_steps=7"], tmp_path / "split"))
    assert stopped.value.exit_code == code
    ckpt = tmp_path / "split" / "checkpoints" / "last.ckpt"
    saved = torch.load(ckpt, map_location="cpu", weights_only=True)
    assert int(saved["state_dict"]["generator_steps"]) == 4
    assert not (tmp_path / "split" / "final_metrics.json").exists()  # not reported as finished
    assert signal.getsignal(signal.SIGINT) == handler  # given back
    monkeypatch.setattr(train_module, "build_callbacks", build)
    train(compose_config([*GRID, "g_steps=7", f"ckpt_path={ckpt}"], tmp_path / "split"))
    assert losses(tmp_path / "split") == losses(tmp_path / "straight")


def test_interruption_exit_status():
    @report_user_errors
    def stopped():
        raise TrainingInterrupted("SIGTERM: stopped", signal.SIGTERM)

    with pytest.raises(SystemExit) as exit_info:
        stopped()
    assert exit_info.value.code == 143


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    stale = folder / f".last.ckpt.tmp-{dead_pid()}"
    live = folder / f".last.ckpt.tmp-{os.getppid()}"  # a process that runs: still writing
    for path in (stale, live):
        path.write_bytes(b"x" * 100)
    assert remove_stale_temporaries(folder) == [stale]
    assert not stale.exists() and live.exists()


def test_run_cleans_stale_temporaries_at_start(tmp_path):
    stale = tmp_path / "checkpoints" / f".last.ckpt.tmp-{dead_pid()}"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    train(compose_config([*GRID, "g_steps=1"], tmp_path))
    assert sorted(p.name for p in stale.parent.iterdir()) == ["last.ckpt"]


def test_folder_of_a_live_run_is_refused(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / LOCK_NAME).write_text(f'{{"host": "{os.uname().nodename}", "pid": {os.getppid()}}}')
    with pytest.raises(RunFolderInUseError, match=f"in use by another run \\(pid {os.getppid()}"):
        train(compose_config([*GRID, "g_steps=1"], tmp_path))
    assert not (tmp_path / "config.yaml").exists()


def test_lock_of_a_dead_run_is_taken_over_and_released(tmp_path):
    (tmp_path / LOCK_NAME).write_text(f'{{"host": "{os.uname().nodename}", "pid": {dead_pid()}}}')
    train(compose_config([*GRID, "g_steps=1"], tmp_path))
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file() and not (tmp_path / LOCK_NAME).exists()


def test_lock_is_exclusive(tmp_path):
    with RunLock(tmp_path):
        assert (tmp_path / LOCK_NAME).is_file()
    assert not (tmp_path / LOCK_NAME).exists()


def test_new_run_into_a_used_folder_is_refused(tmp_path):
    train(compose_config([*GRID, "g_steps=1"], tmp_path))
    before = (tmp_path / "checkpoints" / "last.ckpt").read_bytes()
    with pytest.raises(RunFolderInUseError, match="already holds a run.*ckpt_path="):
        train(compose_config([*GRID, "g_steps=2"], tmp_path))
    assert (tmp_path / "checkpoints" / "last.ckpt").read_bytes() == before


def test_default_run_names_are_unique(monkeypatch):
    for name in ("SLURM_JOB_ID", "TORCHELASTIC_RUN_ID", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    names = {run_name() for _ in range(20)}
    assert len(names) == 20
    monkeypatch.setenv("SLURM_JOB_ID", "4242")
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "3")
    assert run_name() == "slurm-4242_3"  # the same again after a requeue


@pytest.mark.slow  # a real process and a real SIGTERM, ~40 s
def test_sigterm_from_outside(tmp_path):
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gan_lab.train",
            *GRID,
            "g_steps=100000",
            f"hydra.run.dir={run_dir}",
            "callbacks.progress_bar.refresh_rate=0",
            "trainer.log_every_n_steps=1",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(train_module.Path(__file__).parents[1])},
        stderr=subprocess.PIPE,
        text=True,
    )
    csv = run_dir / "csv" / "version_0" / "metrics.csv"
    for _ in range(600):
        if csv.is_file() and len(csv.read_text().splitlines()) > 5:
            break
        proc.poll()
        assert proc.returncode is None
        import time

        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr[-2000:]
    assert "gan_lab error: SIGTERM: stopped after generator step" in stderr
    saved = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert int(saved["state_dict"]["generator_steps"]) > 0

"""gan_lab.checkpointing.run_overrides: `python -m gan_lab.train ckpt_path=...` resumes with the
overrides its run was started with, and the command line's own win."""

import torch

from gan_lab.checkpointing.run_overrides import override_key, saved_overrides_file, with_run_overrides
from helpers import TINY, run_module, tiny_model_overrides


def saved_run(tmp_path, overrides):
    (tmp_path / "run" / ".hydra").mkdir(parents=True)
    (tmp_path / "run" / "checkpoints").mkdir()
    (tmp_path / "run" / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    return tmp_path / "run" / "checkpoints" / "last.ckpt"


def test_keys_and_the_run_folder_of_a_checkpoint(tmp_path):
    assert [override_key(o) for o in ("+a.b=1", "~c", "model=mlp", "x=y=z")] == ["a.b", "c", "model", "x"]
    assert (
        saved_overrides_file(str(tmp_path / "r" / "checkpoints" / "best.ckpt")) == tmp_path / "r/.hydra/overrides.yaml"
    )
    assert saved_overrides_file(str(tmp_path / "elsewhere.ckpt")) == tmp_path / ".hydra/overrides.yaml"


def test_the_runs_overrides_go_first_and_the_command_lines_win(tmp_path):
    ckpt = saved_run(tmp_path, ["experiment=x", "dataset.root=/data", "seed=3", "g_steps=10", "ckpt_path=/old.ckpt"])
    argv, added = with_run_overrides([f"ckpt_path={ckpt}", "g_steps=50", "+dataset.root=/moved"])
    assert added == ["experiment=x", "seed=3"]  # not g_steps, dataset.root (given) nor the old ckpt_path
    assert argv == ["experiment=x", "seed=3", f"ckpt_path={ckpt}", "g_steps=50", "+dataset.root=/moved"]


def test_nothing_is_added_without_a_resume_a_saved_file_or_in_a_multirun(tmp_path):
    ckpt = saved_run(tmp_path, ["experiment=x"])
    for argv in (["model=mlp"], ["ckpt_path=null"], ["-m", f"ckpt_path={ckpt}"], [f"ckpt_path={tmp_path / 'a.ckpt'}"]):
        assert with_run_overrides(argv) == (argv, [])


def test_a_run_resumes_from_the_command_line_with_only_its_checkpoint(tmp_path):
    run = tmp_path / "run"
    first = [*TINY, "model=mlp", *tiny_model_overrides("mlp"), "dataset=grid", "seed=7", "sample_every=0"]
    started = run_module("gan_lab.train", *first, f"hydra.run.dir={run}", cwd=tmp_path)
    assert started.returncode == 0, started.stderr[-2000:]
    resumed = run_module(
        "gan_lab.train",
        f"ckpt_path={run / 'checkpoints' / 'last.ckpt'}",
        "g_steps=4",
        "trainer.accelerator=cpu",
        cwd=tmp_path,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming with the run's own overrides too: " in resumed.stderr and "model=mlp" in resumed.stderr
    state = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    assert int(state["state_dict"]["generator_steps"]) == 4

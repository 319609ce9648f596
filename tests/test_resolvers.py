from pathlib import Path

from gan_lab.utils.resolvers import optimizer_steps, resume_dir


def test_optimizer_steps_counts_d_and_g_updates():
    assert optimizer_steps(100, 1) == 200
    assert optimizer_steps(100, 5) == 600


def test_resume_dir_is_the_checkpoints_run_folder(tmp_path):
    ckpt = tmp_path / "run_a" / "checkpoints" / "last.ckpt"
    assert resume_dir(str(ckpt), "outputs/new") == str((tmp_path / "run_a").resolve())
    assert resume_dir(None, "outputs/new") == "outputs/new"
    # a checkpoint outside a run folder: start a new run folder
    assert resume_dir(str(tmp_path / "elsewhere.ckpt"), "outputs/new") == "outputs/new"
    assert Path(resume_dir(str(ckpt), "x")).name == "run_a"

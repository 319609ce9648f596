"""Multiruns: one folder per job and a summary table; DDP inside a sweep is spawned or refused."""

import csv

import pytest
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import open_dict, read_write

from gan_lab.builders import choose_strategy
from gan_lab.errors import IncompatibleConfigError
from helpers import compose_config, run_module, tiny_model_overrides

SMALL = [
    "dataset=grid",
    "model=mlp",
    *tiny_model_overrides("mlp"),
    "dataset.source.num_samples=400",
    "dataset.preview_samples=16",
    "data.batch_size=16",
    "g_steps=2",
    "trainer.accelerator=cpu",
]


def multirun(tmp_path, *overrides, timeout=600):
    return run_module("gan_lab.train", "-m", *SMALL, *overrides, cwd=tmp_path, timeout=timeout)


def read_summary(tmp_path):
    (sweep,) = (tmp_path / "outputs" / "train" / "multiruns").iterdir()
    rows = list(csv.DictReader((sweep / "summary.csv").open()))
    return sweep, rows


def test_multirun_writes_one_folder_per_job_and_a_summary(tmp_path):
    result = multirun(tmp_path, "loss=ns,hinge", "seed=0,1")
    assert result.returncode == 0, result.stderr[-3000:]
    sweep, rows = read_summary(tmp_path)
    assert sorted((r["loss"], r["seed"]) for r in rows) == [("hinge", "0"), ("hinge", "1"), ("ns", "0"), ("ns", "1")]
    assert all(r["status"] == "ok" and float(r["g_steps_done"]) == 2 for r in rows)
    assert all(r["train/d_loss"] for r in rows)
    assert (sweep / "summary.md").read_text().startswith("| job |")
    for job in "0123":
        assert (sweep / job / "checkpoints" / "last.ckpt").is_file()


def _as_multirun(cfg):
    with read_write(cfg.hydra), open_dict(cfg.hydra):
        cfg.hydra.mode = RunMode.MULTIRUN
    HydraConfig.instance().set_config(cfg)
    return cfg


def test_strategy_choice(tmp_path, monkeypatch):
    monkeypatch.delenv("SLURM_NTASKS", raising=False)
    single = compose_config(["trainer.devices=1"], tmp_path)
    assert choose_strategy(single) is None
    assert choose_strategy(compose_config(["trainer.devices=4"], tmp_path)) == "ddp_find_unused_parameters_true"
    sweep = _as_multirun(compose_config(["trainer.devices=2"], tmp_path))
    assert choose_strategy(sweep) == "ddp_spawn_find_unused_parameters_true"
    plain = _as_multirun(compose_config(["trainer=ddp", "trainer.devices=2"], tmp_path))
    with pytest.raises(IncompatibleConfigError, match="multirun"):
        choose_strategy(plain)


def test_sweep_preset_configs_compose(tmp_path):
    cfg = compose_config(["hparams_search=grid_optuna"], tmp_path)
    assert cfg.optimized_metric == "metrics/reverse_kl" and cfg.dataset.name == "grid"
    assert "OptunaSweeper" in cfg.hydra.sweeper._target_
    assert set(cfg.hydra.sweeper.params) == {"optimizer.generator.lr", "optimizer.discriminator.lr", "loss.n_critic"}
    cfg = compose_config(["launcher=slurm", "trainer=ddp", "trainer.devices=4", "trainer.num_nodes=2"], tmp_path)
    assert "SlurmLauncher" in cfg.hydra.launcher._target_
    assert cfg.hydra.launcher.tasks_per_node == 4 and cfg.hydra.launcher.nodes == 2


@pytest.mark.slow
def test_ddp_inside_a_multirun_spawns(tmp_path):
    result = multirun(tmp_path, "loss=ns,hinge", "trainer.devices=2", "callbacks.progress_bar.refresh_rate=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("MEMBER: 2/2") == 2  # two jobs, two processes each
    _, rows = read_summary(tmp_path)
    assert [r["status"] for r in rows] == ["ok", "ok"]


@pytest.mark.slow
def test_optuna_sweep_on_the_grid(tmp_path):
    result = multirun(
        tmp_path,
        "hparams_search=grid_optuna",
        "hydra.sweeper.n_trials=2",
        "g_steps=4",
        "callbacks.metrics.every_n_g_steps=2",
        "callbacks.progress_bar.refresh_rate=0",
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (sweep,) = (tmp_path / "outputs" / "grid_optuna" / "multiruns").iterdir()
    best = (sweep / "optimization_results.yaml").read_text()
    assert "best_params" in best and "best_value" in best
    rows = list(csv.DictReader((sweep / "summary.csv").open()))
    assert len(rows) == 2 and all(r["metrics/reverse_kl"] for r in rows)


def test_failed_job_does_not_stop_the_sweep_and_is_listed(tmp_path):
    # job 0: 10 points cannot fill one batch of 16 (a gan_lab error); job 1 trains
    result = multirun(tmp_path, "dataset.source.num_samples=10,400", "callbacks.progress_bar.refresh_rate=0")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "gan_lab error: 1 of 2 sweep jobs did not finish (jobs 0)" in result.stderr
    sweep, rows = read_summary(tmp_path)
    assert [(r["dataset.source.num_samples"], r["status"]) for r in rows] == [("10", "failed"), ("400", "ok")]
    assert rows[0]["error"].startswith("gan_lab error: the dataset holds 10 samples")
    assert float(rows[1]["g_steps_done"]) == 2
    assert "| failed |" in (sweep / "summary.md").read_text()


def test_crashed_job_is_recorded(tmp_path):
    from gan_lab.sweep_summary import collect_jobs, run_sweep_job

    def crash():
        raise RuntimeError("CUDA out of memory\nmore details")

    assert run_sweep_job(crash, tmp_path / "0") is None
    (row,) = collect_jobs(tmp_path)
    assert (row["status"], row["error"]) == ("crashed", "RuntimeError: CUDA out of memory")

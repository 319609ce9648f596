"""Two CPU processes (gloo) really run DDP and end with identical parameters."""

import os

from helpers import REPO_ROOT, TINY, run_module, tiny_model_overrides


def run_train(overrides: list[str], cwd, env: dict) -> None:
    """``python -m gan_lab.train`` in a subprocess (DDP re-launches the command for rank 1)."""
    result = run_module("gan_lab.train", *overrides, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr[-3000:]


def test_two_process_cpu_ddp_keeps_ranks_identical(tmp_path):
    digests = tmp_path / "digests"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "tests")])}
    overrides = [
        *TINY,
        "g_steps=3",
        "trainer.devices=2",
        "model=dcgan",
        *tiny_model_overrides("dcgan"),
        f"hydra.run.dir={tmp_path / 'run'}",
        "+callbacks.digest._target_=helpers.ParameterDigest",
        f"+callbacks.digest.output_dir={digests}",
    ]
    run_train(overrides, tmp_path, env)
    lines = {p.name: p.read_text().split() for p in sorted(digests.glob("params_rank*.txt"))}
    assert sorted(lines) == ["params_rank0.txt", "params_rank1.txt"]
    rank0, rank1 = lines["params_rank0.txt"], lines["params_rank1.txt"]
    assert rank0[2] == rank1[2] == "2"  # world size
    assert rank0[1] == rank1[1] == "3"  # G steps on each rank
    assert rank0[0] == rank1[0]  # identical parameters
    assert rank0[3] != rank1[3]  # but each rank draws its own noise
    # one run folder, written once
    assert (tmp_path / "run" / "checkpoints" / "last.ckpt").is_file()
    assert len(list((tmp_path / "run" / "csv").glob("version_*"))) == 1


def test_ddp_metrics_are_gathered_over_ranks_and_match_one_process(tmp_path):
    """Each rank generates half of the 2,500 evaluation samples; the gathered metric equals a
    single-process evaluation of the final checkpoint (same weights, same noise)."""
    import json

    import torch
    from omegaconf import OmegaConf

    from gan_lab.builders import build_module
    from gan_lab.metrics.evaluator import EvalSettings, Evaluator

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    run_dir = tmp_path / "run"
    overrides = [
        *TINY,
        "g_steps=3",
        "trainer.devices=2",
        "dataset=grid",
        "model=mlp",
        *tiny_model_overrides("mlp"),
        "model.generator.batch_norm=false",  # BatchNorm running stats would differ per rank
        "dataset.source.num_samples=800",
        "dataset.preview_samples=16",
        "callbacks=metrics",
        "callbacks.metrics.every_n_g_steps=0",
        f"callbacks.metrics.cache_dir={tmp_path / 'cache'}",
        f"hydra.run.dir={run_dir}",
    ]
    run_train(overrides, tmp_path, env)
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    gathered = {r["name"]: r["value"] for r in records}  # full precision (callback_metrics are float32)
    assert {r["protocol"]["n_fake"] for r in records} == {2500}  # exact, not padded to a multiple of 2

    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", map_location="cpu", weights_only=True)
    cfg = OmegaConf.create(ckpt["gan_lab_config"])
    module = build_module(cfg)
    module.load_state_dict(ckpt["state_dict"])
    single = {
        r["name"]: r["value"]
        for r in Evaluator(cfg, ["mixture"], EvalSettings(cache_dir=str(tmp_path / "c"))).evaluate(module)
    }
    for name in ("modes", "high_quality", "reverse_kl"):
        assert abs(gathered[name] - single[name]) < 1e-9, name

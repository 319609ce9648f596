"""`python -m gan_lab.evaluate` on checkpoints made by short training runs."""

import json
import logging

import pytest
import torch
from hydra import compose, initialize_config_dir

from gan_lab.checkpointing.loading import CheckpointError, load_checkpoint
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError
from gan_lab.evaluate import evaluate
from helpers import REPO_ROOT, run_module
from gan_lab.metrics import fidelity, real_inception
from gan_lab.metrics.mixture_2d import mixture_metrics
from gan_lab.metrics.sampling import generate_samples
from gan_lab.datasets.mixtures import ring_means


def _run(*args, env=None):
    return run_module("gan_lab.evaluate", *args, cwd=REPO_ROOT, env=env)


def _cfg(*overrides):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("evaluate", overrides=list(overrides))


def test_ring_checkpoint_writes_metrics_json_in_its_run_folder(ring_ckpt):
    proc = _run(f"ckpt_path={ring_ckpt}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = ring_ckpt.parent.parent / "metrics.json"  # <run>/metrics.json, beside config.yaml and samples/
    data = json.loads(out.read_text())
    assert set(data["metrics"]) == {"modes", "high_quality", "reverse_kl"}
    for name in ("modes", "high_quality", "reverse_kl"):
        assert name in proc.stdout  # the printed table
    proto = data["records"][0]["protocol"]
    assert proto["n_fake"] == 2500 and proto["generator"] == "raw" and proto["step"] == 5
    # the same numbers as the metric on the checkpoint's own samples (seed 0)
    module, _, _ = load_checkpoint(ring_ckpt)
    points, _ = generate_samples(module, 2500, seed=0)
    expected = mixture_metrics(points, ring_means(8), 0.01)
    assert data["metrics"] == pytest.approx(expected)


def test_mnist_checkpoint_classifier_and_inception_metrics(
    mnist_ckpt, eval_cache_dir, mnist_classifier, random_inception_weights, tmp_path
):
    cfg = _cfg(
        f"ckpt_path={mnist_ckpt}",
        "metrics=[classifier,fid,kid]",
        "num_samples=8",
        "num_real=6",
        f"inception_weights={random_inception_weights}",
        "kid_subset_size=4",
        "kid_subsets=10",
        f"cache_dir={eval_cache_dir}",
        "classifier_epochs=2",
        f"output={tmp_path / 'm.json'}",
    )
    records, out = evaluate(cfg)
    by_name = {r["name"]: r for r in records}
    assert {"class_coverage", "class_kl", "mnist_classifier_fid", "fid", "kid", "kid_std"} <= set(by_name)
    assert 0.1 <= by_name["class_coverage"]["value"] <= 1.0
    assert 0.0 <= by_name["class_kl"]["value"] <= torch.log(torch.tensor(10.0)).item() + 1e-9
    fid = by_name["fid"]["protocol"]
    assert (fid["n_fake"], fid["n_real"], fid["resolution"], fid["generator"], fid["step"]) == (8, 6, 28, "raw", 3)
    assert fid["reference"] == "bundled_mnist:test"
    assert by_name["kid"]["protocol"]["options"]["kid_subset_size"] == 4
    assert by_name["mnist_classifier_fid"]["protocol"]["feature_extractor"] == "mnist_classifier"
    assert by_name["fid"]["value"] > 0
    assert json.loads(out.read_text())["metrics"]["fid"] == by_name["fid"]["value"]


def test_without_weights_named_metrics_fail_and_auto_skips_them_with_one_warning(
    mnist_ckpt, tmp_path, monkeypatch, caplog, eval_cache_dir, mnist_classifier
):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))  # empty hub cache
    monkeypatch.setattr(fidelity, "_warned_no_weights", False)
    monkeypatch.setattr(real_inception, "torchscript_source_path", lambda: None)  # no fid-helper weights either
    common = [f"ckpt_path={mnist_ckpt}", "num_samples=4", "download_weights=false", f"output={tmp_path / 'm.json'}"]
    # named by the user: an error with the fix, not a run that exits 0 without them
    with pytest.raises(GanLabError, match=r"asked for by name.*pip install -e '\.\[fid\]'"):
        evaluate(_cfg(*common, "metrics=[fid,isc]", f"cache_dir={tmp_path / 'cache'}"))
    # auto: what can be computed is, the rest is skipped with one warning
    cfg = _cfg(*common, "metrics=[auto]", f"cache_dir={eval_cache_dir}")
    with caplog.at_level(logging.WARNING):
        records, out = evaluate(cfg)
    assert {r["name"] for r in records} == {"class_coverage", "class_kl", "mnist_classifier_fid"}
    warnings = [r for r in caplog.records if "Inception weights not found" in r.getMessage()]
    assert len(warnings) == 1 and "inception_weights=" in warnings[0].getMessage()


def test_too_few_samples_is_a_gan_lab_error(mnist_ckpt, tmp_path):
    with pytest.raises(GanLabError, match="num_samples=1: give a whole number >= 2"):
        evaluate(_cfg(f"ckpt_path={mnist_ckpt}", "num_samples=1", f"output={tmp_path / 'm.json'}"))


def test_missing_and_incompatible_checkpoints_are_refused(mnist_ckpt, tmp_path):
    proc = _run(f"ckpt_path={tmp_path / 'nope.ckpt'}")
    assert proc.returncode == 2 and "gan_lab error: checkpoint not found" in proc.stderr
    # weights that do not fit the stored config
    ckpt = torch.load(mnist_ckpt, map_location="cpu", weights_only=False)
    ckpt["gan_lab_config"]["model"]["generator"]["width"] = 16
    bad = tmp_path / "bad.ckpt"
    torch.save(ckpt, bad)
    with pytest.raises(CheckpointError, match="incompatible checkpoint"):
        load_checkpoint(bad)
    torch.save({"state_dict": {}}, tmp_path / "foreign.ckpt")
    with pytest.raises(CheckpointError, match="not a gan_lab checkpoint"):
        load_checkpoint(tmp_path / "foreign.ckpt")
    # metrics that do not fit the checkpoint's data are refused before sampling
    with pytest.raises(GanLabError, match="need a 2D mixture dataset"):
        evaluate(_cfg(f"ckpt_path={mnist_ckpt}", "metrics=[mixture]"))
    with pytest.raises(GanLabError, match="unknown metric"):
        evaluate(_cfg(f"ckpt_path={mnist_ckpt}", "metrics=[fdi]"))

"""Metrics during training: logged to the loggers, stored with protocol, best.ckpt kept."""

import csv
import json

import torch

from conftest import train_tiny


def test_ring_run_logs_mixture_metrics_and_keeps_best(tmp_path):
    last = train_tiny(
        tmp_path,
        [
            "dataset=ring",
            "model=mlp",
            "g_steps=4",
            "data.batch_size=32",
            "callbacks=metrics",
            "callbacks.metrics.every_n_g_steps=2",
            "checkpoint_every=2",
            "dataset.source.num_samples=1000",
            "model.generator.hidden_dims=[32,32]",
            "model.discriminator.hidden_dims=[32,32]",
            "~callbacks.sample_previews",
            "~callbacks.progress_bar",
        ],
    )
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    steps = sorted({r["protocol"]["step"] for r in lines})
    assert steps == [2, 4]
    assert {r["name"] for r in lines} == {"modes", "high_quality", "reverse_kl"}
    assert all(r["protocol"]["n_fake"] == 2500 and r["protocol"]["generator"] == "raw" for r in lines)
    # the CSV logger got the values
    with (tmp_path / "csv" / "version_0" / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    logged = [float(r["metrics/reverse_kl"]) for r in rows if r.get("metrics/reverse_kl")]
    stored = [r["value"] for r in lines if r["name"] == "reverse_kl"]
    assert logged == stored
    # best.ckpt: the lower reverse KL of the two evaluations, a loadable gan_lab checkpoint
    best = tmp_path / "checkpoints" / "best.ckpt"
    assert best.is_file() and last.is_file()
    ckpt = torch.load(best, map_location="cpu", weights_only=False)
    assert "gan_lab_config" in ckpt
    best_step = 4 if stored[1] < stored[0] else 2  # ties keep the first
    assert int(ckpt["state_dict"]["generator_steps"]) == best_step


def test_named_inception_metric_without_weights_is_an_error(tmp_path, monkeypatch):
    import pytest

    from gan_lab.errors import GanLabError
    from gan_lab.metrics import fidelity

    monkeypatch.setattr(fidelity, "resolve_inception_weights", lambda *args, **kwargs: None)  # none available
    overrides = [
        "model=dcgan",
        "model.generator.width=8",
        "model.discriminator.width=8",
        "model.latent_dim=16",
        "g_steps=1",
        "data.batch_size=8",
        "callbacks=metrics",
        "callbacks.metrics.metrics=[fid,isc]",
        "~callbacks.sample_previews",
        "~callbacks.progress_bar",
    ]
    with pytest.raises(GanLabError, match=r"metrics \['fid', 'isc'\] were asked for by name.*inception_weights="):
        train_tiny(tmp_path, overrides)

"""Real features are computed once per key and then reused without reading real data."""

import logging

import pytest
import torch

from gan_lab.metrics import evaluator as evaluator_mod
from gan_lab.metrics.evaluator import EvalSettings, Evaluator
from gan_lab.metrics.fidelity import RealFeatureCache


def test_key_fields_select_the_file(tmp_path):
    cache = RealFeatureCache(tmp_path)
    base = dict(
        dataset="mnist", split="train", resolution=28, extractor="inception-v3-compat", weights_sha256="ab" * 32, n=100
    )
    paths = {cache.path(**base)}
    for field, other in (
        ("dataset", "cifar10"),
        ("split", "test"),
        ("resolution", 32),
        ("weights_sha256", "cd" * 32),
        ("n", 200),
    ):
        paths.add(cache.path(**{**base, field: other}))
    assert len(paths) == 6  # every field of the key changes the file


def test_second_computation_does_not_touch_real_data(
    tmp_path, random_inception_weights, mnist_ckpt, monkeypatch, caplog
):
    from gan_lab.checkpointing.loading import load_checkpoint

    module, run_cfg, _ = load_checkpoint(mnist_ckpt)
    settings = EvalSettings(
        num_samples=4, num_real=5, inception_weights=str(random_inception_weights), cache_dir=str(tmp_path)
    )
    first = Evaluator(run_cfg, ["fid"], settings).evaluate(module)
    files = list((tmp_path / "real_features").glob("*.pt"))
    assert len(files) == 1 and "n5" in files[0].name and "bundled_mnist_test_28px" in files[0].name
    saved = torch.load(files[0], weights_only=True)["features"]
    assert saved["2048"].shape == (5, 2048)

    def no_real_data(*args, **kwargs):
        raise AssertionError("real data read despite the cache")

    monkeypatch.setattr(evaluator_mod, "instantiate", no_real_data)
    monkeypatch.setattr(evaluator_mod.fidelity, "dataset_uint8_batches", no_real_data)
    with caplog.at_level(logging.INFO, logger="gan_lab.metrics.fidelity"):
        second = Evaluator(run_cfg, ["fid"], settings).evaluate(module)
    assert any("reusing cache" in r.getMessage() for r in caplog.records)
    assert second[0]["value"] == pytest.approx(first[0]["value"], rel=1e-6)
    # another sample count is another key: computing it needs the real data
    other = EvalSettings(**{**settings.__dict__, "num_real": 6})
    with pytest.raises(AssertionError, match="real data read"):
        Evaluator(run_cfg, ["fid"], other).evaluate(module)

"""Scoring text -> image models: samples drawn for the dataset's captions with seeded noise and
conditioning eps (gan_lab.metrics.sampling), the same under DDP sharding, and the evaluate command
and metrics callback on a text2image_digits run (FID-type metrics and caption consistency)."""

import json
from functools import partial

import pytest
import torch

from gan_lab.errors import IncompatibleConfigError
from gan_lab.evaluate import evaluate
from gan_lab.losses import NonSaturatingLoss
from gan_lab.metrics.evaluator import EvalSettings, Evaluator
from gan_lab.metrics.sampling import condition_noise, draw_noise, evaluation_captions, generate_samples
from gan_lab.metrics.sharded_sampling import gather_shards, generate_shard
from gan_lab.models.text_to_image import MatchingAwareDiscriminator, TextConditionedGenerator, TextEncoder
from gan_lab.tasks import TextToImage
from gan_lab.train import train
from helpers import TINY, compose_config


class Captions:
    def __init__(self, texts):
        self.texts = texts

    def __len__(self):
        return len(self.texts)

    def caption_texts(self, index):
        return [self.texts[index], "another caption of the same item"]


def text_module():
    torch.manual_seed(0)
    return TextToImage(
        TextConditionedGenerator(8, (1, 28, 28), TextEncoder(50, 6, 5), condition_dim=4, width=4),
        MatchingAwareDiscriminator((1, 28, 28), TextEncoder(50, 6, 5), width=4, text_dim=3),
        loss=NonSaturatingLoss(),
        g_optimizer=partial(torch.optim.SGD, lr=0.05),
        d_optimizer=partial(torch.optim.SGD, lr=0.05),
        tokenizer={"buckets": 50, "max_words": 4},
        num_fixed_samples=4,
        preview_captions=["a one"],
    )


def test_captions_are_spread_over_the_dataset_and_cycle_past_its_size():
    data = Captions([f"c{i}" for i in range(10)])
    assert evaluation_captions(data, 4) == ["c0", "c2", "c5", "c7"]  # first caption of items 0, 2, 5, 7
    assert evaluation_captions(data, 12) == [f"c{i}" for i in range(10)] + ["c0", "c1"]


def test_text_samples_are_seeded_and_equal_generate_from_text():
    module = text_module()
    captions = ["a one", "a bold two", "a thin three"]
    torch.manual_seed(1)
    first, kind = generate_samples(module, 3, batch_size=2, seed=5, captions=captions)
    torch.manual_seed(2)  # the global RNG plays no part
    second, _ = generate_samples(module, 3, batch_size=2, seed=5, captions=captions)
    expected = module.generate_from_text(
        captions, draw_noise(module, 3, 5), condition_noise=condition_noise(module, 3, 5)
    ).float()
    assert kind == "raw" and torch.equal(first, second) and torch.allclose(first, expected, atol=1e-5)
    other_eps = module.generate_from_text(captions, draw_noise(module, 3, 5), condition_noise=torch.zeros(3, 4))
    assert not torch.allclose(first, other_eps, atol=1e-3)  # the conditioning eps really is drawn (seeded)


def test_ddp_shards_of_text_samples_equal_one_process():
    module = text_module()
    captions = [f"a {w}" for w in ("one", "two", "three", "four", "five")]
    single, _ = generate_samples(module, 5, seed=3, captions=captions)
    shards = [generate_shard(module, 5, rank, 2, seed=3, captions=captions)[0] for rank in range(2)]
    longest = max(len(s) for s in shards)
    padded = [torch.cat([s, torch.zeros(longest - len(s), *s.shape[1:])]) for s in shards]
    gathered = gather_shards(shards[0], 5, 2, lambda _: torch.stack(padded))
    assert torch.allclose(gathered, single, atol=1e-5)  # batches of other sizes: float rounding only


def test_text2image_run_is_scored_by_the_callback_and_the_evaluate_command(tmp_path, eval_cache_dir, mnist_classifier):
    run = tmp_path / "run"
    metrics = "[caption_consistency,mnist_classifier_fid]"
    train(
        compose_config(
            [
                "experiment=text2image_digits",
                *TINY,
                "g_steps=2",
                "checkpoint_every=2",
                "callbacks=metrics",
                f"callbacks.metrics.metrics={metrics}",
                "callbacks.metrics.num_samples=40",
                f"callbacks.metrics.cache_dir={eval_cache_dir}",
            ],
            run,
        )
    )
    logged = {r["name"]: r for r in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())}
    assert set(logged) == {"caption_consistency", "mnist_classifier_fid"}
    consistency = logged["caption_consistency"]
    assert 0.0 <= consistency["value"] <= 1.0 and consistency["protocol"]["n_fake"] == 600
    assert {"bold_over_thin", "consistency_thin", "per_caption"} <= set(consistency["protocol"]["options"])
    assert (run / "checkpoints" / "best.ckpt").is_file()  # kept by mnist_classifier_fid

    from hydra import compose, initialize_config_dir

    from gan_lab.config_path import config_dir

    overrides = [f"ckpt_path={run / 'checkpoints' / 'last.ckpt'}", f"metrics={metrics}", "num_samples=40"]
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose("evaluate", overrides=[*overrides, f"cache_dir={eval_cache_dir}"])
    records, _ = evaluate(cfg)
    by_name = {r["name"]: r["value"] for r in records}
    assert by_name == pytest.approx({k: v["value"] for k, v in logged.items()}, rel=1e-6)  # same samples


def test_caption_consistency_is_refused_for_a_model_without_captions(tmp_path, ring_ckpt):
    from gan_lab.checkpointing.loading import load_checkpoint

    module, _, _ = load_checkpoint(ring_ckpt)
    run_cfg = compose_config(["experiment=text2image_digits"], tmp_path)
    evaluator = Evaluator(run_cfg, ["caption_consistency"], EvalSettings(num_samples=8))
    with pytest.raises(IncompatibleConfigError, match="caption_consistency needs a text -> image checkpoint"):
        evaluator.evaluate(module)

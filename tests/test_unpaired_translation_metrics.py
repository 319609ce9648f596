"""FID/KID of unpaired models (gan_lab/metrics/unpaired_translation.py through the Evaluator):
translated held-out A against real held-out B and the reverse, named per direction."""

from __future__ import annotations

import pytest
import torch

from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.metrics.evaluator import EvalSettings, Evaluator, auto_metrics, task_family
from gan_lab.metrics.unpaired_translation import domain_batches
from helpers import TINY, compose_config

# 0.002 of the 10,000 bundled digits: 20 held-out digits per domain
DATA = ["dataset=digits2inverted", "dataset.holdout_fraction=0.002"]


class Inverter(torch.nn.Module):
    """A perfect digits -> inverted digits translator: G_AB(a) = -a, G_BA(b) = -b."""

    task_family = "unpaired"

    def __init__(self) -> None:
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(()))
        self.generator = torch.nn.Identity()  # what the protocol's "generator" field inspects

    @property
    def device(self) -> torch.device:
        return self.anchor.device

    def translate(self, source, direction="AtoB", use_ema=True):  # noqa: ANN001
        return -source


@pytest.fixture
def run_cfg(tmp_path):
    return compose_config([*TINY, "task=unpaired", "model=unpaired/cyclegan", "loss=lsgan", *DATA], tmp_path)


def settings(weights, n=20) -> EvalSettings:
    return EvalSettings(num_samples=n, batch_size=10, inception_weights=str(weights), kid_subset_size=10)


def test_unpaired_runs_are_their_own_family_with_fid_and_kid_by_default(run_cfg):
    assert task_family(run_cfg.dataset) == "unpaired"
    assert auto_metrics(run_cfg.dataset) == ["fid", "kid"]


def test_both_directions_are_scored_and_a_perfect_translator_scores_zero(run_cfg, random_inception_weights):
    records = Evaluator(run_cfg, ["fid", "kid"], settings(random_inception_weights)).evaluate(Inverter(), step=7)
    by_name = {r["name"]: r for r in records}
    assert set(by_name) == {f"{m}_{d}" for m in ("fid", "kid", "kid_std") for d in ("AtoB", "BtoA")}
    # the held-out B images are the inverted held-out A images (in another order): same set of images
    assert abs(by_name["fid_AtoB"]["value"]) < 1e-2 and abs(by_name["fid_BtoA"]["value"]) < 1e-2
    protocol = by_name["fid_AtoB"]["protocol"]
    assert protocol["metric"] == "fid_AtoB"
    assert protocol["options"]["direction"] == "AtoB"
    assert protocol["options"]["translated"] == "digits2inverted:testA"
    assert protocol["reference"] == "digits2inverted:testB"
    assert protocol["n_fake"] == protocol["n_real"] == 20 and protocol["step"] == 7
    assert by_name["fid_BtoA"]["protocol"]["reference"] == "digits2inverted:testA"


def test_an_identity_translator_is_far_from_the_other_domain(run_cfg, random_inception_weights):
    class Identity(Inverter):
        def translate(self, source, direction="AtoB", use_ema=True):  # noqa: ANN001
            return source

    records = Evaluator(run_cfg, ["fid"], settings(random_inception_weights)).evaluate(Identity())
    assert all(r["value"] > 1.0 for r in records)


def test_paired_metrics_are_refused_for_unpaired_runs(run_cfg, random_inception_weights):
    with pytest.raises(IncompatibleConfigError, match="psnr"):
        Evaluator(run_cfg, ["psnr"], settings(random_inception_weights))


def test_a_domain_with_one_image_cannot_be_scored():
    class One:
        len_a, len_b = 1, 5

        def image_a(self, i, generator):  # noqa: ANN001
            return torch.zeros(1, 4, 4)

    with pytest.raises(GanLabError, match="at least 2"):
        list(domain_batches(One(), "a", 10, 4))


def test_domain_batches_read_in_order_without_flips(run_cfg):
    from hydra.utils import instantiate

    dataset = instantiate(run_cfg.dataset.source, split="test")
    batches = list(domain_batches(dataset, "b", 15, 10))
    assert [len(b) for b in batches] == [10, 5]
    assert [len(b) for b in domain_batches(dataset, "b", 1000, 10)] == [10, 10]  # capped at the 20 held out
    assert torch.equal(batches[1][3], dataset.image_b(13, None))

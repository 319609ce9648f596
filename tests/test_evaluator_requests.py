"""The evaluator makes each tensor kind once per evaluation, whatever the metric families asked,
and scores paired modules (stand-ins here) from one pass of ``module.translate``."""

import math

import pytest
import torch
from omegaconf import OmegaConf
from torch import nn

from gan_lab.datasets.bundled_mnist import BundledMNIST
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.metrics import evaluator as ev
from gan_lab.metrics.evaluator import EvalSettings, Evaluator, auto_metrics


class DigitPairs(torch.utils.data.Dataset):
    """Bundled digits as (source, target) pairs: the source is the target with the centre 14 x 14 hole
    zeroed when ``inpaint``, else the target itself. ``split="test"``: the last ``n`` digits."""

    provides = ("source", "target", "mask", "label")

    def __init__(
        self, split: str = "train", n: int = 10, inpaint: bool = True, labelled: bool = True, **mask_settings
    ) -> None:
        digits = BundledMNIST()
        start = len(digits) - n if split == "test" else 0
        self.items = [digits[i] for i in range(start, start + n)]
        self.inpaint, self.labelled = inpaint, labelled

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict:
        image, label = self.items[i]
        item = {"target": image, "label": label if self.labelled else -1}
        if self.inpaint:
            mask = torch.zeros(1, 28, 28)
            mask[:, 7:21, 7:21] = 1
            item.update(mask=mask, source=image * (1 - mask))
        else:
            item["source"] = image
        return item


class StandInPaired(nn.Module):
    """The paired family's API: ``translate`` fills the hole with ``fill`` (or copies the source)."""

    task_family = "paired"

    def __init__(self, fill: float | None = None) -> None:
        super().__init__()
        self.fill = fill
        self.p = nn.Parameter(torch.zeros(()))
        self.generator = nn.Identity()
        self.calls = 0
        self.source_channels = self.target_channels = self.scale = 1
        self.needs_mask = fill is not None
        self.register_buffer("generator_steps", torch.tensor(7))

    def translate(self, source, mask=None, use_ema=True):
        self.calls += 1
        if mask is None or self.fill is None:
            return source.clone()
        return source * (1 - mask) + self.fill * mask


def paired_cfg(n: int = 10, masked: bool = True, labelled: bool = True, name: str = "toy_digits", **extra):
    provides = ["source", "target", "label"] + (["mask"] if masked else [])
    return OmegaConf.create(
        {
            "dataset": {
                "name": name,
                "kind": "paired",
                "provides": provides,
                "image_size": 28,
                "channels": 1,
                "source_channels": 1,
                "scale": 1,
                "eval_split": "test",
                "source": {
                    "_target_": f"{DigitPairs.__module__}.DigitPairs",
                    "split": "train",
                    "n": n,
                    "inpaint": masked,
                    "labelled": labelled,
                    **({"mask_seed": 3, "mask": {"shape": "center", "hole_fraction": 0.5}} if masked else {}),
                },
                **extra,
            }
        }
    )


def noise_cfg(name: str = "bundled_mnist"):
    return OmegaConf.create(
        {
            "dataset": {
                "name": name,
                "kind": "image",
                "image_size": 28,
                "channels": 1,
                "source": {"_target_": "gan_lab.datasets.BundledMNIST"},
            }
        }
    )


def test_metrics_that_read_the_same_sample_count_share_one_request():
    settings = EvalSettings(num_samples=26_000)
    one = Evaluator(noise_cfg("stacked_mnist"), ["stacked_mnist", "fid", "kid"], settings)
    assert [(r.kind, r.n) for r in one.requests()] == [("samples", 26_000)]
    assert one.sample_requests() == [(26_000, 1000)]
    two = Evaluator(noise_cfg("stacked_mnist"), ["stacked_mnist", "fid"], EvalSettings(num_samples=64))
    assert sorted(two.sample_requests()) == [(64, 256), (26_000, 1000)]
    classifier_and_fid = Evaluator(noise_cfg(), ["classifier", "fid", "isc"], EvalSettings(num_samples=50))
    assert classifier_and_fid.sample_requests() == [(50, 256)]


def test_each_sample_request_is_generated_once(monkeypatch, mnist_classifier, eval_cache_dir):
    calls = []

    def fake_generate(module, n, batch_size, seed, use_ema, captions=None):
        calls.append(n)
        return torch.rand(n, 1, 28, 28) * 2 - 1, "raw"

    monkeypatch.setattr(ev, "sample_locally", fake_generate)
    settings = EvalSettings(num_samples=40, cache_dir=str(eval_cache_dir), classifier_epochs=2)
    records = Evaluator(noise_cfg(), ["class_coverage", "class_kl"], settings).evaluate(object(), step=1)
    assert calls == [40]
    assert {r["name"] for r in records} == {"class_coverage", "class_kl"}
    # premade samples (DDP) are used as given, in request order, without generating
    calls.clear()
    premade = [(torch.zeros(40, 1, 28, 28), "ema")]
    records = Evaluator(noise_cfg(), ["class_coverage"], settings).evaluate(object(), step=1, samples=premade)
    assert calls == [] and records[0]["protocol"]["generator"] == "ema"


def test_paired_module_is_translated_once_for_all_metrics(mnist_classifier, eval_cache_dir):
    module = StandInPaired(fill=-1.0)  # fills the hole with background (black)
    settings = EvalSettings(num_samples=7, batch_size=3, cache_dir=str(eval_cache_dir), classifier_epochs=2)
    evaluator = Evaluator(paired_cfg(n=10), ["psnr", "ssim", "hole", "digit_accuracy", "class_coverage"], settings)
    assert [(r.kind, r.n, r.batch_size) for r in evaluator.requests()] == [("paired", 7, 3)]
    assert evaluator.sample_requests() == []  # nothing for DDP ranks to generate
    records = {r["name"]: r for r in evaluator.evaluate(module)}
    assert module.calls == math.ceil(7 / 3)  # one pass over 7 held-out pairs, batches of 3
    assert set(records) == {"psnr", "ssim", "hole_l1", "hole_psnr", "digit_accuracy", "class_coverage"}
    # by hand: the held-out split holds the last 10 digits; the first 7 are scored
    data = DigitPairs("test", 10)
    targets = torch.stack([data[i]["target"] for i in range(7)])
    t8 = ((targets + 1) * 127.5).round().clamp(0, 255).double()
    hole = t8[:, :, 7:21, 7:21]  # the output is 0 (black) there
    expected_l1 = (hole / 255).mean(dim=(1, 2, 3)).mean()
    assert records["hole_l1"]["value"] == pytest.approx(float(expected_l1), rel=1e-9)
    mse_full = (hole**2).sum(dim=(1, 2, 3)) / (28 * 28)
    assert records["psnr"]["value"] == pytest.approx(float((10 * torch.log10(255**2 / mse_full)).mean()), rel=1e-6)
    p = records["psnr"]["protocol"]
    assert p["n_fake"] == 7 and p["step"] == 7 and p["generator"] == "raw" and p["reference"] == "toy_digits:test"
    assert (
        p["options"]["data_range"] == 255.0 and p["options"]["crop_border"] == 0 and p["options"]["channel"] == "grey"
    )
    assert p["options"]["scale"] == 1 and p["options"]["mask_seed"] == 3
    assert p["options"]["mask_generator"] == {"mask": {"shape": "center", "hole_fraction": 0.5}}
    assert records["digit_accuracy"]["protocol"]["feature_extractor"] == "mnist_classifier"
    assert 0.0 <= records["digit_accuracy"]["value"] <= 1.0


def test_identity_translation_scores_perfectly_and_digits_are_recognised(mnist_classifier, eval_cache_dir):
    settings = EvalSettings(num_samples=60, batch_size=32, cache_dir=str(eval_cache_dir), classifier_epochs=2)
    cfg = paired_cfg(n=60, masked=False)
    records = {r["name"]: r["value"] for r in Evaluator(cfg, ["auto"], settings).evaluate(StandInPaired())}
    assert set(records) == {"psnr", "ssim", "digit_accuracy"}  # auto: digits, no masks
    assert records["psnr"] == float("inf") and records["ssim"] == pytest.approx(1.0)
    assert records["digit_accuracy"] >= 0.9  # the real digits, through the offline classifier


def test_auto_metrics_of_paired_datasets():
    assert auto_metrics(paired_cfg(masked=False).dataset) == ["psnr", "ssim", "digit_accuracy"]
    assert auto_metrics(paired_cfg().dataset) == ["psnr", "ssim", "hole_l1", "hole_psnr", "digit_accuracy"]
    cifar = paired_cfg(masked=False, name="sr_cifar")
    cifar.dataset.source = {"_target_": "gan_lab.datasets.paired.DerivedPairs", "base": {"_target_": "CIFAR10"}}
    assert auto_metrics(cifar.dataset) == ["psnr", "ssim"]


def test_metrics_that_do_not_fit_the_data_are_refused_before_any_work():
    with pytest.raises(IncompatibleConfigError, match="translation model's outputs"):
        Evaluator(noise_cfg(), ["psnr"], EvalSettings())
    with pytest.raises(IncompatibleConfigError, match="generated samples"):
        Evaluator(paired_cfg(), ["stacked_modes"], EvalSettings())
    with pytest.raises(IncompatibleConfigError, match=r"need masks .*provides \['source', 'target', 'label'\]"):
        Evaluator(paired_cfg(masked=False), ["hole_l1"], EvalSettings())
    with pytest.raises(IncompatibleConfigError, match="cannot be scored"):
        Evaluator(paired_cfg(), ["psnr"], EvalSettings()).evaluate(nn.Linear(1, 1), step=0)
    unlabelled = Evaluator(paired_cfg(n=4, labelled=False), ["digit_accuracy"], EvalSettings(num_samples=4))
    with pytest.raises(GanLabError, match="needs digit labels"):
        unlabelled.evaluate(StandInPaired(fill=0.0))

"""Computes the selected metrics for a module and its run config; shared by the
training callback (:mod:`gan_lab.callbacks.metrics_callback`) and the
``evaluate`` command. Every value comes back as a record with its protocol.

Metric names (groups expand to their members):

============================  ===================================================
``fid``, ``isc``, ``kid``,    torch-fidelity on Inception-v3 (need weights)
``prc``
``classifier``                ``class_coverage``, ``class_kl``, ``mnist_classifier_fid``
``mixture``                   ``modes``, ``high_quality``, ``reverse_kl`` (ring, grid)
``stacked_mnist``             ``stacked_modes``, ``stacked_kl``
``auto``                      what fits the run's dataset
============================  ===================================================
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from gan_lab.errors import GanLabError
from gan_lab.metrics import fidelity, mixture_2d, stacked_mnist
from gan_lab.metrics.mnist_classifier import default_cache_dir
from gan_lab.metrics.protocol import Protocol, record
from gan_lab.metrics.sampling import generate_samples as sample_locally
from gan_lab.metrics.sampling import to_rgb, to_uint8

log = logging.getLogger(__name__)

GROUPS = {
    "classifier": ("class_coverage", "class_kl", "mnist_classifier_fid"),
    "mixture": ("modes", "high_quality", "reverse_kl"),
    "stacked_mnist": ("stacked_modes", "stacked_kl"),
}
KNOWN = set(fidelity.FIDELITY_METRICS) | {m for g in GROUPS.values() for m in g}
MNIST_LIKE = ("bundled_mnist", "mnist")


@dataclass
class EvalSettings:
    num_samples: int = 10_000
    num_real: int | None = None  # default: num_samples
    batch_size: int = 64
    seed: int = 0
    use_ema: bool = True
    inception_weights: str | None = None
    weights_setting: str = fidelity.WEIGHTS_SETTING  # named in the "no weights" warning
    download_weights: bool = True
    cache_dir: str | None = None
    device: str = "cpu"
    channels_last: Any = "auto"
    isc_splits: int = 10
    kid_subsets: int = 100
    kid_subset_size: int = 1000
    prc_neighborhood: int = 3
    classifier_root: str | None = None
    classifier_epochs: int = 3
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg: Any) -> EvalSettings:
        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir).expanduser() if self.cache_dir else default_cache_dir()


def expand_metrics(names: Any, dataset_cfg: DictConfig | None = None) -> list[str]:
    """Group names and ``auto`` -> the list of individual metric names (order kept, no duplicates)."""
    if isinstance(names, str):
        names = [names]
    out: list[str] = []
    for name in list(names or []):
        if name == "auto":
            out += auto_metrics(dataset_cfg)
        elif name in GROUPS:
            out += GROUPS[name]
        elif name in KNOWN:
            out.append(name)
        else:
            raise GanLabError(f"unknown metric {name!r}; choose from {sorted(KNOWN | set(GROUPS) | {'auto'})}")
    return list(dict.fromkeys(out))


def auto_metrics(dataset_cfg: DictConfig | None) -> list[str]:
    if dataset_cfg is None:
        return ["fid", "isc", "kid"]
    name, kind = dataset_cfg.get("name"), dataset_cfg.get("kind")
    if kind == "points":
        return list(GROUPS["mixture"])
    if name == "stacked_mnist":
        return list(GROUPS["stacked_mnist"])
    if name in MNIST_LIKE:
        return [*GROUPS["classifier"], "fid", "isc", "kid"]
    return ["fid", "isc", "kid"]


def reference_name(dataset_cfg: DictConfig) -> tuple[str, str]:
    """(dataset id, split) of the real reference data of a run."""
    name = str(dataset_cfg.get("name"))
    if dataset_cfg.get("kind") == "points":
        return name, f"seed{dataset_cfg.source.get('seed')}"
    if name == "bundled_mnist":
        return name, "test"
    if name == "image_folder":
        return f"image_folder-{Path(str(dataset_cfg.get('root'))).name}", "all"
    split = "train" if dataset_cfg.get("train", True) else "test"
    if name == "stacked_mnist":
        split = f"{split}-n{dataset_cfg.get('num_samples')}-seed{dataset_cfg.source.get('seed')}"
    return name, split


class Evaluator:
    """Metrics for one run config; keeps the feature extractor, classifier and real
    data between calls (the training callback calls it many times)."""

    def __init__(self, run_cfg: DictConfig, metrics: Any, settings: EvalSettings) -> None:
        self.cfg = run_cfg
        self.settings = settings
        self.metrics = expand_metrics(metrics, run_cfg.dataset)
        self._dataset = None
        self._inception: fidelity.InceptionFeatures | None | bool = False  # False: not resolved yet
        self._classifier = None
        self._real_features = None
        kind = run_cfg.dataset.get("kind")
        image_metrics = set(self.metrics) - set(GROUPS["mixture"])
        if kind == "points" and image_metrics:
            raise GanLabError(
                f"metrics {sorted(image_metrics)} need image data; dataset={run_cfg.dataset.name} holds 2D points (use metrics=[mixture])"
            )
        if kind != "points" and set(self.metrics) & set(GROUPS["mixture"]):
            raise GanLabError(
                f"mixture metrics need a 2D mixture dataset (ring, grid), not dataset={run_cfg.dataset.name}"
            )
        if set(self.metrics) & set(GROUPS["stacked_mnist"]) and run_cfg.dataset.get("name") != "stacked_mnist":
            raise GanLabError(f"stacked_mnist metrics need dataset=stacked_mnist, not {run_cfg.dataset.name}")

    # ------------------------------------------------------------ resources
    @property
    def dataset(self):  # noqa: ANN201
        if self._dataset is None:
            self._dataset = instantiate(self.cfg.dataset.source)
        return self._dataset

    def inception(self) -> fidelity.InceptionFeatures | None:
        if self._inception is False:
            s = self.settings
            path = fidelity.resolve_inception_weights(
                s.inception_weights, s.download_weights, setting=s.weights_setting
            )
            self._inception = (
                None if path is None else fidelity.InceptionFeatures(path, s.device, s.batch_size, s.channels_last)
            )
        return self._inception  # type: ignore[return-value]

    def classifier(self):  # noqa: ANN201
        if self._classifier is None:
            from gan_lab.metrics.mnist_classifier import load_or_train, weights_digest

            model, info = load_or_train(
                self.settings.cache_path, self.settings.classifier_root, self.settings.classifier_epochs
            )
            self._classifier = (model, info, weights_digest(model))
        return self._classifier

    def classifier_protocol(
        self, name: str, n_fake: int, generator: str, common: dict[str, Any], n_real: int | None = None
    ) -> Protocol:
        """The protocol record of a metric computed with the MNIST classifier's features."""
        _, info, digest = self.classifier()
        return Protocol(
            name,
            "mnist_classifier",
            info.name,
            digest,
            n_fake=n_fake,
            generator=generator,
            n_real=n_real,
            **common,
            options={"classifier_accuracy": info.accuracy, "classifier_eval": info.eval_split},
        )

    def real_features(
        self, extractor: fidelity.InceptionFeatures, n_wanted: int
    ) -> tuple[dict[str, torch.Tensor], int]:
        """Features of ``n_wanted`` real images (fewer if the dataset is smaller) and their count.

        On a cache hit the dataset is not even opened.
        """
        name, split = reference_name(self.cfg.dataset)
        key = {
            "dataset": name,
            "split": split,
            "resolution": int(self.cfg.dataset.image_size),
            "extractor": extractor.name,
            "weights_sha256": extractor.weights_sha256,
            "n": n_wanted,
        }
        if self._real_features is None or self._real_features[0] != key:
            cache = fidelity.RealFeatureCache(self.settings.cache_path)

            def compute() -> dict[str, torch.Tensor]:
                idx = fidelity.reference_indices(len(self.dataset), n_wanted)
                return extractor.from_batches(fidelity.dataset_uint8_batches(self.dataset, idx, extractor.batch_size))

            feats, _, _ = cache.get_or_compute(key, compute)
            self._real_features = (key, feats)
        feats = self._real_features[1]
        return feats, len(feats[fidelity.FEATURE_LAYERS["fid"]])

    def real_images(self, n: int) -> torch.Tensor:
        idx = fidelity.reference_indices(len(self.dataset), n)
        return torch.stack([self.dataset[i][0] for i in idx])

    # ------------------------------------------------------------ evaluation
    def sample_requests(self) -> list[tuple[int, int]]:
        """The ``(n, batch_size)`` of every ``generate_samples`` call :meth:`evaluate` makes, in order."""
        s = self.settings
        requests = []
        if set(self.metrics) & set(GROUPS["mixture"]):
            requests.append((mixture_2d.NUM_SAMPLES, 1000))
        if set(self.metrics) & set(GROUPS["stacked_mnist"]):
            requests.append((stacked_mnist.NUM_SAMPLES, 1000))
        if any(m in self.metrics for m in GROUPS["classifier"]) or any(
            m in self.metrics for m in fidelity.FIDELITY_METRICS
        ):
            requests.append((s.num_samples, max(s.batch_size, 256)))
        return requests

    def evaluate(self, module, step: int | None = None, samples: list | None = None) -> list[dict[str, Any]]:  # noqa: ANN001
        """Scores ``module``. ``samples``: the outputs of :meth:`sample_requests`, made
        beforehand (e.g. gathered over DDP ranks); by default generated here."""
        s = self.settings
        premade = list(samples) if samples is not None else None

        def generate_samples(module, n, batch_size, seed, use_ema):  # noqa: ANN001, ANN202
            if premade is not None:
                fake, kind = premade.pop(0)
                assert len(fake) == n, (len(fake), n)
                return fake, kind
            return sample_locally(module, n, batch_size, seed, use_ema)

        step = int(module.generator_steps) if step is None else step
        records: list[dict[str, Any]] = []
        ref_name = ":".join(reference_name(self.cfg.dataset))
        resolution = self.cfg.dataset.get("image_size")
        common = {"reference": ref_name, "resolution": resolution, "step": step}

        if set(self.metrics) & set(GROUPS["mixture"]):
            means, std = self.dataset.means, self.dataset.std
            fake, kind = generate_samples(module, mixture_2d.NUM_SAMPLES, 1000, s.seed, s.use_ema)
            values = mixture_2d.mixture_metrics(fake, means, std)
            for name in GROUPS["mixture"]:
                if name in self.metrics:
                    p = Protocol(
                        name,
                        n_fake=len(fake),
                        generator=kind,
                        reference=ref_name,
                        step=step,
                        options={"hq_threshold_std": mixture_2d.HQ_THRESHOLD, "std": std, "num_modes": len(means)},
                    )
                    records.append(record(name, values[name], p))

        if set(self.metrics) & set(GROUPS["stacked_mnist"]):
            model, _, _ = self.classifier()
            fake, kind = generate_samples(module, stacked_mnist.NUM_SAMPLES, 1000, s.seed, s.use_ema)
            values = stacked_mnist.stacked_mnist_metrics(model, fake)
            for name in GROUPS["stacked_mnist"]:
                if name in self.metrics:
                    p = self.classifier_protocol(name, len(fake), kind, common)
                    records.append(record(name, values[name], p))

        fake = kind = None
        wanted_cls = [m for m in GROUPS["classifier"] if m in self.metrics]
        wanted_fid = [m for m in fidelity.FIDELITY_METRICS if m in self.metrics]
        if wanted_cls or wanted_fid:
            fake, kind = generate_samples(module, s.num_samples, max(s.batch_size, 256), s.seed, s.use_ema)
        n_real_wanted = s.num_real or s.num_samples
        if wanted_cls:
            from gan_lab.metrics.classifier_metrics import classifier_metrics

            model, _, _ = self.classifier()
            n_real = min(n_real_wanted, len(self.dataset))
            real = self.real_images(n_real) if "mnist_classifier_fid" in wanted_cls else None
            values = classifier_metrics(model, fake, real, tuple(wanted_cls))
            for name in wanted_cls:
                p = self.classifier_protocol(
                    name, len(fake), kind, common, n_real=n_real if name == "mnist_classifier_fid" else None
                )
                records.append(record(name, values[name], p))
        if wanted_fid:
            extractor = self.inception()
            if extractor is not None:
                real_feats, n_real = (
                    self.real_features(extractor, n_real_wanted) if wanted_fid != ["isc"] else (None, None)
                )
                fake_feats = extractor.from_tensor(to_rgb(to_uint8(fake)))
                values, options = fidelity.compute_metrics(
                    wanted_fid,
                    fake_feats,
                    real_feats,
                    s.isc_splits,
                    s.kid_subsets,
                    s.kid_subset_size,
                    s.prc_neighborhood,
                )
                for name, value in values.items():
                    p = inception_protocol(
                        name, extractor, n_real, len(fake), generator=kind, **common, options=options
                    )
                    records.append(record(name, value, p))
        return records


def inception_protocol(
    name: str, extractor: fidelity.InceptionFeatures, n_real: int | None, n_fake: int, **fields: Any
) -> Protocol:
    """The protocol record of a metric on Inception features (IS uses no real images)."""
    return Protocol(
        name,
        extractor.name,
        str(extractor.weights_path),
        extractor.weights_sha256,
        n_real=None if name.startswith("isc") else n_real,
        n_fake=n_fake,
        **fields,
    )


def evaluate_folders(
    input1: str, input2: str | None, metrics: Any, settings: EvalSettings, find_deep: bool = False
) -> list[dict[str, Any]]:
    """torch-fidelity metrics of the images in folder ``input1`` against folder ``input2``."""
    names = expand_metrics(metrics)
    bad = [m for m in names if m not in fidelity.FIDELITY_METRICS]
    if bad:
        raise GanLabError(f"folder comparison supports {list(fidelity.FIDELITY_METRICS)} only, not {bad}")
    if input2 is None and names != ["isc"]:
        raise GanLabError("fid, kid and prc compare two folders: set input2=DIR")
    path = fidelity.resolve_inception_weights(
        settings.inception_weights, settings.download_weights, setting=settings.weights_setting
    )
    if path is None:
        return []
    extractor = fidelity.InceptionFeatures(path, settings.device, settings.batch_size, settings.channels_last)
    data1 = fidelity.folder_dataset(input1, find_deep)
    feats1 = extractor.from_dataset(data1)
    feats2, n2 = None, None
    if input2 is not None:
        data2 = fidelity.folder_dataset(input2, find_deep)
        feats2, n2 = extractor.from_dataset(data2), len(data2)
    values, options = fidelity.compute_metrics(
        names,
        feats1,
        feats2,
        settings.isc_splits,
        settings.kid_subsets,
        settings.kid_subset_size,
        settings.prc_neighborhood,
    )
    return [
        record(
            name,
            value,
            inception_protocol(
                name,
                extractor,
                n2,
                len(data1),
                reference=str(Path(input2).resolve()) if input2 else None,
                options={**options, "input1": str(Path(input1).resolve())},
            ),
        )
        for name, value in values.items()
    ]

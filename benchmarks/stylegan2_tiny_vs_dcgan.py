"""StyleGAN2-tiny against DCGAN on the bundled MNIST digits at equal CPU time.

    PYTHONPATH=. python benchmarks/stylegan2_tiny_vs_dcgan.py [--cpu-minutes 10] [--marks 4] [--threads 1]

Each model trains in this process with one thread until its process CPU time reaches
``--cpu-minutes`` (a callback stops it: wall time means little on a shared machine). A copy of the
generator it samples with (the EMA copy when the preset keeps one) is taken at ``--marks`` equally
spaced CPU-time marks; after training, every copy is scored as ``python -m gan_lab.evaluate
metrics=[classifier]`` does (10,000 samples, noise seed 0, against the 10,000 bundled digits): the
MNIST-classifier FID, class coverage and the KL of the class histogram to uniform. Models:

* ``experiment=stylegan2_tiny`` (32 px);
* ``experiment=mnist_dcgan`` with ``dataset.image_size=32`` (same image size).

Writes docs/bench_data/stylegan2_tiny_vs_dcgan.json, sample grids, and the truncation and
style-mixing grids of the StyleGAN2 generator in docs/img/.
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
from common import DOCS, QUIET, compose_config, machine_line, quiet_logging

DATA = DOCS / "bench_data" / "stylegan2_tiny_vs_dcgan.json"
IMG = DOCS / "img"
MODELS = {
    "stylegan2_tiny": ["experiment=stylegan2_tiny"],
    "dcgan (mnist_dcgan, 32 px)": ["experiment=mnist_dcgan", "dataset.image_size=32"],
    # NVlabs' `auto` config ramps the EMA up (ema_rampup 0.05: half-life <= 5 % of the images shown);
    # gan_lab's EMA has no ramp-up, so for runs this short the half-life is shortened instead.
    "stylegan2_tiny, EMA half-life 1k images": ["experiment=stylegan2_tiny", "regularizers.ema.half_life_images=1000"],
    # NVlabs' own 32 px setting (the `cifar` config): no path-length regularization, no style mixing
    "stylegan2_tiny, cifar config (no path length, no style mixing)": [
        "experiment=stylegan2_tiny",
        "task.path_length.weight=0",
        "task.style_mixing_prob=0",
    ],
    # probes against the collapse (docs/stylegan2.md): a lower learning rate, a stronger R1
    "stylegan2_tiny, lr 0.001": [
        "experiment=stylegan2_tiny",
        "optimizer.generator.lr=0.001",
        "optimizer.discriminator.lr=0.001",
    ],
    "stylegan2_tiny, R1 gamma 1": ["experiment=stylegan2_tiny", "regularizers.r1.gamma=1.0"],
}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuBudget(L.Callback):
    """Stops training when this process has used ``budget_s`` CPU seconds since training started,
    keeping a copy of the sampling generator at each of ``marks`` equally spaced CPU-time marks."""

    def __init__(self, budget_s: float, marks: int) -> None:
        self.budget_s = float(budget_s)
        self.mark_times = [self.budget_s * (i + 1) / marks for i in range(marks)]
        self.snapshots: list[dict] = []
        self._start = 0.0

    def on_train_start(self, trainer, pl_module) -> None:
        self._start = cpu_seconds()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        from gan_lab.metrics.sampling import which_generator

        used = cpu_seconds() - self._start
        while self.mark_times and used >= self.mark_times[0]:
            net, kind = which_generator(pl_module, True)
            self.snapshots.append(
                {"cpu_s": round(used, 1), "g_step": pl_module.g_step, "kind": kind, "net": copy.deepcopy(net).cpu()}
            )
            self.mark_times.pop(0)
        if not self.mark_times:
            trainer.should_stop = True


@torch.no_grad()
def classifier_scores(net: torch.nn.Module, module, n: int = 10_000) -> dict[str, float]:
    from gan_lab.datasets.bundled_mnist import BundledMNIST
    from gan_lab.metrics.classifier_metrics import classifier_metrics
    from gan_lab.metrics.mnist_classifier import load_or_train
    from gan_lab.metrics.sampling import draw_noise

    model, _ = load_or_train(None, None, 3)
    net.eval()
    fake = torch.cat([net(chunk) for chunk in draw_noise(module, n, 0).split(250)]).clamp(-1, 1)
    real = BundledMNIST(image_size=fake.shape[-1]).images.float() / 127.5 - 1.0  # the training digits at G's size
    return classifier_metrics(model, fake, real)


def save_grid(images: torch.Tensor, nrow: int, path: Path) -> None:
    from gan_lab.metrics.sampling import to_uint8
    from gan_lab.sample import _grid, save_png

    save_png(_grid(to_uint8(images.clamp(-1, 1)), nrow), path)


def run_model(name: str, overrides: list[str], budget_s: float, marks: int) -> dict:
    from gan_lab.builders import build_datamodule, build_module, build_trainer

    cfg = compose_config([*overrides, *QUIET, "g_steps=1000000"], tempfile.mkdtemp(prefix="sg2_vs_dcgan_"))
    L.seed_everything(cfg.seed, workers=True)
    datamodule = build_datamodule(cfg)
    module = build_module(cfg)
    budget = CpuBudget(budget_s, marks)
    trainer = build_trainer(cfg, [budget], None)
    wall0 = time.perf_counter()
    trainer.fit(module, datamodule=datamodule)
    wall = time.perf_counter() - wall0
    rows = []
    for snap in budget.snapshots:
        rows.append({k: v for k, v in snap.items() if k != "net"} | classifier_scores(snap["net"], module))
        print(name, rows[-1], flush=True)
    slug = name.split(" ")[0].strip(",") + ("_ema1k" if "1k" in name else "") + ("_cifar" if "cifar" in name else "")
    slug += "_lr1e-3" if "lr 0.001" in name else ("_r1" if "R1 gamma" in name else "")
    final = budget.snapshots[-1]["net"]
    from gan_lab.metrics.sampling import draw_noise

    with torch.no_grad():
        save_grid(final(draw_noise(module, 64, 0)), 8, IMG / f"stylegan2_bench_{slug}_samples.png")
        if slug == "stylegan2_tiny":
            from gan_lab.sampling import style_mixing_grid, truncation_grid

            save_grid(*truncation_grid(final, num_rows=6, seed=0), IMG / "stylegan2_tiny_truncation.png")
            save_grid(*style_mixing_grid(final, seed=0), IMG / "stylegan2_tiny_style_mixing.png")
    return {
        "model": name,
        "overrides": overrides,
        "batch_size": int(cfg.data.batch_size),
        "g_steps_done": int(module.generator_steps),
        "train_wall_s": round(wall, 1),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cpu-minutes", type=float, default=10.0)
    parser.add_argument("--marks", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None, help="model names (keys of MODELS) to run")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    quiet_logging()
    IMG.mkdir(parents=True, exist_ok=True)
    DATA.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(DATA.read_text()) if DATA.is_file() else {"models": {}}
    for name, overrides in MODELS.items():
        if args.only and name not in args.only:
            continue
        results["models"][name] = run_model(name, overrides, args.cpu_minutes * 60, args.marks)
        results.update(
            machine=machine_line(), cpu_minutes=args.cpu_minutes, threads=args.threads, loadavg=os.getloadavg()[0]
        )
        DATA.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

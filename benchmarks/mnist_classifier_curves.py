"""Offline MNIST-classifier metrics against generator steps for DCGAN on the bundled digits,
for the ns, wgan_gp and hinge losses, with each run's final sample grid.

    PYTHONPATH=. python benchmarks/mnist_classifier_curves.py [--quick] [--g-steps 800] [--every 200]

Each loss is one ``experiment=mnist_dcgan`` run (DCGAN width 32, 28 px, batch 128, Adam 2e-4 /
β1 0.5; WGAN-GP with its 5 critic steps and no BatchNorm in the critic) with ``callbacks=metrics``
scoring class coverage, class KL and the classifier-feature FID (``mnist_classifier_fid``)
every ``--every`` G steps on 1,000 samples. The three runs share ``--workers`` single-threaded
worker processes. Writes docs/mnist_classifier_curves.md and
docs/img/mnist_curves.png, docs/img/mnist_samples_<loss>.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, compose_config, machine_line, quiet_logging, run_in_workers  # noqa: E402

LOSSES = {
    "ns": ["loss=ns"],
    "wgan_gp": ["loss=wgan_gp", "model.discriminator.norm=none"],
    "hinge": ["loss=hinge"],
}
METRICS = ("class_coverage", "class_kl", "mnist_classifier_fid")


def _step(record: dict) -> int:
    return int((record.get("protocol") or {}).get("step") or 0)


def run_loss(task: tuple[str, int, int, str]) -> dict:
    """One training run with the metrics callback, in this (worker) process."""
    loss, g_steps, every, img = task
    import torch

    torch.set_num_threads(1)
    quiet_logging()
    from gan_lab.train import train

    run_dir = Path(tempfile.mkdtemp(prefix=f"mnist_{loss}_"))
    cfg = compose_config(
        [
            "experiment=mnist_dcgan",
            *LOSSES[loss],
            "trainer.accelerator=cpu",
            "trainer.enable_model_summary=false",
            "logger=[]",
            "callbacks=metrics",
            f"callbacks.metrics.metrics=[{','.join(METRICS)}]",
            f"callbacks.metrics.every_n_g_steps={every}",
            f"checkpoint_every={every}",
            f"sample_every={g_steps}",
            f"g_steps={g_steps}",
        ],
        run_dir,
    )
    start = time.perf_counter()
    train(cfg)
    seconds = time.perf_counter() - start
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    final = run_dir / "samples" / "final.png"
    if final.is_file():
        shutil.copy(final, Path(img) / f"mnist_samples_{loss}.png")
    return {"loss": loss, "seconds": seconds, "records": records}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--g-steps", type=int, default=800)
    parser.add_argument("--every", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(DOCS / "mnist_classifier_curves.md"))
    args = parser.parse_args()
    if args.quick:
        args.g_steps, args.every = 10, 5
    quiet_logging()
    img = Path(args.out).parent / "img"
    img.mkdir(parents=True, exist_ok=True)
    curves: dict[str, list[dict]] = {}
    seconds: dict[str, float] = {}
    # WGAN-GP (5 critic steps) first: it is the longest, and the other two share the second worker.
    tasks = [(loss, args.g_steps, args.every, str(img)) for loss in ("wgan_gp", "ns", "hinge")]
    wall_start = time.perf_counter()
    for res in run_in_workers(run_loss, tasks, args.workers, maxtasksperchild=1):
        loss, records = res["loss"], res["records"]
        curves[loss], seconds[loss] = records, res["seconds"]
        print(loss, f"{seconds[loss]:.0f}s", [(_step(r), r["name"], round(r["value"], 4)) for r in records], flush=True)
    wall = time.perf_counter() - wall_start
    curves = {loss: curves[loss] for loss in LOSSES}  # table order

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, metric in zip(axes, METRICS):
        for loss, records in curves.items():
            pts = sorted((_step(r), r["value"]) for r in records if r["name"] == metric)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=loss)
        ax.set_xlabel("G steps")
        ax.set_title(metric)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(img / "mnist_curves.png", dpi=100)
    plt.close(fig)

    lines = [
        "# Bundled-MNIST DCGAN: classifier metrics against G steps",
        "",
        f"`benchmarks/mnist_classifier_curves.py{' --quick' if args.quick else ''}` — {machine_line()}. "
        f"{args.workers} worker processes of 1 thread each; {wall / 60:.1f} min wall-clock.",
        "",
        f"`experiment=mnist_dcgan` (DCGAN width 32, 28×28, batch 128, Adam 2e-4/β1 0.5), {args.g_steps} G steps per loss, "
        f"metrics every {args.every} G steps on 1,000 samples (see docs/evaluation.md for their definitions): "
        "class coverage (fraction of the 10 digits predicted at least once), class KL (predicted-digit histogram "
        "against uniform, nats), classifier-feature FID against the bundled digits.",
        "",
        "| loss | G steps | " + " | ".join(METRICS) + " | s / run |",
        "|---|---|" + "---|" * len(METRICS) + "---|",
    ]
    for loss, records in curves.items():
        last = max(_step(r) for r in records)
        vals = {r["name"]: r["value"] for r in records if _step(r) == last}
        lines.append(
            f"| {loss} | {last} | "
            + " | ".join(f"{vals.get(m, float('nan')):.4g}" for m in METRICS)
            + f" | {seconds[loss]:.0f} |"
        )
    lines += ["", "![curves](img/mnist_curves.png)", ""]
    lines += [f"{loss}: ![{loss} samples](img/mnist_samples_{loss}.png)" for loss in curves]
    lines.append("")
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

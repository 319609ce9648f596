"""Progressive growing (PGGAN) on the bundled MNIST digits, 4 -> 32 px, through every phase, on the CPU.

Trains ``experiment=pggan_mnist`` with narrower networks and shorter phases (the CPU budget),
saves the sample grid at the end of every phase, times each phase, and scores the final EMA
generator with gan_lab's MNIST classifier (10,000 samples, noise seed 0, against the 10,000
bundled digits): class KL and coverage, the classifier-feature FID and KID (torch-fidelity's
KID on the classifier's 128-d features). Writes the results section of docs/progressive_growing.md,
the grids to docs/img/pggan_mnist_*.png and the raw numbers to docs/bench_data/pggan_mnist.json.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/pggan_mnist.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, compose_config, machine_line, quiet_logging

DATA = DOCS / "bench_data" / "pggan_mnist.json"
RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"


class PhaseLog(L.Callback):
    """Wall time, G steps and the last losses of every growth phase."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._start = 0.0
        self._phase = None

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        phase = pl_module.current_phase()
        if self._phase is None or phase.index != self._phase.index:
            self._close(pl_module)
            self._phase, self._start, self._first_step = phase, time.perf_counter(), pl_module.g_step

    def on_train_end(self, trainer, pl_module) -> None:
        self._close(pl_module)

    def _close(self, pl_module) -> None:
        if self._phase is None:
            return
        losses = {k.split("/")[-1]: float(v) for k, v in getattr(pl_module, "latest_losses", {}).items()}
        self.rows.append(
            {
                "phase": self._phase.index,
                "name": self._phase.name,
                "g_steps": pl_module.g_step - self._first_step,
                "seconds": time.perf_counter() - self._start,
                "d_loss": losses.get("d_loss"),
                "g_loss": losses.get("g_loss"),
                "d_real": losses.get("d_real"),
                "d_fake": losses.get("d_fake"),
            }
        )


@torch.no_grad()
def score(module, num_samples: int) -> dict[str, dict[str, float]]:
    from torch_fidelity.metric_kid import KEY_METRIC_KID_MEAN, KEY_METRIC_KID_STD, kid_features_to_metric

    from gan_lab.datasets.bundled_mnist import BundledMNIST
    from gan_lab.metrics.classifier_metrics import classify, frechet_distance
    from gan_lab.metrics.mixture_2d import kl_to_uniform
    from gan_lab.metrics.mnist_classifier import load_or_train
    from gan_lab.metrics.sampling import generate_samples

    classifier, _ = load_or_train(None, None, 3)
    real = BundledMNIST().images.float() / 127.5 - 1.0  # the 10,000 digits at 28 px, as evaluate uses them
    _, real_feats = classify(classifier, real)
    out = {}
    for use_ema in (True, False):
        fake, kind = generate_samples(module, num_samples, seed=0, use_ema=use_ema)
        preds, feats = classify(classifier, fake.clamp(-1, 1))  # the classifier resizes 32 -> 28 px
        counts = torch.bincount(preds, minlength=10)
        kid = kid_features_to_metric(
            feats, real_feats, kid_subsets=100, kid_subset_size=1000, rng_seed=0, verbose=False
        )
        out[kind] = {
            "class_kl": kl_to_uniform(counts),
            "class_coverage": float((counts > 0).sum()) / 10.0,
            "mnist_classifier_fid": frechet_distance(feats, real_feats),
            "mnist_classifier_kid": kid[KEY_METRIC_KID_MEAN],
            "mnist_classifier_kid_std": kid[KEY_METRIC_KID_STD],
        }
    return out


def results_markdown(data: dict) -> str:
    s = data["settings"]
    lines = [
        (
            f"Measured by `benchmarks/pggan_mnist.py` on {data['machine']}; one thread "
            f"(`OMP_NUM_THREADS=1`, `torch.set_num_threads(1)`), on a machine shared with other jobs "
            f"(load average {data['loadavg_start']:.1f} at the start, {data['loadavg_end']:.1f} at the end), "
            f"so the times are upper bounds. Total: {data['wall_seconds'] / 60:.1f} min wall, "
            f"{data['cpu_seconds'] / 60:.1f} min CPU (process time)."
        ),
        "",
        (
            f"Settings: `experiment=pggan_mnist` with `{' '.join(s['overrides'])}` "
            f"({s['g_steps']} G steps; {s['real_per_step']} real images per G step)."
        ),
        "",
        "| phase | G steps | seconds | s / G step | D loss | G loss | D(real) | D(fake) | grid at the end |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row, image in zip(data["phases"], data["grids"]):
        lines.append(
            f"| {row['phase']}: {row['name']} | {row['g_steps']} | {row['seconds']:.0f} | "
            f"{row['seconds'] / max(row['g_steps'], 1):.3f} | {row['d_loss']:.3f} | {row['g_loss']:.3f} | "
            f"{row['d_real']:.3f} | {row['d_fake']:.3f} | [{Path(image).name}](img/{Path(image).name}) |"
        )
    lines += [
        "",
        "Grids (64 samples of the fixed preview noise, EMA G as the sample grids show it; each grid ends its phase):",
        "",
    ]
    for row, image in zip(data["phases"], data["grids"]):
        lines.append(f"**{row['name']}** ![{row['name']}](img/{Path(image).name})")
        lines.append("")
    lines += [
        (
            f"Final scores ({data['num_samples']} samples, noise seed 0, against the 10,000 bundled digits; "
            "classifier features, **not** Inception: never compare with papers' FID):"
        ),
        "",
        "| generator | class KL | classes covered | classifier FID | classifier KID |",
        "|---|---|---|---|---|",
    ]
    for kind, m in data["scores"].items():
        lines.append(
            f"| {kind} | {m['class_kl']:.3f} | {m['class_coverage'] * 10:.0f} / 10 | {m['mnist_classifier_fid']:.1f} | "
            f"{m['mnist_classifier_kid']:.3g} ± {m['mnist_classifier_kid_std']:.2g} |"
        )
    return "\n".join(lines)


def write_docs(data: dict, page: Path) -> None:
    text = page.read_text() if page.exists() else f"# Progressive growing\n\n{RESULTS_START}\n{RESULTS_END}\n"
    head, rest = text.split(RESULTS_START, 1)
    _, tail = rest.split(RESULTS_END, 1)
    page.write_text(f"{head}{RESULTS_START}\n{results_markdown(data)}\n{RESULTS_END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fade-images", type=int, default=32000)
    parser.add_argument("--stabilise-images", type=int, default=32000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--channel-base", type=int, default=512)
    parser.add_argument("--channel-max", type=int, default=32)
    parser.add_argument("--ema-decay", type=float, default=0.99, help="0.999 in the paper, for ~10x longer phases")
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--out", default=str(DOCS / "progressive_growing.md"))
    parser.add_argument("--render-only", action="store_true", help="rewrite the page from the saved JSON")
    args = parser.parse_args()
    if args.render_only:
        write_docs(json.loads(DATA.read_text()), Path(args.out))
        return
    torch.set_num_threads(1)
    quiet_logging()
    from gan_lab.builders import build_datamodule, build_module, build_trainer
    from gan_lab.callbacks.sample_previews import SamplePreviews
    from gan_lab.tasks.growth_schedule import schedule_g_steps

    g_steps = schedule_g_steps(4, 32, args.fade_images, args.stabilise_images, args.batch_size)
    overrides = [
        f"data.batch_size={args.batch_size}",
        f"task.fade_images={args.fade_images}",
        f"task.stabilise_images={args.stabilise_images}",
        f"model.latent_dim={args.latent_dim}",
        f"model.channel_base={args.channel_base}",
        f"model.channel_max={args.channel_max}",
        f"regularizers.ema.decay={args.ema_decay}",
        f"g_steps={g_steps}",
    ]
    run_dir = Path(tempfile.mkdtemp(prefix="pggan_mnist_"))
    cfg = compose_config(
        [
            "experiment=pggan_mnist",
            *overrides,
            "callbacks=none",
            "logger=[]",
            "trainer.accelerator=cpu",
            "trainer.enable_model_summary=false",
            "+trainer.enable_progress_bar=false",
            "sample_every=0",
        ],
        run_dir,
    )
    L.seed_everything(cfg.seed, workers=True, verbose=False)
    phases = PhaseLog()
    previews = SamplePreviews(str(run_dir / "samples"), every_n_g_steps=0)
    trainer = build_trainer(cfg, [phases, previews], None)
    load_start, wall, cpu = os.getloadavg()[0], time.perf_counter(), time.process_time()
    module = build_module(cfg)
    trainer.fit(module, datamodule=build_datamodule(cfg))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    load_end = os.getloadavg()[0]
    print(f"trained {g_steps} G steps in {wall / 60:.1f} min wall, {cpu / 60:.1f} min CPU", flush=True)

    img_dir = DOCS / "img"
    img_dir.mkdir(parents=True, exist_ok=True)
    grids = []
    for path in sorted((run_dir / "samples").glob("phase_*.png")) + [run_dir / "samples" / "final.png"]:
        name = (
            "pggan_mnist_" + (path.name.split("_end_step")[0] if path.name.startswith("phase_") else "final") + ".png"
        )
        shutil.copyfile(path, img_dir / name)
        grids.append(str(img_dir / name))
    data = {
        "machine": machine_line(),
        "settings": {"overrides": overrides, "g_steps": g_steps, "real_per_step": args.batch_size},
        "phases": phases.rows,
        "grids": grids,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "loadavg_start": load_start,
        "loadavg_end": load_end,
        "num_samples": args.num_samples,
        "scores": score(module, args.num_samples),
    }
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(json.dumps(data, indent=2) + "\n")
    write_docs(data, Path(args.out))
    print(results_markdown(data))


if __name__ == "__main__":
    main()

"""Unrolled GAN on the 2D ring and grid: plain GAN vs unrolled first- and second-order.

    PYTHONPATH=. python benchmarks/unrolled_2d.py                              # the full setting: 25k steps, 5 seeds
    PYTHONPATH=. python benchmarks/unrolled_2d.py --datasets ring --seeds 0 1   # a share of it (one process per core)
    PYTHONPATH=. python benchmarks/unrolled_2d.py --page-only                   # the page from the runs stored so far

The full table is about 300 CPU-minutes, so it is resumable: every finished run is stored as its own
file under docs/bench_data/unrolled_2d/ and is not run again (``--rerun`` forces it). Several
processes may share the work (give each its own ``--datasets``/``--seeds``); each rewrites the
page from all stored runs after every run.

Every run is ``experiment=unrolled_ring`` (the unrolled demo's setting, see the preset's header)
with ``dataset=ring|grid`` and ``task.unroll_steps``/``task.unroll_order`` set per row, trained in
this process on one thread, then scored with ``gan_lab.metrics.mixture_2d`` exactly as
``benchmarks/mode_collapse_2d.py`` scores its rows (2,500 samples from fixed-seed noise, HQ = within
3 stds of the nearest mean, modes = components nearest to at least one HQ sample). Writes
docs/unrolled_gan.md, docs/bench_data/unrolled_2d/*.json and docs/img/unrolled_2d.png.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, compose_config, machine_line, mean_se, quiet_logging
from mode_collapse_2d import VEEGAN, score_run
from mode_collapse_2d import plot as plot_mixtures

FULL_STEPS, FULL_SEEDS = 25000, 5
ROWS = [
    ("GAN (unroll 0)", ["task.unroll_steps=0"]),
    ("unrolled 5, first order", ["task.unroll_steps=5", "task.unroll_order=first"]),
    ("unrolled 5, second order", ["task.unroll_steps=5", "task.unroll_order=second"]),
]
PLOT_POINTS = 1000
RUNS_DIR = DOCS / "bench_data" / "unrolled_2d"
SPEED_FILE = RUNS_DIR / "speed.json"


def run_file(label: str, dataset: str, seed: int, steps: int) -> Path:
    """Where one finished run is stored (its presence means "done")."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return RUNS_DIR / f"{dataset}_{slug}_seed{seed}_steps{steps}.json"


def stored_runs(steps: int) -> list[dict]:
    """Every stored run of ``steps`` G steps, in (dataset, row, seed) order."""
    order = {label: i for i, (label, _) in enumerate(ROWS)}
    runs = [json.loads(f.read_text()) for f in sorted(RUNS_DIR.glob(f"*_steps{steps}.json"))]
    return sorted(runs, key=lambda r: (r["dataset"] != "ring", order.get(r["label"], 99), r["seed"]))


def run_one(label: str, overrides: list[str], dataset: str, seed: int, steps: int) -> dict:
    from gan_lab.train import train

    cfg = compose_config(
        ["experiment=unrolled_ring", f"dataset={dataset}", *overrides, *QUIET, f"g_steps={steps}", f"seed={seed}"]
    )
    start, cpu = time.perf_counter(), time.process_time()
    module = train(cfg).lightning_module
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    metrics, samples, _ = score_run(module, dataset, float(cfg.dataset.source.std), seed)
    return {
        "label": label,
        "dataset": dataset,
        "seed": seed,
        "g_steps": steps,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        **metrics,
        "samples": [[round(x, 4), round(y, 4)] for x, y in samples[:PLOT_POINTS].tolist()] if seed == 0 else None,
    }


def plot(results: list[dict], path: Path) -> None:
    datasets = tuple(d for d in ("ring", "grid") if any(r["dataset"] == d for r in results))
    plot_mixtures(results, [label for label, _ in ROWS], path, datasets)


def table(results: list[dict]) -> list[str]:
    lines = [
        "| dataset | row | G steps | seeds | modes | HQ % | reverse KL | CPU s / run |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dataset, k in (("ring", 8), ("grid", 25)):
        for label, _ in ROWS:
            runs = [r for r in results if r["label"] == label and r["dataset"] == dataset]
            if not runs:
                continue
            lines.append(
                f"| {dataset} | {label} | {runs[0]['g_steps']} | {len(runs)} | "
                f"{mean_se([r['modes'] for r in runs], digits=1)} / {k} | "
                f"{mean_se([r['high_quality'] for r in runs], 100, 1)} | "
                f"{mean_se([r['reverse_kl'] for r in runs], digits=3)} | "
                f"{statistics.mean(r['cpu_seconds'] for r in runs):.0f} |"
            )
    return lines


def write_page(results: list[dict], steps: int, speed: dict[str, float], out: Path) -> None:
    expected = len(ROWS) * 2 * FULL_SEEDS
    reduced = steps < FULL_STEPS or len(results) < expected
    per_step = ", ".join(f"{label}: {ms:.1f} ms" for label, ms in speed.items())
    full_minutes = sum(speed.values()) / 1000 * FULL_STEPS * FULL_SEEDS * 2 / 60
    done_minutes = sum(r["cpu_seconds"] for r in results) / 60
    dates = sorted({r["date"] for r in results if r.get("date")})
    lines = [
        "# Unrolled GAN (Metz et al., 2017)",
        "",
        "G's loss is taken against D as it will be after k more D updates. `task.unroll_steps=k` (0 = off) and "
        "`task.unroll_order=second|first` on the noise -> image family; the mechanism is "
        "`gan_lab/tasks/unrolled_discriminator.py`, the differentiable Adam/SGD steps "
        "`gan_lab/utils/differentiable_optimizers.py`.",
        "",
        "- **second order** (the paper): the k look-ahead D updates are autograd functions (`torch.func.functional_call` "
        "on D with its parameters as tensors, gradients with `create_graph=True`, and a re-implementation of the D "
        "optimizer's step that returns new tensors), so G's gradient also flows through how D would react to G's "
        "samples;",
        "- **first order**: the look-ahead D's parameters are constants (the cheaper variant of the PyTorch ports).",
        "",
        "D's parameters, buffers (BatchNorm statistics, spectral-norm vectors) and optimizer state are never written by "
        "the look-ahead (it works on copies; tested with `torch.equal`), so D takes only its one normal step. The "
        "look-ahead updates use the configured loss's `discriminator_loss` on the step's real batch and the step's fakes "
        "(the same batch for every look-ahead step); gradient penalties, R1 and clipping of a normal D step are not "
        "part of them. D's optimizer must be Adam, AdamW or SGD (others are refused before training starts).",
        "",
        "```bash",
        "python -m gan_lab.train experiment=unrolled_ring                      # second order, 5 steps, 25k G steps",
        "python -m gan_lab.train experiment=unrolled_ring task.unroll_order=first",
        "python -m gan_lab.train experiment=unrolled_ring task.unroll_steps=0  # the plain GAN of the same setting",
        "python -m gan_lab.train experiment=unrolled_ring dataset=grid",
        "```",
        "",
        "## Setting (`conf/experiment/unrolled_ring.yaml`)",
        "",
        "The unrolled demo's (poolio/unrolled_gan, `Unrolled GAN demo.ipynb`): z ∈ R^256 ~ N(0, I); G and D MLPs with "
        "2 hidden layers of 128 tanh units (no BatchNorm); Adam β1 0.5, ε 1e-8, D lr 1e-4, G lr 1e-3; batch 512; "
        "25k G steps; 5 unrolled steps. Differences: 8 distinct ring centres (the demo's `linspace(0, 2π, 8)` repeats "
        "one, so it has 7), PyTorch's default initialisation (the demo: orthogonal, gain 1.4), and G minimises the "
        "minimax generator loss at the unrolled D, i.e. the fake-sample term of the demo's −(D loss); the demo's "
        "objective also holds the real-data term, which reaches G only through the second-order path.",
        "",
        "Scoring as in [mode_collapse_2d.md](mode_collapse_2d.md): ring = 8 Gaussians on the unit circle, std 0.01; "
        "grid = 25 at {-4,-2,0,2,4}², std 0.05; 2,500 samples from fixed-seed noise; HQ = within 3 stds of the nearest "
        "mean; modes = components nearest to at least one HQ sample; reverse KL over the nearest-mean histogram. "
        "Mean ± standard error over seeds.",
        "",
        "## Results",
        "",
        f"`PYTHONPATH=. python benchmarks/unrolled_2d.py` ({steps} G steps) — {machine_line()}; each run in one "
        f"process on one thread (two such processes shared the 2-core machine); runs dated {', '.join(dates) or '-'}; "
        f"{done_minutes:.0f} CPU-min of training for the {len(results)} stored run(s). Steady-state CPU time per G "
        f"step (one thread, D step included): {per_step}, so the whole table (3 rows × 2 datasets × {FULL_SEEDS} "
        f"seeds × {FULL_STEPS} steps) takes about {full_minutes:.0f} CPU-minutes.",
        "",
    ]
    if reduced:
        missing = [
            f"{dataset} {label} seed {seed}"
            for dataset in ("ring", "grid")
            for label, _ in ROWS
            for seed in range(FULL_SEEDS)
            if not any(r["dataset"] == dataset and r["label"] == label and r["seed"] == seed for r in results)
        ]
        lines += [
            f"**Incomplete.** {len(results)} of the {expected} runs of the full table are stored"
            + (f" ({steps} G steps, not the setting's {FULL_STEPS})" if steps < FULL_STEPS else "")
            + f"; not yet run: {'; '.join(missing) if len(missing) <= 12 else f'{len(missing)} runs'}. "
            "The benchmark resumes where it stopped: `PYTHONPATH=. python benchmarks/unrolled_2d.py` runs only "
            "the missing runs. Rows with fewer than 5 seeds are not yet the issue's protocol.",
            "",
        ]
    lines += table(results)
    lines += [
        "",
        "Published (VEEGAN Table 1, mean of 5 runs; their unrolled GAN, run length and networks):",
        "",
        "| method | ring modes | ring HQ % | grid modes | grid HQ % |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {m} | " + " | ".join(v) + " |" for m, v in VEEGAN.items() if m in ("GAN", "Unrolled GAN")]
    lines += [
        "",
        "Samples of seed 0 (1,000 of the 2,500 scored points; red crosses: the means):",
        "",
        "![unrolled GAN samples](img/unrolled_2d.png)",
        "",
        "Per-run numbers: `docs/bench_data/unrolled_2d/` (one JSON file per run).",
        "",
    ]
    out.write_text("\n".join(lines))


def measure_speed(short: int = 100, long: int = 600) -> dict[str, float]:
    """Steady-state CPU ms (one thread) per G step of each row on the ring: the difference of a
    ``long`` and a ``short`` run over their step difference, so that set-up does not count."""
    from gan_lab.train import train

    speed = {}
    for label, overrides in ROWS:
        cpu = []
        for steps in (short, long):
            cfg = compose_config(["experiment=unrolled_ring", *overrides, *QUIET, f"g_steps={steps}", "seed=0"])
            start = time.process_time()
            train(cfg)
            cpu.append(time.process_time() - start)
        speed[label] = (cpu[1] - cpu[0]) / (long - short) * 1000
        print(f"speed {label}: {speed[label]:.1f} ms/step", flush=True)
    return speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=FULL_STEPS)
    parser.add_argument("--seeds", type=int, nargs="*", default=list(range(FULL_SEEDS)))
    parser.add_argument("--datasets", nargs="*", default=["ring", "grid"], choices=["ring", "grid"])
    parser.add_argument("--rows", nargs="*", type=int, default=list(range(len(ROWS))), help="indices into ROWS")
    parser.add_argument("--rerun", action="store_true", help="run again even where a stored run exists")
    parser.add_argument("--measure-speed", action="store_true", help="re-measure the CPU time per step")
    parser.add_argument("--page-only", action="store_true", help="only rewrite the page from the stored runs")
    parser.add_argument("--out", default=str(DOCS / "unrolled_gan.md"))
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    quiet_logging()
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    if args.measure_speed or not SPEED_FILE.exists():
        SPEED_FILE.write_text(json.dumps(measure_speed(), indent=1))
    start = time.perf_counter()
    for seed in [] if args.page_only else args.seeds:
        for dataset in args.datasets:
            for index in args.rows:
                label, overrides = ROWS[index]
                path = run_file(label, dataset, seed, args.steps)
                if path.exists() and not args.rerun:
                    continue
                res = run_one(label, overrides, dataset, seed, args.steps)
                res["date"] = time.strftime("%Y-%m-%d")
                path.write_text(json.dumps(res))
                print(
                    f"[{time.perf_counter() - start:.0f}s] {dataset} {label} seed {seed}: modes {res['modes']:.0f} "
                    f"HQ {100 * res['high_quality']:.1f}% rKL {res['reverse_kl']:.3f} ({res['seconds']:.0f}s)",
                    flush=True,
                )
                # after every run, so that an interrupted benchmark still leaves its finished runs on the page
                save(args)
    save(args)
    print(Path(args.out).read_text())


def save(args: argparse.Namespace) -> None:
    out = Path(args.out)
    results = stored_runs(args.steps)
    if not results:
        return
    speed = json.loads(SPEED_FILE.read_text())
    plot(results, out.parent / "img" / "unrolled_2d.png")
    write_page(results, args.steps, speed, out)


if __name__ == "__main__":
    main()

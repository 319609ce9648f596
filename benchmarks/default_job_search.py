"""Search for the default job's settings (`python -m gan_lab.train`): quality at fixed G-step
budgets, and each candidate's seconds per G step measured separately.

    PYTHONPATH=. python benchmarks/default_job_search.py quality [--candidates NAME ...] [--every 1000] [--workers 2]
    PYTHONPATH=. python benchmarks/default_job_search.py timing [--rounds 3] [--steps 70 --warmup 10 --threads 1]
    PYTHONPATH=. python benchmarks/default_job_search.py table    # docs/bench_data/default_job_search.json -> markdown

docs/default_job.md was made with ``quality`` (two worker processes of one thread; each candidate
runs its own number of G steps, see CANDIDATES), ``timing --rounds 3 --steps 70 --warmup 10
--threads 1`` and ``table``. Measurements accumulate in the JSON file; every probe is also appended
to ``default_job_search.progress.jsonl`` beside it, so a run stopped early keeps what it measured
(``table`` shows such runs as "stopped early").

Why two measurements: on a shared machine wall time says little, so quality is measured per
G step (every ``--every`` G steps of one run per training setting) and speed separately, as
seconds per G step of short runs of the real default job (its callbacks included) relative to
the old default's, interleaved and repeated. The G steps a setting may take in the default
job's wall time follow from the two.

Every candidate's overrides are complete (they pin the old default's values they keep), so the
runs stay the same whatever conf/ says today. One training run serves several generators:
besides the raw G, the probe keeps EMA copies of G at several decays (the EMA does not change
training), and scores each with gan_lab's MNIST classifier on ``--num-samples`` samples against
the 10,000 bundled digits: class KL, class coverage and the classifier-feature FID, the numbers
of ``python -m gan_lab.evaluate metrics=[classifier]`` (10,000 samples, noise seed 0).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, compose_config, machine_line, quiet_logging, run_in_workers

DATA = DOCS / "bench_data" / "default_job_search.json"
# The default job before this search (conf/ at commit 9a5b28a), pinned explicitly.
OLD_DEFAULT = [
    "model=dcgan",
    "loss=ns",
    "optimizer=adam",
    "model.generator.width=32",
    "model.discriminator.width=32",
    "data.batch_size=64",
    "optimizer.generator.lr=2e-4",
    "optimizer.discriminator.lr=2e-4",
    "optimizer.generator.betas=[0.5,0.999]",
    "optimizer.discriminator.betas=[0.5,0.999]",
    "regularizers.ema.enabled=false",
    "regularizers.packing=1",
    "model.spectral_norm.discriminator=false",
    "model.discriminator.norm=batch",
    "lr_decay=none",
]
# The second round's choice, now the default job (SNGAN's D, loss and Adam betas).
SNGAN_SETTINGS = [
    "model.spectral_norm.discriminator=true",
    "model.discriminator.norm=none",
    "loss=hinge",
    "optimizer.generator.betas=[0.0,0.9]",
    "optimizer.discriminator.betas=[0.0,0.9]",
]
# Training settings searched: overrides on top of OLD_DEFAULT, and the G steps the quality run
# takes (about the steps each fits in the default job's wall time; see the timing mode).
CANDIDATES: dict[str, tuple[list[str], int]] = {
    "old default (ns, lr 2e-4, w32, batch 64)": ([], 5000),
    "TTUR: G 1e-4, D 4e-4": (["optimizer.generator.lr=1e-4", "optimizer.discriminator.lr=4e-4"], 5000),
    "hinge loss": (["loss=hinge"], 5000),
    "width 16": (["model.generator.width=16", "model.discriminator.width=16"], 10000),
    "batch 128": (["data.batch_size=128"], 3000),
    "spectral norm in D, no BatchNorm in D": (
        ["model.spectral_norm.discriminator=true", "model.discriminator.norm=none"],
        5000,
    ),
    "PacGAN2 (packing 2)": (["regularizers.packing=2"], 5000),
    # second round, on top of the chosen D (spectral norm, no BatchNorm)
    "SN D + hinge, Adam betas (0, 0.9) (SNGAN's settings)": (
        [
            "model.spectral_norm.discriminator=true",
            "model.discriminator.norm=none",
            "loss=hinge",
            "optimizer.generator.betas=[0.0,0.9]",
            "optimizer.discriminator.betas=[0.0,0.9]",
        ],
        5000,
    ),
    "SN D + linear learning-rate decay": (
        ["model.spectral_norm.discriminator=true", "model.discriminator.norm=none", "lr_decay=linear"],
        5000,
    ),
    "SN D + lr 4e-4, linear decay": (
        [
            "model.spectral_norm.discriminator=true",
            "model.discriminator.norm=none",
            "lr_decay=linear",
            "optimizer.generator.lr=4e-4",
            "optimizer.discriminator.lr=4e-4",
        ],
        5000,
    ),
    # third round, on top of the second round's choice (SN D, hinge, Adam betas (0, 0.9)): more
    # G steps (the quiet machine runs the job at about 23 G steps/s with two threads), the
    # seed-to-seed spread, and SNGAN's two-time-scale rates
    "SNGAN settings, lr 2e-4 (the second round's default), 7000 G steps": (SNGAN_SETTINGS, 7000),
    "SNGAN settings, seed 7": ([*SNGAN_SETTINGS, "seed=7"], 7000),
    "SNGAN settings, TTUR G 1e-4, D 4e-4": (
        [*SNGAN_SETTINGS, "optimizer.generator.lr=1e-4", "optimizer.discriminator.lr=4e-4"],
        7000,
    ),
    "SNGAN settings, lr 3e-4": (
        [*SNGAN_SETTINGS, "optimizer.generator.lr=3e-4", "optimizer.discriminator.lr=3e-4"],
        7000,
    ),
    "spectral norm in D, no BatchNorm in D, PacGAN2": (
        ["model.spectral_norm.discriminator=true", "model.discriminator.norm=none", "regularizers.packing=2"],
        5000,
    ),
}
OLD = "old default (ns, lr 2e-4, w32, batch 64)"
EMA_DECAYS = (0.99, 0.995, 0.999, 0.9995)
METRICS = ("class_kl", "class_coverage", "mnist_classifier_fid")


def overrides_for(name: str) -> list[str]:
    return [*OLD_DEFAULT, *CANDIDATES[name][0]]


# ------------------------------------------------------------------ quality probe
class GeneratorProbe(L.Callback):
    """Keeps EMA copies of G at ``decays`` and scores raw G and every copy at ``eval_steps``.

    The EMA copies use gan_lab's own averaging (``make_ema_generator``/``update_ema``); only
    the bookkeeping of several decays in one run is written here.
    """

    def __init__(
        self,
        decays: tuple[float, ...],
        eval_steps: list[int],
        num_samples: int,
        cache_dir: str,
        progress: str | None = None,
        label: str = "",
    ) -> None:
        super().__init__()
        self.progress, self.label = progress, label
        self.decays, self.eval_steps, self.num_samples = tuple(decays), set(eval_steps), int(num_samples)
        self.cache_dir = cache_dir
        self.emas: dict[float, torch.nn.Module] = {}
        self.records: list[dict] = []
        self.train_seconds = 0.0
        self._clock = 0.0

    def on_train_start(self, trainer, pl_module) -> None:
        from gan_lab.datasets.bundled_mnist import BundledMNIST
        from gan_lab.metrics.classifier_metrics import classify
        from gan_lab.metrics.mnist_classifier import load_or_train
        from gan_lab.regularizers.ema import make_ema_generator

        self.emas = {d: make_ema_generator(pl_module.generator, d) for d in self.decays}
        self.classifier, _ = load_or_train(self.cache_dir, None, 3)
        real = BundledMNIST().images.float() / 127.5 - 1.0  # all 10,000 digits, as evaluate uses them
        _, self.real_feats = classify(self.classifier, real)
        self._clock = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        from gan_lab.regularizers.ema import update_ema

        step = pl_module.g_step
        for ema in self.emas.values():
            update_ema(ema, pl_module.generator, step)
        if step in self.eval_steps:
            self.train_seconds += time.perf_counter() - self._clock
            for name, net in [("raw", pl_module.generator), *((f"ema {d:g}", e) for d, e in self.emas.items())]:
                self.records.append({"step": step, "generator": name, **self.score(pl_module, net)})
                if self.progress:  # a run stopped early still leaves its measurements
                    with open(self.progress, "a") as f:
                        f.write(json.dumps({"candidate": self.label, **self.records[-1]}) + "\n")
            self._clock = time.perf_counter()

    @torch.no_grad()
    def score(self, pl_module, net: torch.nn.Module) -> dict[str, float]:
        from gan_lab.metrics.classifier_metrics import classify, frechet_distance
        from gan_lab.metrics.mixture_2d import kl_to_uniform
        from gan_lab.metrics.sampling import draw_noise

        z = draw_noise(pl_module, self.num_samples, 0)  # evaluate's noise (seed 0)
        was_training = net.training
        net.eval()
        fake = torch.cat([net(chunk) for chunk in z.split(256)])
        net.train(was_training)
        preds, feats = classify(self.classifier, fake)
        counts = torch.bincount(preds, minlength=10)
        return {
            "class_kl": kl_to_uniform(counts),
            "class_coverage": float((counts > 0).sum()) / 10.0,
            "mnist_classifier_fid": frechet_distance(feats, self.real_feats),
        }


def run_quality(task: tuple[str, int, list[int], int, str, str]) -> dict:
    """One training run of candidate ``name`` with the probe, in this (worker) process."""
    name, g_steps, eval_steps, num_samples, cache_dir, progress = task
    torch.set_num_threads(1)
    quiet_logging()
    from gan_lab.builders import build_datamodule, build_module, build_trainer

    cfg = compose_config(
        [
            *overrides_for(name),
            "callbacks=none",
            "logger=[]",
            "trainer.accelerator=cpu",
            "trainer.enable_model_summary=false",
            "+trainer.enable_progress_bar=false",
            f"g_steps={g_steps}",
        ],
        tempfile.mkdtemp(prefix="default_job_search_"),
    )
    L.seed_everything(cfg.seed, workers=True)
    probe = GeneratorProbe(EMA_DECAYS, eval_steps, num_samples, cache_dir, progress, name)
    trainer = build_trainer(cfg, [probe], None)
    start = time.perf_counter()
    datamodule = build_datamodule(cfg)  # the order of gan_lab.train.train
    trainer.fit(build_module(cfg), datamodule=datamodule)
    return {
        "candidate": name,
        "g_steps": g_steps,
        "wall_seconds": time.perf_counter() - start,
        "train_seconds": probe.train_seconds,
        "records": probe.records,
        "loadavg_end": os.getloadavg()[0],
    }


# ------------------------------------------------------------------ speed
def time_candidate(name: str, steps: int, warmup: int, threads: int) -> float:
    """Seconds per G step of the real default job's loop (default callbacks, no logger output
    to the console) for candidate ``name``, over the steps after ``warmup``."""
    torch.set_num_threads(threads)
    quiet_logging()
    from gan_lab.builders import build_callbacks, build_datamodule, build_module, build_trainer

    class StepClock(L.Callback):
        def __init__(self) -> None:
            self.t0 = self.t1 = 0.0

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
            if pl_module.g_step == warmup:
                self.t0 = time.perf_counter()
            if pl_module.g_step == steps:
                self.t1 = time.perf_counter()

    cfg = compose_config(
        [*overrides_for(name), "trainer.accelerator=cpu", f"g_steps={steps}"],
        tempfile.mkdtemp(prefix="default_job_timing_"),
    )
    L.seed_everything(cfg.seed, workers=True)
    clock = StepClock()
    trainer = build_trainer(cfg, [*build_callbacks(cfg), clock], None)
    datamodule = build_datamodule(cfg)
    trainer.fit(build_module(cfg), datamodule=datamodule)
    return (clock.t1 - clock.t0) / (steps - warmup)


def run_timing(args: argparse.Namespace) -> dict:
    names = args.candidates or list(CANDIDATES)
    if OLD not in names:
        names.insert(0, OLD)
    rounds: list[dict] = []
    for r in range(args.rounds):  # interleaved: every round times every candidate once
        row = {"round": r, "loadavg_start": os.getloadavg()[0], "seconds_per_g_step": {}}
        for name in names:
            row["seconds_per_g_step"][name] = time_candidate(name, args.steps, args.warmup, args.threads)
            print(f"round {r} {name}: {1000 * row['seconds_per_g_step'][name]:.1f} ms/step", flush=True)
        row["loadavg_end"] = os.getloadavg()[0]
        rounds.append(row)
    return {"threads": args.threads, "steps": args.steps, "warmup": args.warmup, "rounds": rounds}


# ------------------------------------------------------------------ table
def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.is_file() else {}


def save(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")


def speed_ratios(timing: dict) -> dict[str, float]:
    """Per candidate: median over rounds of (its s/step ÷ the old default's s/step in that round)."""
    import statistics

    old = OLD
    ratios: dict[str, list[float]] = {}
    for row in timing.get("rounds", []):
        s = row["seconds_per_g_step"]
        for name, v in s.items():
            ratios.setdefault(name, []).append(v / s[old])
    return {k: statistics.median(v) for k, v in ratios.items()}


def table(data: dict, quiet_old_seconds_per_step: float, budget_seconds: float) -> str:
    """Markdown: per candidate and generator, the classifier metrics at each probed step,
    and the G steps the candidate fits in ``budget_seconds`` at the quiet-machine speed."""
    ratios = speed_ratios(data.get("timing", {}))
    runs = list(data.get("quality", []))
    done = {r["candidate"] for r in runs}
    for name, records in data.get("partial", {}).items():  # runs stopped before their end
        if name not in done:
            runs.append({"candidate": f"{name} (stopped early)", "records": records, "base": name})
    seen = {rec["step"] for run in runs for rec in run["records"]}
    steps_shown = [s for s in data["eval_steps"] if s in seen]
    lines = [
        "| training setting | s/step ÷ old | G steps in budget | generator | "
        + " | ".join(f"KL / cFID @ {s}" for s in steps_shown)
        + " |",
        "|---|---|---|---|" + "---|" * len(steps_shown),
    ]
    for run in runs:
        ratio = ratios.get(run.get("base", run["candidate"]))
        fit = f"{budget_seconds / (quiet_old_seconds_per_step * ratio):.0f}" if ratio else "?"
        by_gen: dict[str, dict[int, dict]] = {}
        for rec in run["records"]:
            by_gen.setdefault(rec["generator"], {})[rec["step"]] = rec
        for gen, steps in by_gen.items():
            cells = [
                f"{steps[s]['class_kl']:.3f} / {steps[s]['mnist_classifier_fid']:.1f}" if s in steps else "–"
                for s in steps_shown
            ]
            lines.append(
                f"| {run['candidate']} | {ratio:.2f} | {fit} | {gen} | " + " | ".join(cells) + " |"
                if ratio
                else f"| {run['candidate']} | ? | ? | {gen} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["quality", "timing", "table"])
    parser.add_argument("--candidates", nargs="*", default=None, help="names from CANDIDATES (default: all)")
    parser.add_argument("--g-steps", type=int, default=0, help="0: each candidate's own")
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument("--eval-from", type=int, default=0, help="probe only from this G step on")
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=70)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--quiet-old-ms", type=float, default=60.0, help="old default's ms/G step alone (4000 in 4 min)"
    )
    parser.add_argument("--budget-s", type=float, default=300.0)
    parser.add_argument("--data", default=str(DATA), help="JSON file the results accumulate in")
    args = parser.parse_args()
    quiet_logging()
    path = Path(args.data)
    data = load(path)
    progress_file = path.with_suffix(".progress.jsonl")
    if progress_file.is_file():
        partial: dict[str, list[dict]] = {}
        for line in progress_file.read_text().splitlines():
            rec = json.loads(line)
            partial.setdefault(rec.pop("candidate"), []).append(rec)
        data["partial"] = partial
    data.setdefault("machine", machine_line())
    if args.mode == "quality":
        from gan_lab.metrics.mnist_classifier import default_cache_dir

        names = args.candidates or list(CANDIDATES)
        steps = {n: args.g_steps or CANDIDATES[n][1] for n in names}
        every = set(data.get("eval_steps", [])) | set(range(args.every, max(steps.values()) + 1, args.every))
        eval_steps = sorted(s for s in every if s >= args.eval_from)
        data.update(eval_steps=eval_steps, num_samples=args.num_samples, ema_decays=list(EMA_DECAYS))
        done = {r["candidate"]: r for r in data.get("quality", [])}
        progress = str(path.with_suffix(".progress.jsonl"))
        tasks = [(n, steps[n], eval_steps, args.num_samples, str(default_cache_dir()), progress) for n in names]
        for res in run_in_workers(run_quality, tasks, args.workers, maxtasksperchild=1):
            done[res["candidate"]] = res
            data["quality"] = [done[n] for n in CANDIDATES if n in done]
            save(data, path)
            print(res["candidate"], f"{res['wall_seconds']:.0f}s load {res['loadavg_end']:.1f}", flush=True)
            for rec in res["records"]:
                print("   ", rec, flush=True)
    elif args.mode == "timing":
        timing = run_timing(args)
        timing["loadavg"] = [r["loadavg_start"] for r in timing["rounds"]]
        data["timing"] = timing
        save(data, path)
    print(table(data, args.quiet_old_ms / 1000, args.budget_s) if data.get("quality") else json.dumps(data, indent=1))


if __name__ == "__main__":
    main()

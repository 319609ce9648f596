"""Training-step time of gan_lab against a plain, hand-written PyTorch loop.

    PYTHONPATH=. python benchmarks/speed_vs_pytorch.py [--quick] [--reps 5] [--steps 40]

Both sides train the same networks (built from the same config with the same seed,
so identical initial weights), with the same Adam optimizers, batch size, dataset
and non-saturating loss, one D update then one G update per step:

* ``mlp_grid``: the default MLP (G 64 -> 256 -> 256 -> 2 with BatchNorm, D 2 -> 256 -> 256 -> 1)
  on the 25-Gaussian grid, batch 256 (``mlp_grid_b1024``: batch 1024);
* ``dcgan32_mnist``: DCGAN at width 32 on the bundled MNIST digits resized to 32x32, batch 64.

Four implementations, run interleaved (the order rotates every repetition, each
repetition a fresh run): ``plain`` (the loop below), ``gan_lab`` (``python -m gan_lab.train``'s
path with its default callbacks: progress bar, sample grids every 200 G steps, checkpoints
every 500, CSV logger), ``gan_lab-bare`` (no callbacks, no logger, no progress bar) and
``lightning-minimal`` (the plain loop's step in a bare LightningModule and Trainer: the
floor that any framework built on Lightning's loop pays).
A step's time is the interval between the ends of consecutive steps, so it includes
fetching the batch; the first ``--warmup`` steps of each run and its last step are
dropped (start-up and the final checkpoint). Reported: the median over all kept steps
of all repetitions, images/s = batch / median, and the ratio gan_lab / plain.
Also reported, because it does not depend on the machine's load: the Python function
calls per step of each implementation (cProfile, two run lengths differenced, so
start-up is excluded; ``--no-calls`` skips it).
Writes docs/speed_vs_pytorch.md. No GPU needed; with one, ``--device cuda``.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import statistics
import sys
import time
from pathlib import Path

import lightning as L
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, compose_config, machine_line, quiet_logging  # noqa: E402

from gan_lab.utils.nvml_check import drop_futile_nvml_check  # noqa: E402
from gan_lab.builders import (  # noqa: E402
    build_callbacks,
    build_datamodule,
    build_loggers,
    build_module,
    build_networks,
    build_trainer,
    instantiate,
)

SETTINGS = {
    "mlp_grid": ["dataset=grid", "model=mlp", "loss=ns", "data.batch_size=256"],
    # The same MLP with 4x the batch: the framework's cost per step is fixed, so its share shrinks.
    "mlp_grid_b1024": ["dataset=grid", "model=mlp", "loss=ns", "data.batch_size=1024"],
    "dcgan32_mnist": [
        "experiment=mnist_dcgan",
        "dataset.image_size=32",
        "data.batch_size=64",
    ],
}


class StepTimer(L.Callback):
    def __init__(self) -> None:
        self.ends: list[float] = []

    def on_train_batch_end(self, *args, **kwargs) -> None:
        self.ends.append(time.perf_counter())


def _intervals(ends: list[float], warmup: int) -> list[float]:
    diffs = [b - a for a, b in zip(ends, ends[1:])]
    return diffs[warmup:-1] if len(diffs) > warmup + 1 else diffs


def run_gan_lab(overrides: list[str], steps: int, warmup: int, bare: bool, device: str) -> list[float]:
    extra = QUIET if bare else ["trainer.accelerator=" + device, "trainer.enable_model_summary=false"]
    if bare and device != "cpu":
        extra = [o if not o.startswith("trainer.accelerator") else f"trainer.accelerator={device}" for o in extra]
    cfg = compose_config([*overrides, *extra, f"g_steps={steps}", "seed=0"])
    L.seed_everything(0, verbose=False)
    datamodule = build_datamodule(cfg)
    module = build_module(cfg)
    timer = StepTimer()
    trainer = build_trainer(cfg, [*build_callbacks(cfg), timer], build_loggers(cfg))
    trainer.fit(module, datamodule=datamodule)
    return _intervals(timer.ends, warmup)


def plain_step(G, D, d_opt, g_opt, real: torch.Tensor, latent: int, backward=torch.Tensor.backward) -> None:  # noqa: ANN001
    """One D update (real vs detached fakes) then one G update (non-saturating, D frozen).

    ``backward`` is ``Tensor.backward`` in the plain loop and ``manual_backward`` in
    the minimal LightningModule, so that both run exactly this step.
    """
    n = real.shape[0]
    with torch.no_grad():
        fake = G(torch.randn(n, latent, device=real.device))
    d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
    d_opt.zero_grad(set_to_none=True)
    backward(d_loss)
    d_opt.step()
    D.requires_grad_(False)
    g_loss = F.softplus(-D(G(torch.randn(n, latent, device=real.device)))).mean()
    g_opt.zero_grad(set_to_none=True)
    backward(g_loss)
    g_opt.step()
    D.requires_grad_(True)


def _plain_parts(overrides: list[str], steps: int):  # noqa: ANN202
    """What both hand-written loops start from: G, D, optimizer factories, loader, latent size."""
    cfg = compose_config([*overrides, *QUIET, f"g_steps={steps}", "seed=0"])
    L.seed_everything(0, verbose=False)
    dataset = build_datamodule(cfg).train_dataset
    G, D = build_networks(cfg)
    factories = instantiate(cfg.optimizer.generator), instantiate(cfg.optimizer.discriminator)
    loader = DataLoader(dataset, batch_size=int(cfg.data.batch_size), shuffle=True, drop_last=True)
    return G, D, factories, loader, int(cfg.model.latent_dim)


def run_plain(overrides: list[str], steps: int, warmup: int, device: str) -> list[float]:
    G, D, (g_factory, d_factory), loader, latent = _plain_parts(overrides, steps)
    G, D = G.to(device), D.to(device)
    g_opt, d_opt = g_factory(G.parameters()), d_factory(D.parameters())
    ends = [time.perf_counter()]
    done = 0
    while done < steps:
        for real, _ in loader:
            plain_step(G, D, d_opt, g_opt, real.to(device, non_blocking=True), latent)
            if device != "cpu":
                torch.cuda.synchronize()
            ends.append(time.perf_counter())
            done += 1
            if done >= steps:
                break
    # gan_lab's timer starts at the end of its first step; match it
    return _intervals(ends[1:], warmup)


class _MinimalLightningGAN(L.LightningModule):
    """The plain loop's step as the least a LightningModule with manual optimization must do."""

    def __init__(self, G: torch.nn.Module, D: torch.nn.Module, factories, latent: int) -> None:  # noqa: ANN001
        super().__init__()
        self.automatic_optimization = False
        self.G, self.D, self.latent, self._factories = G, D, latent, factories

    def configure_optimizers(self):  # noqa: ANN201
        g_factory, d_factory = self._factories
        return [d_factory(self.D.parameters()), g_factory(self.G.parameters())]

    def training_step(self, batch, batch_idx) -> None:  # noqa: ANN001
        d_opt, g_opt = self.optimizers()
        plain_step(self.G, self.D, d_opt, g_opt, batch[0], self.latent, backward=self.manual_backward)


def run_lightning_minimal(overrides: list[str], steps: int, warmup: int, device: str) -> list[float]:
    """Lightning's own cost: the plain loop's step in a bare LightningModule and Trainer."""
    G, D, factories, loader, latent = _plain_parts(overrides, steps)
    timer = StepTimer()
    trainer = L.Trainer(
        accelerator=device,
        devices=1,
        max_steps=2 * steps,  # Lightning counts both optimizers' steps
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[timer],
        num_sanity_val_steps=0,
    )
    trainer.fit(_MinimalLightningGAN(G, D, factories, latent), train_dataloaders=loader)
    return _intervals(timer.ends, warmup)


# impl -> runner(overrides, steps, warmup, device=...) -> step intervals in seconds
RUNNERS = {
    "plain": run_plain,
    "lightning-minimal": run_lightning_minimal,
    "gan_lab": functools.partial(run_gan_lab, bare=False),
    "gan_lab-bare": functools.partial(run_gan_lab, bare=True),
}


def calls_per_step(impl: str, overrides: list[str], steps: int, device: str) -> float:
    """Python function calls per training step (cProfile's count, primitive calls included).

    Two runs of ``steps`` and ``2 * steps`` steps are counted and differenced, which
    cancels everything that happens once per run (building, start-up, the final checkpoint).
    """
    counts = []
    for n in (steps, 2 * steps):
        profiler = cProfile.Profile()
        profiler.enable()
        RUNNERS[impl](overrides, n, 0, device=device)
        profiler.disable()
        counts.append(pstats.Stats(profiler).total_calls)
    return (counts[1] - counts[0]) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--steps", type=int, default=None, help="steps per run (default: 150 MLP, 40 DCGAN)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--quick", action="store_true", help="2 repetitions of few steps (smoke run)")
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS))
    parser.add_argument("--no-calls", action="store_true", help="skip counting Python calls per step")
    parser.add_argument("--out", default=str(DOCS / "speed_vs_pytorch.md"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    quiet_logging()
    # gan_lab's module does this when it is set up; doing it here first lets the plain loop run
    # as it would in a process that never imported Lightning (see gan_lab/utils/nvml_check.py).
    drop_futile_nvml_check()
    if args.quick:
        args.reps = 2
    rows = []
    for name in args.settings:
        overrides = SETTINGS[name]
        steps = args.steps or (150 if name.startswith("mlp") else 40)
        if args.quick:
            steps = min(steps, 20)
        batch = int(compose_config([*overrides, *QUIET]).data.batch_size)
        impls = ["plain", "lightning-minimal", "gan_lab", "gan_lab-bare"]
        times: dict[str, list[float]] = {k: [] for k in impls}
        per_rep: dict[str, list[float]] = {k: [] for k in impls}
        for rep in range(args.reps):
            order = impls[rep % len(impls) :] + impls[: rep % len(impls)]
            for impl in order:
                t = RUNNERS[impl](overrides, steps, args.warmup, device=args.device)
                times[impl] += t
                per_rep[impl].append(statistics.median(t))
                print(
                    f"{name} rep {rep} {impl}: median {1e3 * statistics.median(t):.2f} ms over {len(t)} steps",
                    flush=True,
                )
        med = {k: statistics.median(v) for k, v in times.items()}
        calls = {}
        if not args.no_calls:
            call_steps = 10 if args.quick else (100 if name.startswith("mlp") else 20)
            calls = {impl: calls_per_step(impl, overrides, call_steps, args.device) for impl in impls}
        for impl in impls:
            rows.append(
                (
                    name,
                    impl,
                    batch,
                    1e3 * med[impl],
                    1e3 * statistics.mean(times[impl]),
                    ", ".join(f"{1e3 * x:.1f}" for x in per_rep[impl]),
                    batch / med[impl],
                    med[impl] / med["plain"],
                    statistics.median(a / b for a, b in zip(per_rep[impl], per_rep["plain"])),
                    1e3 * (med[impl] - med["plain"]),
                    calls.get(impl),
                )
            )
    text = [
        "# Training speed: gan_lab against a plain PyTorch loop",
        "",
        f"`benchmarks/speed_vs_pytorch.py{' --quick' if args.quick else ''}` — {machine_line()}; "
        f"device {args.device}, {args.reps} interleaved repetitions, {args.warmup} warm-up steps dropped per run.",
        "",
        "Same G, D, initial weights, Adam settings, batch size, dataset and non-saturating loss on both sides; "
        "one D update and one G update per step. `gan_lab`: the training command's path with its default callbacks "
        "(progress bar, sample grids every 200 G steps, checkpoints every 500) and the CSV logger; "
        "`gan_lab-bare`: callbacks=none, no logger, no progress bar; `lightning-minimal`: the plain loop's step moved "
        "into a bare LightningModule (manual optimization, `manual_backward`, the same DataLoader) run by a Trainer "
        "with no logger, checkpointing or progress bar, i.e. the least any Lightning-based loop pays. Step time includes fetching the batch. "
        "Ratio = median step time / plain loop's median step time (target ≤ 1.03); paired ratio = median over "
        "repetitions of (this repetition's median / the plain loop's median in the same repetition), which is less "
        "sensitive to load from other processes on the shared machine; overhead = median step minus the plain "
        "loop's median step; Python calls/step = function calls per training step counted by cProfile (runs of N "
        "and 2N steps differenced), a load-independent measure of the Python work each loop adds.",
        "",
        "| setting | implementation | batch | median step (ms) | mean step (ms) | per-repetition medians (ms) | images/s | ratio to plain | paired ratio | overhead (ms/step) | Python calls/step |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        text.append(
            f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]} | {r[6]:.0f} | {r[7]:.3f} | {r[8]:.3f} "
            f"| {r[9]:+.2f} | {'—' if r[10] is None else f'{r[10]:.0f}'} |"
        )
    text.append("")
    Path(args.out).write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()

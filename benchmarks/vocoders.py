"""GAN vocoders vs Griffin-Lim on the held-out clips of the shared speech corpus (CPU).

    python benchmarks/vocoders.py                      # ~30 minutes on 2 cores: 27 CPU-min per GAN, in parallel
    python benchmarks/vocoders.py --minutes 0.3 --clips 2 --out /tmp/smoke.md   # smoke test

Trains HiFi-GAN tiny (experiment=hifigan_tiny_speech) and a narrow MelGAN for a fixed budget of
CPU time each (one thread, the process's CPU time, so that other jobs on the machine do not
shorten a model's training) on the first 90 % of ../shared/data/speech-espeak: the first
``--warm-up`` share of it (0.75) as a reconstruction-only run (loss.n_critic=0: D off, G minimises
45 x mel L1 at learning rate 1e-3; a step costs ~1/15 of a GAN step here), the rest as the GAN
with its published losses, started from that G (init_from). Then it re-synthesises the held-out
10 % (ES-0289 .. ES-0320) from the same mels (HiFi-GAN's front end: fmax 8 kHz; the MelGAN here uses
it too, so all three rows invert the same spectrograms) and compares with Griffin-Lim (librosa,
60 iterations): mel L1 and MCD (gan_lab.metrics.audio, protocol in the report), plus the
spectrograms of one clip side by side. Writes a Markdown report with the machine, versions and date.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from helpers import compose_config

from gan_lab.audio.griffin_lim import griffin_lim
from gan_lab.checkpointing.loading import load_checkpoint
from gan_lab.datasets.audio import AudioFolder
from gan_lab.metrics.audio import vocoder_metrics
from gan_lab.train import train

SPEECH = REPO.parent / "shared" / "data" / "speech-espeak"
COMMON = [
    "trainer.accelerator=cpu",
    "logger={}",
    "callbacks=none",
    "+trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
    "g_steps=1000000",
    "data.num_workers=0",  # all data work in this process: its CPU time is the budget
]
MODELS = {
    "HiFi-GAN tiny": ["experiment=hifigan_tiny_speech"],
    "MelGAN (ngf 8, ndf 4)": [
        "experiment=melgan_ljspeech",
        "task.mel.fmax=8000.0",
        "model.generator.ngf=8",
        "model.discriminator.msd.ndf=4",
        "data.batch_size=8",
        "data.num_workers=0",
        "dataset.cache=true",
    ],
}
# The reconstruction-only first stage: D never trains (loss.n_critic=0) and G minimises the mel L1 alone
# (x 45, HiFi-GAN's weight; MelGAN, which has no mel term, gets it for this stage only), with G's
# learning rate raised to 1e-3 (gan_lab's setting: on these clips the mel L1 after 5k steps is 0.50 at 1e-3
# and 0.69 at the GAN's 2e-4; measured while writing this benchmark).
WARM_UP = ["loss.n_critic=0", "task.pretrain_g_steps=${g_steps}", "task.mel_weight=45.0", "optimizer.generator.lr=1e-3"]


def slug(name: str) -> str:
    return name.split()[0].lower()


def train_stage(overrides: list[str], seconds: float, root: Path, folder: Path):
    budget = [
        "+callbacks.cpu_budget._target_=benchmarks.cpu_budget.CpuTimeBudget",
        f"+callbacks.cpu_budget.seconds={seconds:.0f}",
    ]
    cfg = compose_config([*overrides, *COMMON, f"dataset.root={root}", *budget], folder)
    start, cpu_start = time.time(), time.process_time()
    trainer = train(cfg)
    return trainer, time.time() - start, time.process_time() - cpu_start


def train_for(name: str, overrides: list[str], minutes: float, warm_up: float, root: Path, workdir: Path):
    """``warm_up`` of the budget in the reconstruction-only stage, the rest as the GAN from that G.
    Returns the GAN's checkpoint, (warm-up G steps, GAN G steps), wall seconds and CPU seconds."""
    torch.set_num_threads(1)
    steps, wall, cpu = [0, 0], 0.0, 0.0
    if warm_up > 0:
        trainer, seconds, cpu_seconds = train_stage(
            [*overrides, *WARM_UP], minutes * 60 * warm_up, root, workdir / f"{slug(name)}_warm_up"
        )
        checkpoint = workdir / f"{slug(name)}_warm_up.ckpt"
        trainer.save_checkpoint(checkpoint)
        overrides = [*overrides, f"init_from.ckpt_path={checkpoint}"]
        steps[0], wall, cpu = int(trainer.lightning_module.generator_steps), seconds, cpu_seconds
    if warm_up < 1:
        trainer, seconds, cpu_seconds = train_stage(overrides, minutes * 60 * (1 - warm_up), root, workdir / slug(name))
        steps[1], wall, cpu = int(trainer.lightning_module.generator_steps), wall + seconds, cpu + cpu_seconds
    checkpoint = workdir / f"{slug(name)}.ckpt"
    trainer.save_checkpoint(checkpoint)
    return checkpoint, steps, wall, cpu


def train_all(args: argparse.Namespace, workdir: Path) -> dict[str, tuple]:
    """Every model's ``train_for``, one process (one core) per model at once with ``--parallel``."""
    jobs = {name: ([*MODELS[name], *args.set], args.minutes, args.warm_up, args.root, workdir) for name in args.models}
    if not args.parallel:
        return {name: train_for(name, *job) for name, job in jobs.items()}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        futures = {name: pool.submit(train_for, name, *job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def padded(clip: torch.Tensor, hop: int) -> torch.Tensor:
    return torch.nn.functional.pad(clip, (0, -clip.shape[-1] % hop)).view(1, 1, -1)


def spectrogram_figure(path: Path, rows: dict[str, torch.Tensor], mel) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(rows), 1, figsize=(8, 2.0 * len(rows)), sharex=True)
    for ax, (title, audio) in zip(axes, rows.items()):
        ax.imshow(mel.loss_mel(audio.view(1, 1, -1))[0].numpy(), origin="lower", aspect="auto", vmin=-11.5, vmax=2)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("mel band")
    axes[-1].set_xlabel(f"frame (hop {mel.hop_length} at {mel.sample_rate} Hz)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=27.0, help="training CPU minutes per GAN vocoder (one thread)")
    parser.add_argument("--clips", type=int, default=32, help="held-out clips evaluated (first N of the 32)")
    parser.add_argument("--root", type=Path, default=SPEECH)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "vocoders_benchmark.md")
    parser.add_argument("--models", nargs="*", default=list(MODELS), help=f"rows to train, from {list(MODELS)}")
    parser.add_argument("--set", nargs="*", default=[], help="extra config overrides for every model trained")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=0.75,
        help="share of each budget spent in the reconstruction-only stage (D off, mel L1 only) before the GAN",
    )
    parser.add_argument(
        "--parallel",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="train the models at the same time, one process (one core) each",
    )
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    workdir = Path(tempfile.mkdtemp(prefix="vocoders_"))
    trained = {}
    for name, (checkpoint, *record) in train_all(args, workdir).items():
        trained[name] = (load_checkpoint(str(checkpoint))[0], *record)
    mel = next(iter(trained.values()))[0].mel
    test = AudioFolder(args.root, sample_rate=mel.sample_rate, segment_length=None, split="test")
    names = test.names[: args.clips]
    references = [padded(test.clip(i), mel.hop_length) for i in range(len(names))]
    outputs: dict[str, list[torch.Tensor]] = {"Griffin-Lim (librosa, 60 it.)": []}
    start = time.time()
    for ref in references:
        outputs["Griffin-Lim (librosa, 60 it.)"].append(griffin_lim(mel(ref)[0], mel, n_iter=60).view(1, 1, -1))
    gl_seconds = time.time() - start
    for name, (module, *_) in trained.items():
        outputs[name] = [module.resynthesize(ref).cpu() for ref in references]
    records = {name: vocoder_metrics(audio, references, names, mel) for name, audio in outputs.items()}

    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure = args.out.with_suffix(".png")
    spectrogram_figure(figure, {"reference": references[0], **{k: v[0] for k, v in outputs.items()}}, mel)
    import librosa

    lines = [
        "# GAN vocoders vs Griffin-Lim (CPU benchmark)",
        "",
        (
            f"Written by `benchmarks/vocoders.py` on {datetime.date.today().isoformat()}: {platform.platform()}, "
            f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, torch {torch.__version__}, "
            f"librosa {librosa.__version__}."
        ),
        "",
        (
            f"Training: the first 288 clips of `../shared/data/speech-espeak` (synthetic espeak-ng speech), "
            f"{args.minutes:g} CPU minutes per GAN (one thread; the process's CPU time, so the other jobs on a shared "
            "machine do not shorten training"
            + ("; the GANs train at the same time, one core each" if args.parallel else "")
            + f"), the first {args.warm_up:.0%} of it reconstruction-only (D off, "
            "`loss.n_critic=0`, G minimises 45 x mel L1 at learning rate 1e-3), the rest the GAN's own losses from that G "
            "(`init_from`). Evaluation: held-out clips "
            f"{names[0]} .. {names[-1]} ({len(names)}), each re-synthesised from its own mel (HiFi-GAN front "
            "end, fmax 8 kHz). Lower is better for both metrics."
            + (f" Overrides on every model: `{' '.join(args.set)}`." if args.set else "")
        ),
        "",
        "| vocoder | G steps (mel-only + GAN) | train CPU s (wall s) | mel L1 | MCD (dB) |",
        "|---|---|---|---|---|",
        (
            f"| Griffin-Lim (librosa, 60 it.) | - | ({gl_seconds:.0f} s to invert) | "
            f"{records['Griffin-Lim (librosa, 60 it.)']['mean']['mel_l1']:.3f} | "
            f"{records['Griffin-Lim (librosa, 60 it.)']['mean']['mcd_db']:.2f} |"
        ),
    ]
    for name, (_, steps, seconds, cpu_seconds) in trained.items():
        mean = records[name]["mean"]
        lines.append(
            f"| {name} | {steps[0]} + {steps[1]} | {cpu_seconds:.0f} ({seconds:.0f}) | {mean['mel_l1']:.3f} | {mean['mcd_db']:.2f} |"
        )
    lines += [
        "",
        f"![log-mel spectrograms of {names[0]}]({figure.name})",
        "",
        "Protocol (every record):",
        "",
        "```json",
        json.dumps(next(iter(records.values()))["protocol"], indent=1),
        "```",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[: 12 + len(trained)]))


if __name__ == "__main__":
    main()

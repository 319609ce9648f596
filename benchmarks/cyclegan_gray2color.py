"""CycleGAN colourising grey photos without pairs, scored against the true colours (issue 15).

    PYTHONPATH=. python benchmarks/cyclegan_gray2color.py [--steps 1000] [--workers 2] [--quick]

Data: the CIFAR-10 test JPEGs in ``../shared/data/cifar10-jpeg/test`` at 32 px, shuffled with a
fixed seed; the last 10 % are held out. CycleGAN's domain A is the grey versions (BT.601, as 3
channels) of one half of the rest, domain B the colour images of the other half, so no training
pair exists (``dataset=gray2color_unpaired``). On the held-out images, G_AB(grey) is scored
against the true colour image with PSNR and SSIM (torchmetrics) and FID (the real Inception, when
its weights can be had offline), beside:

- **copy grey**: the grey image itself as the colour guess (the floor);
- **pix2pix** trained on the same training images *with* pairs (``dataset=gray2color_folder``,
  the same held-out split): the upper bound;
- two ablations of CycleGAN: identity loss off (``task.identity_weight=0``) and no image pool
  (``task.pool_size=0``).

All models train from seed 0 for the same number of G steps at batch 4 (``experiment=cyclegan_gray2color``:
widths 32, 6 residual blocks, a 2-layer PatchGAN), one thread per run, ``--workers`` runs at a time.
Writes docs/cyclegan_gray2color.md and docs/img/cyclegan_gray2color.png (``--quick``: a temp folder).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, SHARED_DATA, compose_config, machine_line, quiet_logging, run_in_workers
from paired_tasks import fid_of_patches, psnr_ssim, save_rows

CIFAR_JPEGS = SHARED_DATA / "cifar10-jpeg" / "test"
PREVIEW = 8


def runs(root: str, steps: int) -> dict[str, list[str]]:
    """Name -> overrides of every trained model."""
    cyclegan = ["experiment=cyclegan_gray2color", f"dataset.root={root}", f"g_steps={steps}"]
    return {
        "CycleGAN": cyclegan,
        "CycleGAN, identity off (λ_idt = 0)": [*cyclegan, "task.identity_weight=0"],
        "CycleGAN, no image pool": [*cyclegan, "task.pool_size=0"],
        "pix2pix with pairs (upper bound)": [
            "experiment=pix2pix_edges2digits",
            "dataset=gray2color_folder",
            f"dataset.root={root}",
            "data.batch_size=4",
            f"g_steps={steps}",
        ],
    }


def held_out(root: str, limit: int | None) -> dict[str, torch.Tensor]:
    """The held-out grey images (3 channels) and their true colours, as CycleGAN's test split gives them."""
    from gan_lab.builders import instantiate

    cfg = compose_config(
        [*QUIET, "task=unpaired", "model=unpaired/cyclegan", "dataset=gray2color_unpaired", f"dataset.root={root}"]
    )
    test = instantiate(cfg.dataset.source, split=cfg.dataset.eval_split)
    n = len(test) if limit is None else min(limit, len(test))
    items = [test[i] for i in range(n)]
    return {
        "gray": torch.stack([it["image_a"] for it in items]),
        "color": torch.stack([it["target_b"] for it in items]),
    }


def train_and_translate(task: tuple[str, list[str], str, int | None]) -> dict:
    """One run (in a worker process): train, then translate the held-out grey images."""
    name, overrides, root, limit = task
    torch.set_num_threads(1)
    quiet_logging()
    from gan_lab.train import train

    cfg = compose_config([*QUIET, "seed=0", *overrides], tempfile.mkdtemp(prefix="cyclegan_bench_"))
    start = time.perf_counter()
    module = train(cfg).lightning_module.eval()
    minutes = (time.perf_counter() - start) / 60
    gray = held_out(root, limit)["gray"]
    outputs = []
    for batch in gray.split(250):
        if module.task_family == "unpaired":
            outputs.append(module.translate(batch, "AtoB"))
        else:  # pix2pix takes the 1-channel luminance
            outputs.append(module.translate(batch[:, :1]))
    # numpy, not a tensor: torch pickles tensors as shared memory that dies with this worker process
    return {"name": name, "output": torch.cat(outputs).numpy(), "minutes": minutes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000, help="G steps of every model")
    parser.add_argument("--workers", type=int, default=2, help="runs trained at a time (one thread each)")
    parser.add_argument("--root", default=str(CIFAR_JPEGS), help="a folder of colour images")
    parser.add_argument("--quick", action="store_true", help="3 steps, 32 held-out images, no FID: a smoke run")
    args = parser.parse_args()
    quiet_logging()
    torch.set_num_threads(1)
    if not Path(args.root).is_dir():
        raise SystemExit(f"no image folder at {args.root}; pass --root /path/to/colour/photos")
    steps = 3 if args.quick else args.steps
    limit = 32 if args.quick else None
    out_dir = Path(tempfile.mkdtemp(prefix="cyclegan_bench_docs_")) if args.quick else DOCS
    start = time.perf_counter()
    plan = runs(args.root, steps)
    tasks = [(name, overrides, args.root, limit) for name, overrides in plan.items()]
    results = {r["name"]: r for r in run_in_workers(train_and_translate, tasks, args.workers, maxtasksperchild=1)}
    test = held_out(args.root, limit)
    rows = {"copy grey (floor)": test["gray"], **{name: torch.from_numpy(results[name]["output"]) for name in plan}}
    if args.quick:
        fid_note, fids = "FID skipped (--quick).", {}
    else:
        fid_note, fids = fid_of_patches(rows, test["color"])
    lines = [
        "# CycleGAN: unpaired colourisation scored against the true colours",
        "",
        f"Machine: {machine_line()}.",
        "",
        *(["**Quick smoke run: the numbers below mean nothing.**", ""] if args.quick else []),
        (
            f"Data: {args.root} at 32 px; {len(test['gray'])} held-out images (10 %, split seed 0). CycleGAN trains on "
            "grey versions of one half of the other images and colour versions of the other half (no pair); pix2pix "
            f"on all of them with pairs. Every model: seed 0, batch 4, {steps} G steps (`experiment=cyclegan_gray2color`"
            " / `pix2pix_edges2digits` settings, widths 32), one thread."
        ),
        "",
        "| method | PSNR (dB, RGB) | SSIM | FID vs true colours | training time |",
        "|---|---|---|---|---|",
    ]
    for name, output in rows.items():
        psnr, ssim = psnr_ssim(output, test["color"])
        fid = f"{fids[name]:.1f}" if name in fids else "—"
        minutes = f"{results[name]['minutes']:.1f} min" if name in results else "—"
        lines.append(f"| {name} | {psnr:.2f} | {ssim:.4f} | {fid} | {minutes} |")
    picture = out_dir / "img" / "cyclegan_gray2color.png"
    save_rows([("grey", test["gray"]), *list(rows.items())[1:], ("true colour", test["color"])], picture, n=PREVIEW)
    lines += [
        "",
        fid_note,
        "",
        (
            f"![rows, the same {PREVIEW} held-out images in each: grey input, CycleGAN, identity off, no pool, "
            "pix2pix, true colour](img/cyclegan_gray2color.png)"
        ),
        "",
        "Rows: grey input · CycleGAN · identity off · no pool · pix2pix (pairs) · true colour.",
        "",
        (
            f"Command: `PYTHONPATH=. python benchmarks/cyclegan_gray2color.py --steps {steps}`; "
            f"wall time {(time.perf_counter() - start) / 60:.1f} min with {args.workers} workers."
        ),
    ]
    page = out_dir / "cyclegan_gray2color.md"
    page.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written: {page}")


if __name__ == "__main__":
    main()

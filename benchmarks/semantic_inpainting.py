"""Semantic inpainting (Yeh et al., 2017) beside a mean fill and the feed-forward inpainter, on held-out digits.

    PYTHONPATH=. python benchmarks/semantic_inpainting.py                  # the setting on the page
    PYTHONPATH=. python benchmarks/semantic_inpainting.py --images 1000 --iterations 1000 --candidates 16 \
        --gan-steps 5000 --ff-steps 600                                     # the paper's search, all test digits

The test images and masks are those of the centre-hole section of ``benchmarks/paired_tasks.py``:
the first ``--images`` items of the ``inpaint_digits`` test split (the last 10 % of the bundled
MNIST digits at 32 px, a fixed centred 16 x 16 hole). Rows:

- **mean fill**: the hole filled with the training digits' mean pixel value;
- **feed-forward (context encoder)**: ``experiment=inpaint_center`` as paired_tasks.py trains it
  (width 16, ``--ff-steps`` G steps), applied in one forward pass;
- **semantic inpainting**: a noise -> image DCGAN of the default job's model (``model=dcgan``:
  width 32, spectral-norm D, ns loss, Adam 2e-4) trained ``--gan-steps`` G steps on the *training*
  90 % of the same digits at 32 px (the held-out digits are never seen), then the latent search of
  ``gan_lab.latent_inpainting`` per test image, with Poisson and with alpha blending.

Metrics: hole L1 ([0, 1] scale) and hole PSNR, per image then averaged, and the MNIST
classifier's accuracy on the filled digits (as paired_tasks.py). Writes docs/semantic_inpainting.md,
docs/bench_data/semantic_inpainting.json and docs/img/semantic_inpainting.png.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, compose_config, machine_line, quiet_logging
from paired_tasks import classifier, digit_scores, held_out, hole_scores, save_rows, translate_all

# The held-out split of inpaint_digits is the last holdout_fraction (0.1) of the bundled digits, unshuffled.
TRAIN_DIGITS = 9000
FF_WIDTH = ["model.generator.width=16", "model.discriminator.width=16"]


def timed_train(overrides: list[str], source: dict | None = None):
    """(module in eval mode, CPU seconds) of a quiet training run from seed 0 (``source``: replaces dataset.source)."""
    from omegaconf import OmegaConf, open_dict

    from gan_lab.train import train

    cfg = compose_config([*QUIET, "seed=0", *overrides], tempfile.mkdtemp(prefix="semantic_inpaint_"))
    if source is not None:
        with open_dict(cfg):
            cfg.dataset.source = OmegaConf.create(source)
    start = time.process_time()
    module = train(cfg).lightning_module.eval()
    return module, time.process_time() - start


def train_noise_to_image(steps: int):
    """The default job's DCGAN on the training digits only (32 px), ``steps`` G steps."""
    source = {
        "_target_": "torch.utils.data.Subset",
        "dataset": {"_target_": "gan_lab.datasets.BundledMNIST", "image_size": 32, "channels": 1},
        "indices": {"_target_": "builtins.range", "_args_": [0, TRAIN_DIGITS]},
    }
    return timed_train(["dataset=bundled_mnist", "dataset.image_size=32", f"g_steps={steps}"], source)


def semantic_fill(module, test: dict, args: argparse.Namespace) -> tuple[dict, float, dict, torch.Tensor]:
    """Filled digits with Poisson and alpha blending (one latent search serves both), CPU seconds, search stats."""
    from gan_lab.latent_inpainting import alpha_blend, inpaint_latents, poisson_blend

    generator = module.network("generator").eval()
    discriminator = module.discriminator.eval()
    start = time.process_time()
    generated, first, last = [], [], []
    for lo in range(0, len(test["target"]), args.batch):
        image = test["target"][lo : lo + args.batch]
        hole = test["mask"][lo : lo + args.batch]
        known = image * (1 - hole)  # the search sees only the known pixels
        result = inpaint_latents(
            generator,
            discriminator,
            known,
            hole,
            latent_dim=int(module.latent_dim),
            prior=str(module.prior),
            candidates=args.candidates,
            iterations=args.iterations,
            lr=args.lr,
            momentum=0.9,
            prior_weight=0.003,
            seed=lo,
        )
        generated.append(result.generated)
        first.append(result.context_history[0].mean())
        last.append(result.context_history[-1].min(1).values.mean())
    generated = torch.cat(generated)
    known = test["target"] * (1 - test["mask"])
    rows = {
        "semantic (Poisson blend)": poisson_blend(generated, known, test["mask"]),
        "semantic (alpha blend)": alpha_blend(generated, known, test["mask"]),
    }
    stats = {
        "context_loss_start": float(torch.stack(first).mean()),
        "context_loss_best_end": float(torch.stack(last).mean()),
    }
    return rows, time.process_time() - start, stats, generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch", type=int, default=50, help="images searched together")
    parser.add_argument("--gan-steps", type=int, default=2000)
    parser.add_argument("--ff-steps", type=int, default=600)
    parser.add_argument("--out", default=str(DOCS / "semantic_inpainting.md"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    quiet_logging()
    torch.manual_seed(0)
    wall = time.perf_counter()

    test = held_out(["dataset=inpaint_digits"], args.images)
    train_targets = held_out(["dataset=inpaint_digits", "dataset.eval_split=train"], 2000)["target"]
    mean_fill = test["source"] * (1 - test["mask"]) + float(train_targets.mean()) * test["mask"]

    feed_forward, ff_cpu = timed_train(["experiment=inpaint_center", f"g_steps={args.ff_steps}", *FF_WIDTH])
    print(f"feed-forward trained: {ff_cpu:.0f} CPU s", flush=True)
    gan, gan_cpu = train_noise_to_image(args.gan_steps)
    print(f"noise -> image GAN trained: {gan_cpu:.0f} CPU s", flush=True)
    semantic, search_cpu, stats, raw = semantic_fill(gan, test, args)
    print(f"latent search: {search_cpu:.0f} CPU s, {stats}", flush=True)

    rows = {
        "mean fill": mean_fill,
        "feed-forward (context encoder)": translate_all(feed_forward, test),
        **semantic,
    }
    model, info = classifier()
    results = {}
    for name, out in rows.items():
        l1, psnr = hole_scores(out, test["target"], test["mask"])
        accuracy = digit_scores(model, out, test["label"], test["target"])["accuracy"]
        results[name] = {"hole_l1": l1, "hole_psnr": psnr, "accuracy": accuracy}
        print(f"{name}: L1 {l1:.4f} PSNR {psnr:.2f} accuracy {accuracy:.4f}", flush=True)
    true_accuracy = digit_scores(model, test["target"], test["label"], test["target"])["accuracy"]
    save_rows(
        [("masked", test["source"]), *rows.items(), ("G(z) unblended", raw), ("target", test["target"])],
        DOCS / "img" / "semantic_inpainting.png",
    )
    (DOCS / "bench_data").mkdir(parents=True, exist_ok=True)
    record = {
        "args": vars(args),
        "cpu_seconds": {"feed_forward_training": ff_cpu, "gan_training": gan_cpu, "latent_search": search_cpu},
        "search": stats,
        "results": results,
        "true_digit_accuracy": true_accuracy,
        "classifier": info.name,
    }
    (DOCS / "bench_data" / "semantic_inpainting.json").write_text(json.dumps(record, indent=1))
    write_page(args, results, record, info, (time.perf_counter() - wall) / 60, Path(args.out))
    print(Path(args.out).read_text())


def write_page(args, results: dict, record: dict, info, wall_min: float, out: Path) -> None:
    cpu = record["cpu_seconds"]
    search = record["search"]
    lines = [
        "# Semantic inpainting with a trained GAN (Yeh et al., 2017)",
        "",
        "`python -m gan_lab.inpaint` fills the holes of a folder of images with any unconditional noise -> image "
        "checkpoint: for each image a batch of latent candidates is optimised on the weighted context loss plus "
        "λ_p × D's generator loss, the best candidate's sample is blended into the hole, and the known pixels stay "
        "exactly as they were.",
        "",
        "```bash",
        "python -m gan_lab.train g_steps=5000 dataset.image_size=32           # any noise -> image checkpoint",
        "python -m gan_lab.inpaint ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt input=digits/ \\",
        "    mask=center output=filled/                                        # center | random | left | mask.png",
        "python -m gan_lab.inpaint ... blend=alpha candidates=64 iterations=1500 prior_weight=0.1",
        "```",
        "",
        "Writes `filled/<stem>.png` per input (the generator's size) and `filled/grid.png` (input | masked | filled).",
        "",
        "## How (gan_lab/latent_inpainting/)",
        "",
        "- `context_loss.py`: Σ |W ⊙ (G(z) − y)| with W = 0 on missing pixels and, on each known pixel, the fraction "
        "of *missing* pixels in the 7 × 7 box around it (the paper's eq. 3; window edges mirrored as scipy's "
        "`convolve2d(boundary='symm')`). Known pixels next to the hole weigh most; those more than 3 px away do not "
        "count. The official code (moodoki/semantic_image_inpainting, `createWeightedMask`) convolves the *known* "
        'mask instead, and the issue text says "fraction of known pixels"; we follow the paper.',
        "- `optimise.py`: the prior loss is D's non-saturating generator loss softplus(−D(G(z))) (the official code's "
        "DCGAN `g_loss`), λ_p = 0.003 (the paper; the code's default is 0.1); `torch.optim.SGD` with Nesterov momentum "
        "0.9 and lr 0.01 (the official update is Nesterov's in the Sutskever form); after every step the latents are "
        "clamped to [−1, 1] for a uniform prior and, for the normal prior, each coordinate to [−3, 3] "
        "(`normal_bound`); the candidate with the lowest final objective is kept.",
        "- `blending.py`: `alpha` pastes the sample into the hole; `poisson` solves for the hole pixels whose discrete "
        "Laplacian equals the sample's, with the known pixels as boundary values (Pérez et al. 2003; a sparse LU solve "
        "with scipy, hand-written: scikit-image has no Poisson blending and OpenCV is not a dependency).",
        "",
        "## Benchmark: centre holes in held-out digits",
        "",
        f"`PYTHONPATH=. python benchmarks/semantic_inpainting.py --images {args.images} --candidates {args.candidates} "
        f"--iterations {args.iterations} --gan-steps {args.gan_steps} --ff-steps {args.ff_steps}` — {machine_line()}; "
        f"one process, one thread; {wall_min:.1f} min wall-clock on a 2-core machine shared with other jobs.",
        "",
        f"**Data.** The first {args.images} digits of the `inpaint_digits` test split (the last 10 % of the bundled "
        "MNIST digits, never trained on, at 32 px) with the fixed centred 16 × 16 hole: the same images and masks as "
        "the centre-hole section of [paired_tasks.md](paired_tasks.md) (which scores its first 1,000).",
        "",
        "**Rows.** *Mean fill*: the training digits' mean pixel value. *Feed-forward*: `experiment=inpaint_center` "
        f"at width 16 trained {args.ff_steps} G steps ({cpu['feed_forward_training'] / 60:.1f} CPU-min), the "
        "setting of paired_tasks.py's \"reconstruction + GAN (context encoder)\" row. *Semantic*: the default job's "
        f"model (DCGAN, width 32, spectral-norm D, ns loss, batch 64) trained {args.gan_steps} G steps (the default job: "
        f"5,000) on the first {TRAIN_DIGITS} bundled digits at 32 px ({cpu['gan_training'] / 60:.1f} CPU-min), then "
        f"the latent search with {args.candidates} candidates × {args.iterations} iterations per image (the paper: "
        f"64 × 1000; the command's defaults: 16 × 1000), lr {args.lr}, λ_p 0.003, N(0, I) prior clamped to ±3 "
        f"({cpu['latent_search'] / 60:.1f} CPU-min for all images). Mean context loss per candidate "
        f"{search['context_loss_start']:.2f} at the start, best candidate's {search['context_loss_best_end']:.2f} at "
        "the end.",
        "",
        "| method | hole L1 ([0, 1] scale) | hole PSNR (dB) | digit accuracy |",
        "|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['hole_l1']:.4f} | {r['hole_psnr']:.2f} | {r['accuracy']:.4f} |")
    lines += [
        f"| true digits (reference) | 0 | ∞ | {record['true_digit_accuracy']:.4f} |",
        "",
        f"Classifier: {info.name} ({info.accuracy:.4f} on {info.eval_split}); digits resized to 28 px for it, as in "
        "paired_tasks.md.",
        "",
        "Rows of the picture, the same 8 held-out digits in every row: masked input, mean fill, feed-forward, semantic "
        "(Poisson), semantic (alpha), the best candidate's G(z) before blending, the true digit.",
        "",
        "![semantic inpainting rows](img/semantic_inpainting.png)",
        "",
        "Per-row numbers and CPU times: `docs/bench_data/semantic_inpainting.json`.",
        "",
    ]
    out.write_text("\n".join(lines))


if __name__ == "__main__":
    main()

"""Text -> image on the captioned digits: caption consistency of the GAN-CLS model against an
unconditional DCGAN baseline (chance = 10 %), the thickness word, a classifier-feature FID, and pictures.

    PYTHONPATH=. python benchmarks/text_to_image.py [--g-steps 1500] [--per-caption 20]

Both models train from seed 0 for the same number of G steps, batch 64, DCGAN widths 32, in this
one process on one thread. Caption consistency: for each digit and thickness word ("a thin seven",
"a seven", "a bold seven") ``per_caption`` images; gan_lab's MNIST classifier (trained on the bundled
digits) names their digit (gan_lab/metrics/caption_consistency.py). The baseline ignores the
caption, so its consistency is chance by construction: it is measured anyway, as the floor.
Writes docs/text_to_image_results.md (its table is copied into docs/text_to_image.md) and docs/img/text2image_*.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, machine_line, quiet_logging
from common import train_run


def save_grid(images: torch.Tensor, nrow: int, path: Path) -> None:
    from gan_lab.metrics.sampling import to_uint8
    from gan_lab.sample import _grid, save_png

    path.parent.mkdir(parents=True, exist_ok=True)
    save_png(_grid(to_uint8(images), nrow), path)


def real_digits(n: int) -> torch.Tensor:
    from gan_lab.datasets import BundledMNIST

    data = BundledMNIST()
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(0))[:n]
    return torch.stack([data[int(i)][0] for i in order])


def evaluate(name: str, generate, classifier, real: torch.Tensor, per_caption: int) -> dict[str, float]:
    from gan_lab.metrics.caption_consistency import caption_consistency, digit_prompts
    from gan_lab.metrics.classifier_metrics import classifier_metrics

    torch.manual_seed(1)
    scores = caption_consistency(generate, classifier, per_caption)
    torch.manual_seed(2)
    captions, _, _ = digit_prompts(max(1, len(real) // 30))
    fake = torch.cat([generate(captions[i : i + 250]) for i in range(0, len(captions), 250)])
    scores["mnist_classifier_fid"] = classifier_metrics(classifier, fake, real, ("mnist_classifier_fid",))[
        "mnist_classifier_fid"
    ]
    print(name, {k: round(v, 4) for k, v in scores.items()}, flush=True)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--g-steps", type=int, default=1500)
    parser.add_argument("--per-caption", type=int, default=20)
    parser.add_argument("--text-overrides", nargs="*", default=[])
    parser.add_argument("--skip-concat", action="store_true", help="leave out the GAN-CLS concat-D row")
    args = parser.parse_args()
    torch.set_num_threads(1)
    quiet_logging()
    from gan_lab.metrics.mnist_classifier import load_or_train
    from gan_lab.metrics.sampling import draw_noise, generate_from_noise

    classifier, info = load_or_train(root=None, epochs=3)
    real = real_digits(3000)
    steps = [f"g_steps={args.g_steps}", "data.batch_size=64"]
    cpu0 = time.process_time()
    text_model, text_s = train_run(["experiment=text2image_digits", *steps, *args.text_overrides])
    results = {
        "text model, projection D (preset)": evaluate(
            "text", lambda c: text_model.generate_from_text(c).float().cpu(), classifier, real, args.per_caption
        ),
    }
    concat_s = 0.0
    if not args.skip_concat:
        concat_model, concat_s = train_run(
            ["experiment=text2image_digits", *steps, *args.text_overrides, "model.discriminator.conditioning=concat"]
        )
        results["text model, GAN-CLS concat D"] = evaluate(
            "concat", lambda c: concat_model.generate_from_text(c).float().cpu(), classifier, real, args.per_caption
        )
        del concat_model
    base_model, base_s = train_run(["dataset=bundled_mnist", "model=dcgan", *steps])
    seed = iter(range(10_000, 10**6, 1000))
    results |= {
        "unconditional DCGAN": evaluate(
            "baseline",
            lambda c: generate_from_noise(base_model, draw_noise(base_model, len(c), next(seed)), None)[0],
            classifier,
            real,
            args.per_caption,
        ),
    }
    cpu_minutes = (time.process_time() - cpu0) / 60

    # pictures: rows = digits, 4 "thin" then 4 "bold" with the same z and eps per column
    from gan_lab.datasets.captions.captioned_digits import digit_captions

    z = draw_noise(text_model, 4, 7).repeat(20, 1)
    eps = torch.randn(4, text_model.generator.augmentation.condition_dim, generator=torch.Generator().manual_seed(8))
    captions = [digit_captions(d, level)[0] for d in range(10) for level in (0, 2) for _ in range(4)]
    grid = text_model.generate_from_text(captions, z, condition_noise=eps.repeat(20, 1)).cpu()
    save_grid(grid, 8, DOCS / "img" / "text2image_digits.png")
    from gan_lab.utils.interpolation import interpolate

    starts = ["a thin one", "a bold one", "a three", "a thin four"]
    ends = ["a bold one", "a bold seven", "a eight", "a thin nine"]
    emb = interpolate(text_model.text_embedding(starts), text_model.text_embedding(ends), 8, spherical=False)
    z = draw_noise(text_model, 4, 9).repeat_interleave(8, 0)
    strip = text_model.generate_from_text(
        None, z, embedding=emb.reshape(32, -1), condition_noise=torch.zeros(32, eps.shape[1])
    ).cpu()
    save_grid(strip, 8, DOCS / "img" / "text2image_caption_interpolation.png")

    rows = [
        '| model | caption consistency | "a thin …" | "a …" | "a bold …" | bold inkier than thin (of 10 digits) '
        "| ink px thin / bold | classifier FID |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {100 * r['caption_consistency']:.1f} % | {100 * r['consistency_thin']:.1f} % | "
            f"{100 * r['consistency_plain']:.1f} % | {100 * r['consistency_bold']:.1f} % | "
            f"{round(10 * r['bold_over_thin'])} | {r['ink_thin']:.0f} / {r['ink_bold']:.0f} | "
            f"{r['mnist_classifier_fid']:.1f} |"
        )
    page = [
        "<!-- written by benchmarks/text_to_image.py -->",
        f"Machine: {machine_line()}.",
        "",
        f"Setting: {args.g_steps} G steps, batch 64, seed 0, DCGAN widths 32 (text model: experiment=text2image_digits "
        f"{' '.join(args.text_overrides)}; baseline: model=dcgan on bundled_mnist). {args.per_caption} images per "
        f"caption x 30 captions. Classifier: {info.accuracy * 100:.2f} % on {info.eval_split}. Train time "
        f"{text_s / 60:.1f} min (text, projection), {concat_s / 60:.1f} min (text, concat) and {base_s / 60:.1f} min "
        f"(baseline) wall, {cpu_minutes:.1f} CPU-minutes in all "
        "(one thread, on a machine shared with other jobs).",
        "",
        *rows,
        "",
        "![rows: digits 0-9; columns: 4 x 'a thin <digit>' then 4 x 'a bold <digit>', same z per column]"
        "(img/text2image_digits.png)",
        "",
        "![caption interpolation, one z per row: thin one -> bold one, bold one -> bold seven, three -> eight, "
        "thin four -> thin nine](img/text2image_caption_interpolation.png)",
    ]
    (DOCS / "text_to_image_results.md").write_text("\n".join(page) + "\n")
    print("\n".join(page))


if __name__ == "__main__":
    main()

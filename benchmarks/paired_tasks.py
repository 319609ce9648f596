"""The paired family's three setups side by side, each on held-out images it never trained on.

    PYTHONPATH=. python benchmarks/paired_tasks.py [--quick] [--only sr,sr_cifar,pix2pix,inpaint]

- **Super-resolution on real photos** (the colour photographs inside scikit-image's wheel):
  bicubic vs SRResNet (pixel L1 only) vs SRGAN (started from that SRResNet with ``init_from``,
  then L1 x 1 + GAN x 1e-3, SRGAN's weighting without its VGG term), x2.
  PSNR and SSIM on RGB with a border of ``scale`` pixels cropped (BasicSR's protocol, RGB rather
  than Y), and FID of SR patches against HR patches with the real Inception when the
  ``fid`` extra is installed (the perceptual metric: no LPIPS backbone can be had offline).
- **Super-resolution on CIFAR-10** (the 32 px JPEGs in ``../shared/data``, 1,000 held out): the
  same three rows (SRGAN at adversarial x 1e-3 and x 5e-3), with the FID of whole outputs.
- **pix2pix edges -> digits** (bundled MNIST at 32 px): L1 only vs L1 + GAN. PSNR, the MNIST
  classifier's accuracy on the outputs (the digit the edges came from) and the
  classifier-feature FID of outputs against the true digits.
- **Centre-hole inpainting** (bundled MNIST at 32 px, a 16 px hole): mean fill vs
  reconstruction only vs reconstruction + GAN. L1 and PSNR on the hole, classifier accuracy.

Every model trains from the same seed for the same number of G steps. The pictures show the
same held-out inputs across rows. Writes docs/paired_tasks.md and docs/img/paired_*.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DOCS, QUIET, SHARED_DATA, compose_config, machine_line, quiet_logging  # noqa: E402
from common import train_run

SR_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field", "retina", "cat")
SR_TEST = ("coffee", "rocket")  # held out: never seen in training


def to_unit(x: torch.Tensor) -> torch.Tensor:
    return ((x.float() + 1) / 2).clamp(0, 1)


def psnr_ssim(output: torch.Tensor, target: torch.Tensor, border: int = 0) -> tuple[float, float]:
    from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

    out, tgt = to_unit(output), to_unit(target)
    if border:
        out, tgt = out[..., border:-border, border:-border], tgt[..., border:-border, border:-border]
    # per image, then averaged (the SR papers' convention)
    psnr = torch.stack([peak_signal_noise_ratio(o[None], t[None], data_range=1.0) for o, t in zip(out, tgt)])
    ssim = structural_similarity_index_measure(
        out, tgt, data_range=1.0, gaussian_kernel=True, sigma=1.5, kernel_size=11
    )
    return float(psnr.mean()), float(ssim)


def held_out(dataset_overrides: list[str], n: int) -> dict[str, torch.Tensor]:
    """The first ``n`` items of the test split of a paired dataset config."""
    from hydra.utils import instantiate

    cfg = compose_config([*QUIET, *dataset_overrides])
    dataset = instantiate(cfg.dataset.source, split=cfg.dataset.eval_split)
    items = [dataset[i] for i in range(min(n, len(dataset)))]
    return {k: torch.stack([torch.as_tensor(item[k]) for item in items]) for k in items[0]}


def translate_all(module, batch: dict[str, torch.Tensor], size: int = 64) -> torch.Tensor:
    outputs = []
    for start in range(0, len(batch["source"]), size):
        mask = batch["mask"][start : start + size] if "mask" in batch else None
        outputs.append(module.translate(batch["source"][start : start + size], mask))
    return torch.cat(outputs)


def classifier():
    from gan_lab.metrics.mnist_classifier import load_or_train

    root = str(SHARED_DATA) if (SHARED_DATA / "MNIST").is_dir() else None
    model, info = load_or_train(None, root=root)
    return model, info


def digit_scores(model, images: torch.Tensor, labels: torch.Tensor, reference: torch.Tensor) -> dict[str, float]:
    from gan_lab.metrics.classifier_metrics import classifier_metrics, classify

    small = F.interpolate(images.float(), size=28, mode="bilinear", antialias=True, align_corners=False)
    real = F.interpolate(reference.float(), size=28, mode="bilinear", antialias=True, align_corners=False)
    predictions, _ = classify(model, small)
    fid = classifier_metrics(model, small, real, ("mnist_classifier_fid",))["mnist_classifier_fid"]
    return {"accuracy": float((predictions == labels).float().mean()), "classifier_fid": fid}


def save_rows(rows: list[tuple[str, torch.Tensor]], path: Path, n: int = 8, min_size: int = 0) -> None:
    """One grid row per method, the same inputs in every row (labelled in the page's caption),
    each image enlarged (nearest neighbour) to the largest row's size, and to ``min_size`` at least."""
    from torchvision.utils import save_image

    size = max(min_size, *(r.shape[-1] for _, r in rows))
    images = []
    for _, row in rows:
        row = row[:n].float()
        row = row.expand(-1, 3, -1, -1) if row.shape[1] == 1 else row
        images.append(F.interpolate(row, size=size, mode="nearest"))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(torch.cat(images), path, nrow=n, normalize=True, value_range=(-1, 1), padding=2)


# ------------------------------------------------------------------------- super-resolution
def photo_folders(root: Path) -> tuple[Path, Path]:
    """The skimage photos as PNGs: training photos and held-out photos in two folders. Each
    training photo is linked 32 times, so that an epoch draws 32 random crops from it."""
    import numpy as np
    import skimage.data
    from PIL import Image

    train_dir, test_dir = root / "train", root / "test"
    for folder in (train_dir, test_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for name in SR_PHOTOS:
        array = getattr(skimage.data, name)()
        # stored at the training resolution (384 px), so that no step pays for decoding a large photo
        image = Image.fromarray(np.ascontiguousarray(array)).convert("RGB").resize((384, 384), Image.BICUBIC)
        if name in SR_TEST:
            image.save(test_dir / f"{name}.png")
            continue
        image.save(train_dir / f"{name}_00.png")
        for copy in range(1, 32):
            (train_dir / f"{name}_{copy:02d}.png").hardlink_to(train_dir / f"{name}_00.png")
    return train_dir, test_dir


SR_COMMON = [
    "experiment=sr_digits_x2",
    "dataset=sr_folder",
    "dataset.scale=2",
    "dataset.holdout_fraction=0.0001",  # the held-out images live in a folder of their own
    "model.generator.num_blocks=8",
    "task.pixel_weight=1.0",
    "task.pretrain_g_steps=0",
]


def train_sr_models(
    common: list[str], steps: int, gan_steps: int, pixel_lr: float, adversarial_weights: tuple[float, ...], root: Path
) -> tuple[object, dict[float, object], float, float]:
    """SRResNet (``steps`` G steps of pixel L1 at ``pixel_lr``), then one SRGAN per adversarial weight,
    each started from that SRResNet (``init_from``) for ``gan_steps`` more: ``(srresnet, srgans, t1, t2)``
    with the wall seconds of the SRResNet and of all SRGANs."""
    # D still trains in an L1-only run (the loop's step accounting), but nothing reaches G from it:
    # a width-4 D keeps that wasted work small
    srresnet, t1 = train_run(
        [
            *common,
            f"g_steps={steps}",
            "task.adversarial_weight=0.0",
            f"optimizer.generator.lr={pixel_lr}",
            "model.discriminator.width=4",
        ]
    )
    init = root / "srresnet.ckpt"
    torch.save({"state_dict": srresnet.state_dict()}, init)
    srgans, t2 = {}, 0.0
    for weight in adversarial_weights:
        srgans[weight], seconds = train_run(
            [*common, f"g_steps={gan_steps}", f"task.adversarial_weight={weight}", f"init_from.ckpt_path={init}"]
        )
        t2 += seconds
    return srresnet, srgans, t1, t2


def sr_rows(lr: torch.Tensor, srresnet, srgans: dict[float, object], batch: int = 250) -> dict[str, torch.Tensor]:
    """Bicubic, SRResNet and each SRGAN on the same LR inputs (in batches of ``batch``)."""

    def run(model) -> torch.Tensor:
        with torch.no_grad():
            return torch.cat([model.translate(lr[i : i + batch]) for i in range(0, len(lr), batch)])

    bicubic = F.interpolate(lr, scale_factor=2, mode="bicubic", align_corners=False).clamp(-1, 1)
    rows = {"bicubic": bicubic, "SRResNet (L1)": run(srresnet)}
    rows.update({f"SRGAN (adversarial x {w:g})" if len(srgans) > 1 else "SRGAN": run(m) for w, m in srgans.items()})
    return rows


def sr_table(
    rows: dict[str, torch.Tensor], hr: torch.Tensor, fids: dict[str, float], fid_column: str
) -> tuple[list[str], dict]:
    lines = [f"| method | PSNR (dB, RGB, border 2) | SSIM | {fid_column} |", "|---|---|---|---|"]
    results = {}
    for name, out in rows.items():
        psnr, ssim = psnr_ssim(out, hr, border=2)
        results[name] = {"psnr": psnr, "ssim": ssim, "fid": fids.get(name)}
        fid = f"{fids[name]:.1f}" if name in fids else "—"
        lines.append(f"| {name} | {psnr:.2f} | {ssim:.4f} | {fid} |")
    return lines, results


def super_resolution(
    quick: bool, steps: int = 3000, gan_steps: int = 1000, width: int = 32, pixel_lr: float = 2e-4
) -> tuple[list[str], dict]:
    """SRResNet trains ``steps`` G steps on pixel L1 at learning rate ``pixel_lr`` (ESRGAN's PSNR-oriented
    pretraining uses 2e-4; SRGAN's paper 1e-4). SRGAN then starts from that generator, as in the
    paper (``init_from``), and trains ``gan_steps`` more with SRGAN's weighting for a pixel
    content loss: content x 1 + adversarial x 1e-3 (Ledig et al. 2017, eq. 3; no VGG term, since
    no VGG weights can be had offline) at the paper's GAN-phase rate 1e-4."""
    root = Path(tempfile.mkdtemp(prefix="sr_photos_"))
    train_dir, test_dir = photo_folders(root)
    steps, gan_steps = (40, 20) if quick else (steps, gan_steps)
    common = [
        *SR_COMMON,
        f"dataset.root={train_dir}",
        "dataset.image_size=64",
        "dataset.load_size=384",
        f"model.generator.width={width}",
        f"model.discriminator.width={width}",
        "data.batch_size=8",
    ]
    srresnet, srgans, t1, t2 = train_sr_models(common, steps, gan_steps, pixel_lr, (1e-3,), root)
    # held-out photos at 384 px: LR 192 px, SR back to 384 px (the generator is fully convolutional)
    from gan_lab.datasets import ImageFolderImages
    from gan_lab.datasets.paired import bicubic_downsample

    hr = torch.stack([img for img, _ in ImageFolderImages(str(test_dir), 384, 3)])
    lr = torch.stack([bicubic_downsample(h, 2) for h in hr])
    rows = sr_rows(lr, srresnet, srgans)
    patches = lambda x: x.unfold(2, 64, 64).unfold(3, 64, 64).permute(0, 2, 3, 1, 4, 5).reshape(-1, 3, 64, 64)  # noqa: E731
    fid_note, fids = fid_of_patches({k: patches(v) for k, v in rows.items()}, patches(hr))
    lines = [
        f"SRResNet: {steps} G steps of pixel L1 (learning rate {pixel_lr:g}) on 64 px HR crops of "
        f"{len(SR_PHOTOS) - len(SR_TEST)} photos ({', '.join(n for n in SR_PHOTOS if n not in SR_TEST)}), "
        f"{t1 / 60:.1f} min. SRGAN: initialised from that SRResNet (`init_from`), then {gan_steps} G steps "
        f"of L1 x 1 + GAN x 1e-3 (SRGAN's weighting, no VGG term), {t2 / 60:.1f} min. Tested on the held-out "
        f"photos {', '.join(SR_TEST)} at 384 px (LR 192 px).",
        "",
    ]
    table, results = sr_table(rows, hr, fids, "FID of 64 px patches")
    lines += [*table, "", fid_note]
    save_rows([("HR", hr), *rows.items()], DOCS / "img" / "paired_sr.png", n=len(hr))
    lines += ["", "![SR rows: HR, bicubic, SRResNet, SRGAN](img/paired_sr.png)"]
    return lines, results


CIFAR_JPEGS = SHARED_DATA / "cifar10-jpeg" / "test"


def cifar_folders(root: Path, test_every: int) -> tuple[Path, Path]:
    """The CIFAR-10 test JPEGs split by links: every ``test_every``-th file (in sorted order, so
    every class) held out, the rest for training."""
    if not CIFAR_JPEGS.is_dir():
        raise SystemExit(f"the CIFAR-10 JPEGs are not at {CIFAR_JPEGS} (see ../shared/README.md)")
    train_dir, test_dir = root / "train", root / "test"
    for folder in (train_dir, test_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for i, file in enumerate(sorted(CIFAR_JPEGS.rglob("*.jpg"))):
        folder = test_dir if i % test_every == 0 else train_dir
        (folder / f"{file.parent.name}_{file.stem}.jpg").symlink_to(file)
    return train_dir, test_dir


def super_resolution_cifar(
    quick: bool,
    steps: int = 3000,
    gan_steps: int = 1500,
    width: int = 32,
    pixel_lr: float = 2e-4,
    test_every: int = 10,
) -> tuple[list[str], dict]:
    """x2 SR (16 -> 32 px) on the CIFAR-10 JPEGs: 9,000 training images and 1,000 held out (every
    ``test_every``-th), enough for an FID of whole outputs against their targets. Same recipe as
    :func:`super_resolution`, with SRGAN at SRGAN's weighting (adversarial x 1e-3) and at a
    stronger 5e-3."""
    root = Path(tempfile.mkdtemp(prefix="sr_cifar_"))
    steps, gan_steps, test_every = (40, 20, 100) if quick else (steps, gan_steps, test_every)
    train_dir, test_dir = cifar_folders(root, test_every)
    common = [
        *SR_COMMON,
        f"dataset.root={train_dir}",
        "dataset.image_size=32",
        "dataset.load_size=32",
        f"model.generator.width={width}",
        f"model.discriminator.width={width}",
        "data.batch_size=32",
    ]
    weights = (1e-3, 5e-3)
    srresnet, srgans, t1, t2 = train_sr_models(common, steps, gan_steps, pixel_lr, weights, root)
    from gan_lab.datasets import ImageFolderImages
    from gan_lab.datasets.paired import bicubic_downsample

    hr = torch.stack([img for img, _ in ImageFolderImages(str(test_dir), 32, 3)])
    lr = torch.stack([bicubic_downsample(h, 2) for h in hr])
    rows = sr_rows(lr, srresnet, srgans)
    fid_note, fids = fid_of_patches(rows, hr)
    lines = [
        f"Data: the CIFAR-10 test split as JPEGs (`../shared/data/cifar10-jpeg`, 32 px): every {test_every}th "
        f"file held out ({len(hr)} images, all classes), the other {len(list(train_dir.iterdir()))} for training; "
        "LR = bicubic down-sampling to 16 px. SRResNet (8 residual blocks, width "
        f"{width}): {steps} G steps of pixel L1 (learning rate {pixel_lr:g}), batch 32, {t1 / 60:.1f} min. SRGAN: "
        f"initialised from that SRResNet (`init_from`), then {gan_steps} G steps of L1 x 1 + GAN x w (vanilla GAN, "
        f"VGG-style D of width {width}, learning rate 1e-4) for w = 1e-3 (SRGAN's weighting of a pixel content "
        f"loss, Ledig et al. 2017 eq. 3; no VGG term) and w = 5e-3 (ESRGAN's adversarial weight), {t2 / 60:.1f} "
        "min for both. The real Inception's FID of the outputs against their HR targets is the "
        "perceptual metric (no LPIPS backbone offline); the JPEG targets make it not a standard CIFAR-10 FID.",
        "",
    ]
    table, results = sr_table(rows, hr, fids, f"FID ({len(hr):,} outputs vs HR)")
    lines += [*table, "", fid_note.replace("patches", "images")]
    one_per_class = slice(0, None, max(len(hr) // 10, 1))  # the held-out files are in class order
    picture = [("HR", hr[one_per_class]), *((k, v[one_per_class]) for k, v in rows.items())]
    save_rows(picture, DOCS / "img" / "paired_sr_cifar.png", n=10, min_size=96)
    lines += [
        "",
        "![SR on CIFAR-10: HR, bicubic, SRResNet, SRGAN x 1e-3, SRGAN x 5e-3 (rows)](img/paired_sr_cifar.png)",
    ]
    return lines, results


def fid_of_patches(rows: dict[str, torch.Tensor], reference: torch.Tensor) -> tuple[str, dict[str, float]]:
    try:
        from gan_lab.metrics import fidelity

        path = fidelity.resolve_inception_weights(None, False)
        if path is None:
            return "FID: no Inception weights available (install the `fid` extra).", {}
        extractor = fidelity.InceptionFeatures(path, "cpu", 32, "auto", compile="false")
        from gan_lab.metrics.sampling import to_uint8

        real = extractor.from_tensor(to_uint8(reference))
        fids = {}
        for name, images in rows.items():
            values, _ = fidelity.compute_metrics(["fid"], extractor.from_tensor(to_uint8(images)), real, 10, 10, 100, 3)
            fids[name] = float(values["fid"])
        return (
            f"FID: {len(reference)} patches per row, Inception weights {path.name if hasattr(path, 'name') else path}.",
            fids,
        )
    except Exception as err:  # noqa: BLE001  (the page says why the column is empty)
        return f"FID not computed: {type(err).__name__}: {err}", {}


# ------------------------------------------------------------------------------- pix2pix
def pix2pix(quick: bool, steps: int = 600, width: int = 16) -> tuple[list[str], dict]:
    steps = 30 if quick else steps
    common = [
        "experiment=pix2pix_edges2digits",
        f"g_steps={steps}",
        f"model.generator.width={width}",
        f"model.discriminator.width={width}",
    ]
    l1_only, t1 = train_run([*common, "task.adversarial_weight=0.0"])
    with_gan, t2 = train_run(common)
    test = held_out(["dataset=edges2digits"], 1000)
    model, info = classifier()
    rows = {"L1 only": translate_all(l1_only, test), "L1 + GAN (pix2pix)": translate_all(with_gan, test)}
    lines = [
        f"Trained {steps} G steps each (U-Net and 2-layer PatchGAN at width {width}, batch 16); "
        f"{len(test['target'])} held-out digits. L1 only: {t1 / 60:.1f} min, L1 + GAN: {t2 / 60:.1f} min. "
        f"Classifier: {info.name} ({info.accuracy:.4f} on {info.eval_split}).",
        "",
        "| method | PSNR (dB) | digit accuracy | classifier FID |",
        "|---|---|---|---|",
    ]
    results = {}
    real_scores = digit_scores(model, test["target"], test["label"], test["target"])
    lines.append(f"| true digits (reference) | — | {real_scores['accuracy']:.4f} | 0 |")
    for name, out in rows.items():
        psnr, _ = psnr_ssim(out, test["target"])
        scores = digit_scores(model, out, test["label"], test["target"])
        results[name] = {"psnr": psnr, **scores}
        lines.append(f"| {name} | {psnr:.2f} | {scores['accuracy']:.4f} | {scores['classifier_fid']:.2f} |")
    save_rows(
        [("edges", test["source"]), *rows.items(), ("target", test["target"])], DOCS / "img" / "paired_pix2pix.png"
    )
    lines += ["", "![pix2pix rows: edges, L1 only, L1 + GAN, target](img/paired_pix2pix.png)"]
    return lines, results


# ---------------------------------------------------------------------------- inpainting
def hole_scores(output: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> tuple[float, float]:
    out, tgt = to_unit(output), to_unit(target)
    hole = mask.expand_as(out)
    l1 = float(((out - tgt).abs() * hole).sum() / hole.sum())
    mse = ((out - tgt) ** 2 * hole).flatten(1).sum(1) / hole.flatten(1).sum(1)
    return l1, float((10 * torch.log10(1.0 / mse.clamp_min(1e-10))).mean())


def inpainting(quick: bool, steps: int = 600, width: int = 16) -> tuple[list[str], dict]:
    steps = 30 if quick else steps
    common = [
        "experiment=inpaint_center",
        f"g_steps={steps}",
        f"model.generator.width={width}",
        f"model.discriminator.width={width}",
    ]
    reconstruction, t1 = train_run([*common, "task.adversarial_weight=0.0"])
    with_gan, t2 = train_run(common)
    test = held_out(["dataset=inpaint_digits"], 1000)
    train_targets = held_out(["dataset=inpaint_digits", "dataset.eval_split=train"], 2000)["target"]
    mean_value = float(train_targets.mean())
    mean_fill = test["source"] * (1 - test["mask"]) + mean_value * test["mask"]
    rows = {
        "mean fill": mean_fill,
        "reconstruction only (L2)": translate_all(reconstruction, test),
        "reconstruction + GAN (context encoder)": translate_all(with_gan, test),
    }
    model, _ = classifier()
    lines = [
        f"Trained {steps} G steps each (U-Net and 2-layer PatchGAN at width {width}, batch 16); {len(test['target'])} held-out "
        f"digits with a centred 16x16 hole (fixed masks). Reconstruction only: {t1 / 60:.1f} min, + GAN: {t2 / 60:.1f} min. "
        "The mean fill uses the training digits' mean pixel value.",
        "",
        "| method | hole L1 ([0, 1] scale) | hole PSNR (dB) | digit accuracy |",
        "|---|---|---|---|",
    ]
    results = {}
    for name, out in rows.items():
        l1, psnr = hole_scores(out, test["target"], test["mask"])
        accuracy = digit_scores(model, out, test["label"], test["target"])["accuracy"]
        results[name] = {"hole_l1": l1, "hole_psnr": psnr, "accuracy": accuracy}
        lines.append(f"| {name} | {l1:.4f} | {psnr:.2f} | {accuracy:.4f} |")
    save_rows(
        [("masked", test["source"]), *rows.items(), ("target", test["target"])], DOCS / "img" / "paired_inpaint.png"
    )
    lines += ["", "![inpainting rows: masked, mean fill, reconstruction, + GAN, target](img/paired_inpaint.png)"]
    return lines, results


SECTIONS = {
    "sr": ("Super-resolution x2 on real photos", super_resolution),
    "sr_cifar": ("Super-resolution x2 on CIFAR-10", super_resolution_cifar),
    "pix2pix": ("pix2pix: edges -> digits", pix2pix),
    "inpaint": ("Centre-hole inpainting", inpainting),
}


def settings(text: str) -> dict[str, dict[str, float]]:
    """``"pix2pix.steps=2000,pix2pix.width=32"`` -> ``{"pix2pix": {"steps": 2000, "width": 32}}``."""
    out: dict[str, dict[str, float]] = {}
    for item in filter(None, text.split(",")):
        key, value = item.split("=")
        section, name = key.split(".")
        out.setdefault(section, {})[name] = int(value) if value.lstrip("-").isdigit() else float(value)
    return out


def merged_page(path: Path, header: list[str], new_sections: dict[str, list[str]]) -> list[str]:
    """The page with the sections just run replaced and the others kept as they were."""
    old: dict[str, list[str]] = {}
    if path.exists():
        current = None
        for line in path.read_text().splitlines():
            if line.startswith("## "):
                current = line[3:].strip()
                old[current] = []
            elif current is not None:
                old[current].append(line)
    page = list(header)
    for title, _ in SECTIONS.values():
        body = new_sections.get(title, old.get(title))
        if body is not None:
            page += [f"## {title}", *body]
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few steps (numbers meaningless)")
    parser.add_argument(
        "--only", default="sr,sr_cifar,pix2pix,inpaint", help="sections to run; the page keeps the others"
    )
    parser.add_argument("--set", default="", help="per-section settings, e.g. pix2pix.steps=2000,pix2pix.width=32")
    args = parser.parse_args()
    if args.quick:  # a smoke run must not overwrite the page's pictures: write everything to a temp folder
        global DOCS
        DOCS = Path(tempfile.mkdtemp(prefix="paired_bench_docs_"))
        print(f"quick run: writing to {DOCS}")
    quiet_logging()
    torch.manual_seed(0)
    header = ["# Paired image-to-image benchmarks", "", f"Machine (latest run): {machine_line()}.", ""]
    if args.quick:
        header += ["**Quick smoke run: the numbers below mean nothing.**", ""]
    overrides = settings(args.set)
    sections: dict[str, list[str]] = {}
    for key in args.only.split(","):
        title, run = SECTIONS[key]
        start, cpu_start = time.perf_counter(), time.process_time()
        lines, _ = run(args.quick, **overrides.get(key, {}))
        command = f"PYTHONPATH=. python benchmarks/paired_tasks.py --only {key}" + (
            f" --set {','.join(f'{key}.{k}={v}' for k, v in overrides[key].items())}" if key in overrides else ""
        )
        sections[title] = [
            "",
            *lines,
            "",
            f"Section wall time: {(time.perf_counter() - start) / 60:.1f} min, CPU time "
            f"{(time.process_time() - cpu_start) / 60:.1f} min ({machine_line()}). Command: `{command}`.",
            "",
        ]
        print("\n".join(sections[title]), flush=True)
    path = DOCS / ("paired_tasks_quick.md" if args.quick else "paired_tasks.md")
    path.write_text("\n".join(merged_page(path, header, sections)) + "\n")


if __name__ == "__main__":
    main()

"""Write samples of a checkpoint: a grid, single PNGs for external tools, a latent interpolation strip.

    python -m gan_lab.sample ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt num_images=1000

Single images are converted exactly as the metrics convert generated tensors
(``round((x + 1) * 127.5)``), so ``evaluate input1=<folder>`` scores them like the
tensors themselves. Conditional models: one grid row per class.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import hydra
import torch
from omegaconf import DictConfig
from PIL import Image

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.cli import report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError
from gan_lab.metrics.sampling import generate_samples, to_uint8, which_generator

log = logging.getLogger("gan_lab.sample")


def _grid(images: torch.Tensor, nrow: int) -> torch.Tensor:
    """uint8 ``[N, C, H, W]`` -> one uint8 ``[C, rows*(H+2)+2, nrow*(W+2)+2]`` image (2 px black padding)."""
    from torchvision.utils import make_grid

    return make_grid(images, nrow=nrow, padding=2, pad_value=0)


def save_png(image: torch.Tensor, path: Path) -> None:
    """uint8 ``[C, H, W]`` -> PNG (grey for one channel)."""
    array = image.permute(1, 2, 0).cpu().numpy()
    Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array).save(path)


def interpolation_latents(module, rows: int, steps: int, seed: int) -> torch.Tensor:  # noqa: ANN001
    """``[rows * steps, latent_dim]``: per row, evenly spaced points on the line between two prior draws."""
    rng = torch.Generator().manual_seed(seed + 1)
    shape = (rows, int(module.latent_dim))
    if getattr(module, "prior", "normal") == "uniform":
        a, b = torch.rand(shape, generator=rng) * 2 - 1, torch.rand(shape, generator=rng) * 2 - 1
    else:
        a, b = torch.randn(shape, generator=rng), torch.randn(shape, generator=rng)
    t = torch.linspace(0, 1, steps).view(1, steps, 1)
    return (a.unsqueeze(1) * (1 - t) + b.unsqueeze(1) * t).reshape(rows * steps, -1)


@torch.no_grad()
def _run_latents(module, z: torch.Tensor, labels: torch.Tensor | None, use_ema: bool) -> torch.Tensor:  # noqa: ANN001
    net, _ = which_generator(module, use_ema)
    was = net.training
    net.eval()
    try:
        return (net(z, labels) if labels is not None else net(z)).float().cpu()
    finally:
        net.train(was)


# The counts of conf/sample.yaml and the least each may be.
COUNT_MINIMUMS = {
    "num_images": 0,
    "grid_size": 1,
    "per_class": 1,
    "interpolation_rows": 0,
    "interpolation_steps": 2,
    "num_points": 1,
    "seed": 0,
}


def check_counts(cfg: DictConfig) -> None:
    for key, minimum in COUNT_MINIMUMS.items():
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise GanLabError(f"{key}={value!r} must be a whole number >= {minimum}")


def default_output_dir(ckpt: Path) -> Path:
    """``<run>/samples_<checkpoint name>`` beside the run's other outputs (the checkpoint's own
    folder when it is not in a run's ``checkpoints/``)."""
    folder = ckpt.parent.parent if ckpt.parent.name == "checkpoints" else ckpt.parent
    return folder / f"samples_{ckpt.stem}"


def sample(cfg: DictConfig) -> Path:
    from gan_lab.checkpointing.loading import load_checkpoint

    check_counts(cfg)
    module, run_cfg, _ = load_checkpoint(cfg.ckpt_path)
    module.to(cfg.device)
    ckpt = Path(str(cfg.ckpt_path)).expanduser().resolve()
    out = Path(cfg.output_dir) if cfg.get("output_dir") else default_output_dir(ckpt)
    out.mkdir(parents=True, exist_ok=True)
    _, kind = which_generator(module, cfg.use_ema)
    num_classes = getattr(module, "num_classes", None)

    if run_cfg.dataset.get("kind") == "points":
        from gan_lab.callbacks.sample_previews import SamplePreviews

        points, _ = generate_samples(module, int(cfg.num_points), 1000, cfg.seed, cfg.use_ema)
        with open(out / "points.csv", "w") as f:
            f.write("x,y\n" + "".join(f"{x:.6f},{y:.6f}\n" for x, y in points.tolist()))
        SamplePreviews._scatter(points, None, out / "scatter.png", int(module.generator_steps))
        print(f"{len(points)} points ({kind} generator) written to {out}/points.csv and scatter.png")
        return out

    # grid
    if num_classes:
        per = int(cfg.per_class)
        labels = torch.arange(int(num_classes)).repeat_interleave(per)
        grid_imgs, _ = generate_samples(module, len(labels), 256, cfg.seed, cfg.use_ema, labels=labels)
        nrow = per
    else:
        grid_imgs, _ = generate_samples(module, int(cfg.grid_size), 256, cfg.seed, cfg.use_ema)
        nrow = int(math.sqrt(int(cfg.grid_size))) or 1
    save_png(_grid(to_uint8(grid_imgs), nrow), out / "grid.png")

    # single images
    n = int(cfg.num_images)
    if n > 0:
        folder = out / "images"
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        for start in range(0, n, 500):
            imgs, _ = generate_samples(module, min(500, n - start), 256, cfg.seed + start, cfg.use_ema)
            for i, image in enumerate(to_uint8(imgs)):
                save_png(image, folder / f"{start + i:06d}.png")

    # interpolation strip
    rows, steps = int(cfg.interpolation_rows), int(cfg.interpolation_steps)
    z = interpolation_latents(module, rows, steps, int(cfg.seed)).to(module.device)
    labels = (torch.arange(rows) % int(num_classes)).repeat_interleave(steps).to(module.device) if num_classes else None
    strip = _run_latents(module, z, labels, cfg.use_ema)
    save_png(_grid(to_uint8(strip), steps), out / "interpolation.png")
    print(
        f"{kind} generator, {int(module.generator_steps)} G steps: grid.png, {n} images in images/, interpolation.png -> {out}"
    )
    return out


@hydra.main(version_base="1.3", config_path=config_dir(), config_name="sample")
@report_user_errors
def main(cfg: DictConfig) -> None:
    sample(cfg)


if __name__ == "__main__":
    main()

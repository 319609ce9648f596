"""Fill the holes of a folder of images with a trained noise -> image GAN (semantic inpainting, Yeh et al. 2017).

    python -m gan_lab.inpaint ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt input=digits/ mask=center output=out/

For each image, a batch of latent candidates is optimised so that G's sample matches the image's
known pixels (weighted context loss) and looks real to D (prior loss); the best sample is blended
into the hole (``blend=poisson`` or ``alpha``); see :mod:`gan_lab.latent_inpainting`. Images must
have the generator's channel count (grey or RGB; an RGB file whose three channels are equal counts
as grey) and are resized to the generator's output size. Masks: ``center`` (the centre box of half
the side), ``random`` (``random_fraction`` of the pixels, seeded), ``left`` (the left half) or a PNG
(white = hole). Outputs: ``<output>/<input stem>.png`` (the filled image, at the generator's size)
and ``grid.png``, one row per image: input | masked | filled.
"""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig
from PIL import Image
from torch import Tensor

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.cli import check_command_line, report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError, ImageReadError, IncompatibleConfigError
from gan_lab.metrics.sampling import to_uint8
from gan_lab.sample import save_png
from gan_lab.translate import input_images, load_mask

log = logging.getLogger("gan_lab.inpaint")

MASKS = ("center", "random", "left")
# Settings that must be whole numbers, and the least each may be.
COUNTS = {"candidates": 1, "iterations": 0, "window": 1, "batch_size": 1, "seed": 0, "mask_seed": 0}


def check_settings(cfg: DictConfig) -> None:
    for key, minimum in COUNTS.items():
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise GanLabError(f"{key}={value!r} must be a whole number >= {minimum}")
    if int(cfg.window) % 2 == 0:
        raise GanLabError(f"window={cfg.window} must be odd (a box centred on each pixel)")
    if str(cfg.blend) not in ("alpha", "poisson"):
        raise GanLabError(f"blend={cfg.blend}: choose alpha or poisson")
    for key in ("lr", "prior_weight", "normal_bound"):
        if not isinstance(cfg.get(key), (int, float)) or float(cfg.get(key)) < 0:
            raise GanLabError(f"{key}={cfg.get(key)!r} must be a number >= 0")
    if not 0.0 <= float(cfg.momentum) < 1.0:
        raise GanLabError(f"momentum={cfg.momentum} must lie in [0, 1)")
    if not 0.0 < float(cfg.random_fraction) < 1.0:
        raise GanLabError(f"random_fraction={cfg.random_fraction} must lie in (0, 1)")


def load_noise_to_image(ckpt_path: str):
    """The checkpoint's module, checked to be an unconditional noise -> image model of images."""
    from gan_lab.checkpointing.loading import load_checkpoint

    module, run_cfg, _ = load_checkpoint(ckpt_path)
    family = getattr(module, "task_family", "")
    if family != "noise_to_image":
        what = f"task={family}" if family else type(module).__name__
        raise IncompatibleConfigError(
            f"{ckpt_path} holds a {what} model; semantic inpainting searches the latent space of a noise -> "
            "image GAN (python -m gan_lab.train). Inpainting checkpoints of the paired family run with "
            "python -m gan_lab.translate"
        )
    if getattr(module, "conditional", False):
        raise IncompatibleConfigError(f"{ckpt_path} is class-conditional; inpaint takes unconditional models only")
    if run_cfg.dataset.get("kind", "image") != "image" or len(run_cfg.dataset.shape) != 3:
        raise IncompatibleConfigError(f"{ckpt_path} generates {run_cfg.dataset.get('kind')} data, not images")
    if int(getattr(module, "packing", 1)) > 1:
        raise IncompatibleConfigError(
            f"{ckpt_path} has a packed D (PacGAN), which cannot score single samples for the prior loss"
        )
    return module, tuple(int(s) for s in run_cfg.dataset.shape)


def read_image(path: Path, channels: int, size: tuple[int, int]) -> Tensor:
    """``[C, H, W]`` in [-1, 1] at the generator's size; refuses an image of another channel count."""
    try:
        with Image.open(path) as img:
            img.load()
            rgb = np.asarray(img.convert("RGB"))
    except (OSError, ValueError) as err:
        raise ImageReadError(f"cannot read image {path}: {err}") from None
    is_grey = bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())
    if channels == 1 and not is_grey:
        raise IncompatibleConfigError(
            f"{path.name} is a colour image, but the generator makes grey (1-channel) images: convert the images to "
            "grey, or use a checkpoint trained on colour images"
        )
    if channels == 3 and is_grey:
        raise IncompatibleConfigError(
            f"{path.name} is a grey image, but the generator makes colour (3-channel) images: a colour model cannot "
            "match a grey image's known pixels; use a checkpoint trained on grey images"
        )
    if channels not in (1, 3):
        raise IncompatibleConfigError(f"the generator makes {channels}-channel images; inpaint reads grey or RGB")
    array = rgb[..., :1] if channels == 1 else rgb
    image = torch.from_numpy(array.astype(np.float32)).permute(2, 0, 1) / 127.5 - 1.0
    if tuple(image.shape[-2:]) != size:
        image = torch.nn.functional.interpolate(
            image[None], size=size, mode="bicubic", antialias=True, align_corners=False
        )[0].clamp(-1, 1)
    return image


def make_mask(cfg: DictConfig, height: int, width: int, index: int) -> Tensor:
    """``[1, H, W]`` hole (1 = missing) of the ``index``-th image."""
    setting = str(cfg.mask)
    if setting == "left":
        mask = torch.zeros(1, height, width)
        mask[..., : width // 2] = 1.0
        return mask
    if setting == "random":  # seeded per image, like the paired datasets' test masks
        rng = torch.Generator().manual_seed(int(cfg.mask_seed) + index)
        return (torch.rand(1, height, width, generator=rng) < float(cfg.random_fraction)).float()
    if setting == "center":
        from gan_lab.datasets.paired.masks import CenterBoxMask

        return CenterBoxMask(0.5)(height, width)
    if not Path(setting).expanduser().is_file():
        raise GanLabError(f"mask={setting}: use {', '.join(MASKS)} or the path of a PNG mask (white = hole)")
    mask = load_mask(setting, height, width)
    if mask.sum() == 0:
        raise GanLabError(f"mask={setting} has no hole (no white pixels)")
    return mask


def inpaint_images(module, images: Tensor, holes: Tensor, cfg: DictConfig) -> Tensor:
    """Filled ``[N, C, H, W]`` images: latent search, then blending, ``cfg.batch_size`` images at a time."""
    from gan_lab.latent_inpainting import blend, inpaint_latents

    generator = module.network("generator", bool(cfg.use_ema)).eval()
    discriminator = module.discriminator.eval()
    device = torch.device(str(cfg.device))
    generator.to(device)
    discriminator.to(device)
    filled = []
    for start in range(0, len(images), int(cfg.batch_size)):
        image, hole = images[start : start + int(cfg.batch_size)], holes[start : start + int(cfg.batch_size)]
        result = inpaint_latents(
            generator,
            discriminator,
            image.to(device),
            hole.to(device),
            latent_dim=int(module.latent_dim),
            prior=str(module.prior),
            candidates=int(cfg.candidates),
            iterations=int(cfg.iterations),
            lr=float(cfg.lr),
            momentum=float(cfg.momentum),
            prior_weight=float(cfg.prior_weight),
            window=int(cfg.window),
            normal_bound=float(cfg.normal_bound),
            seed=int(cfg.seed) + start,
        )
        filled.append(blend(result.generated.cpu(), image, hole, str(cfg.blend)))
    return torch.cat(filled)


def grid_rows(images: Tensor, holes: Tensor, filled: Tensor) -> Tensor:
    """uint8 grid, one row per image: input | masked (hole shown mid-grey) | filled."""
    from torchvision.utils import make_grid

    masked = images * (1 - holes)
    cells = torch.stack([images, masked, filled], 1).flatten(0, 1)
    return make_grid(to_uint8(cells), nrow=3, padding=2, pad_value=0)


def default_output(cfg: DictConfig) -> Path:
    ckpt = Path(str(cfg.ckpt_path)).expanduser().resolve()
    return ckpt.parent / f"inpaint_{Path(str(cfg.input)).expanduser().resolve().name}"


def inpaint(cfg: DictConfig) -> Path:
    if not cfg.get("input"):
        raise GanLabError("set input=FOLDER (the images to inpaint)")
    check_settings(cfg)
    files = input_images(cfg.input)  # refuse an empty or missing folder before loading the checkpoint
    module, (channels, height, width) = load_noise_to_image(cfg.ckpt_path)
    images = torch.stack([read_image(p, channels, (height, width)) for p in files])
    holes = torch.stack([make_mask(cfg, height, width, i) for i in range(len(files))])
    out_dir = Path(str(cfg.output)).expanduser() if cfg.get("output") else default_output(cfg)
    out_dir.mkdir(parents=True, exist_ok=True)
    filled = inpaint_images(module, images, holes, cfg)
    for path, image in zip(files, to_uint8(filled), strict=True):
        save_png(image, out_dir / f"{path.stem}.png")
    shown = int(cfg.comparison_max)
    if shown > 0:
        save_png(grid_rows(images[:shown], holes[:shown], filled[:shown]), out_dir / "grid.png")
    print(f"{len(files)} images inpainted ({cfg.mask} mask, {cfg.blend} blending) -> {out_dir}")
    return out_dir


@check_command_line("inpaint")
@hydra.main(version_base="1.3", config_path=config_dir(), config_name="inpaint")
@report_user_errors
def main(cfg: DictConfig) -> None:
    inpaint(cfg)


if __name__ == "__main__":
    main()

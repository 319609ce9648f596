"""Write samples of a checkpoint: a grid, single PNGs for external tools, an interpolation strip.

    python -m gan_lab.sample ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt num_images=1000
    python -m gan_lab.sample ckpt_path=<text model> prompt="a bold seven"
    python -m gan_lab.sample ckpt_path=<conditional model> interpolate=class interpolation_rows=4
    python -m gan_lab.sample ckpt_path=<text model> interpolate=caption prompt="a thin one" prompt_to="a bold one"

Single images are converted exactly as the metrics convert generated tensors
(``round((x + 1) * 127.5)``), so ``evaluate input1=<folder>`` scores them like the
tensors themselves. Conditional models: one grid row per class; text models: one row per prompt.
Interpolation (``interpolate=``, docs/latent_interpolation.md): ``latent`` (z moves, slerp for a
Gaussian prior, lerp for a uniform one; the class or caption stays), ``class`` (z stays, the class
embeddings move), ``caption`` (z stays, the sentence embedding moves), ``none``.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import hydra
import torch
from omegaconf import DictConfig, ListConfig

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.cli import check_command_line, report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.metrics.sampling import draw_noise, generate_samples, to_uint8, which_generator
from gan_lab.utils.eval_mode import inference_mode
from gan_lab.utils.interpolation import interpolate

log = logging.getLogger("gan_lab.sample")

INTERPOLATIONS = ("latent", "class", "caption", "none")
SPACES = ("auto", "slerp", "lerp")


def _grid(images: torch.Tensor, nrow: int) -> torch.Tensor:
    """uint8 ``[N, C, H, W]`` -> one uint8 ``[C, rows*(H+2)+2, nrow*(W+2)+2]`` image (2 px black padding)."""
    from torchvision.utils import make_grid

    return make_grid(images, nrow=nrow, padding=2, pad_value=0)


def save_png(image: torch.Tensor, path: Path) -> None:
    """uint8 ``[C, H, W]`` -> PNG (grey for one channel)."""
    from PIL import Image

    array = image.permute(1, 2, 0).cpu().numpy()
    Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array).save(path)


def spherical(module: Any, space: str) -> bool:
    """slerp or lerp for latent interpolation: ``auto`` is slerp for a Gaussian prior, lerp for a uniform one."""
    if space not in SPACES:
        raise GanLabError(f"interpolation_space={space!r} must be one of {', '.join(SPACES)}")
    if space == "auto":
        return getattr(module, "prior", "normal") == "normal"
    return space == "slerp"


def interpolation_latents(module: Any, rows: int, steps: int, seed: int, space: str = "auto") -> torch.Tensor:
    """``[rows * steps, latent_dim]``: per row, ``steps`` points from one prior draw to another."""
    ends = draw_noise(module, 2 * rows, seed + 1)
    return interpolate(ends[:rows], ends[rows:], steps, spherical(module, space)).reshape(rows * steps, -1)


def fixed_latents(module: Any, rows: int, steps: int, seed: int) -> torch.Tensor:
    """``[rows * steps, latent_dim]``: one prior draw per row, repeated along it."""
    return draw_noise(module, rows, seed + 1).repeat_interleave(steps, dim=0)


def _run_latents(module: Any, z: torch.Tensor, labels: torch.Tensor | None, use_ema: bool) -> torch.Tensor:
    net, _ = which_generator(module, use_ema)
    with inference_mode(net):
        z = z.to(module.device)
        return (net(z, labels.to(module.device)) if labels is not None else net(z)).float().cpu()


@torch.no_grad()
def class_interpolation(module: Any, rows: int, steps: int, seed: int, use_ema: bool) -> torch.Tensor:
    """Row ``r``: fixed z, class embeddings moving from class ``r mod K`` to ``(r + 1) mod K``."""
    from gan_lab.utils.class_mixing import mixed_classes

    k = getattr(module, "num_classes", None)
    if not k:
        raise GanLabError(
            "interpolate=class needs a class-conditional model (trained with model.conditional=true); this "
            "checkpoint's generator takes no class labels. Use interpolate=latent"
            + (" or interpolate=caption" if is_text_model(module) else "")
        )
    start = torch.arange(rows) % int(k)
    a, b = start.repeat_interleave(steps), ((start + 1) % int(k)).repeat_interleave(steps)
    t = torch.linspace(0, 1, steps).repeat(rows)
    net, _ = which_generator(module, use_ema)
    device = module.device
    with mixed_classes(net, a.to(device), b.to(device), t.to(device)) as rows_of_mixture:
        return _run_latents(module, fixed_latents(module, rows, steps, seed), rows_of_mixture, use_ema)


# families whose generator starts from an input, not from noise, and the command that runs them
INPUT_COMMANDS = {"paired": "translate", "unpaired": "translate", "vocoder": "vocode"}


def check_samples_from_noise(module: Any, ckpt_path: str) -> None:
    """``sample`` draws from noise: refuse image-to-image and vocoder checkpoints with their command."""
    family = getattr(module, "task_family", "")
    if family in INPUT_COMMANDS:
        command = INPUT_COMMANDS[family]
        raise IncompatibleConfigError(
            f"{ckpt_path} holds a task={family} model, which turns inputs into outputs instead of sampling "
            f"from noise: run it with python -m gan_lab.{command} ckpt_path=... input=DIR output=DIR"
        )


def is_text_model(module: Any) -> bool:
    return getattr(module, "task_family", "") == "text_to_image"


def prompts_of(cfg: DictConfig, module: Any) -> list[str]:
    """``prompt`` (a string or a list), else the task's preview captions; checked against the model."""
    prompt = cfg.get("prompt")
    prompts = [str(p) for p in prompt] if isinstance(prompt, (list, ListConfig)) else ([str(prompt)] if prompt else [])
    if prompts and not is_text_model(module):
        raise GanLabError(
            f"prompt={prompt!r} needs a text -> image checkpoint (task=text_to_image); this one is a "
            f"{getattr(module, 'task_family', '?')} model"
        )
    if is_text_model(module) and not prompts:
        prompts = list(module.preview_captions)
        if not prompts:
            raise GanLabError('this is a text -> image model: give the captions to draw, e.g. prompt="a bold seven"')
    return prompts


@torch.no_grad()
def text_grid(module: Any, prompts: list[str], per_prompt: int, seed: int, use_ema: bool) -> torch.Tensor:
    z = draw_noise(module, per_prompt, seed).repeat(len(prompts), 1)
    return module.generate_from_text([p for p in prompts for _ in range(per_prompt)], z, use_ema).float().cpu()


@torch.no_grad()
def text_interpolation(cfg: DictConfig, module: Any, prompts: list[str], rows: int, steps: int) -> torch.Tensor:
    """``latent``: per row one prompt, z moving; ``caption``: per row one z, the sentence embedding moving
    (linearly, as GAN-INT trains it) from ``prompt`` to ``prompt_to`` (or between consecutive prompts).
    The conditioning augmentation's eps is fixed per row."""
    seed, use_ema = int(cfg.seed), bool(cfg.use_ema)
    rng = torch.Generator().manual_seed(seed + 2)
    eps = torch.randn(rows, module.generator_network(use_ema).augmentation.condition_dim, generator=rng)
    eps = eps.repeat_interleave(steps, dim=0)
    if cfg.interpolate == "latent":
        z = interpolation_latents(module, rows, steps, seed, cfg.interpolation_space)
        captions = [prompts[r % len(prompts)] for r in range(rows) for _ in range(steps)]
        return module.generate_from_text(captions, z, use_ema, condition_noise=eps).float().cpu()
    if cfg.get("prompt_to"):
        starts, ends = [prompts[0]] * rows, [str(cfg.prompt_to)] * rows
    elif len(prompts) > 1:
        starts = [prompts[r % len(prompts)] for r in range(rows)]
        ends = [prompts[(r + 1) % len(prompts)] for r in range(rows)]
    else:
        raise GanLabError('interpolate=caption needs two captions: prompt="..." prompt_to="..." (or a list of prompts)')
    a, b = module.text_embedding(starts, use_ema), module.text_embedding(ends, use_ema)
    embedding = interpolate(a, b, steps, spherical=False).reshape(rows * steps, -1)
    z = fixed_latents(module, rows, steps, seed)
    return module.generate_from_text(None, z, use_ema, embedding=embedding, condition_noise=eps).float().cpu()


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
    mode = cfg.get("interpolate", "latent")
    if mode not in INTERPOLATIONS:
        raise GanLabError(f"interpolate={mode!r} must be one of {', '.join(INTERPOLATIONS)}")


def default_output_dir(ckpt: Path) -> Path:
    """``<run>/samples_<checkpoint name>`` beside the run's other outputs (the checkpoint's own
    folder when it is not in a run's ``checkpoints/``)."""
    folder = ckpt.parent.parent if ckpt.parent.name == "checkpoints" else ckpt.parent
    return folder / f"samples_{ckpt.stem}"


def write_single_images(module: Any, cfg: DictConfig, out: Path, prompts: list[str]) -> int:
    n = int(cfg.num_images)
    if n <= 0:
        return 0
    folder = out / "images"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for start in range(0, n, 500):
        count = min(500, n - start)
        if prompts:  # text models: the prompts in turn
            z = draw_noise(module, count, cfg.seed + start)
            captions = [prompts[(start + i) % len(prompts)] for i in range(count)]
            imgs = module.generate_from_text(captions, z, cfg.use_ema).float().cpu()
        else:
            imgs, _ = generate_samples(module, count, 256, cfg.seed + start, cfg.use_ema)
        for i, image in enumerate(to_uint8(imgs)):
            save_png(image, folder / f"{start + i:06d}.png")
    return n


def sample(cfg: DictConfig) -> Path:
    from gan_lab.checkpointing.loading import load_checkpoint

    check_counts(cfg)
    module, run_cfg, _ = load_checkpoint(cfg.ckpt_path)
    check_samples_from_noise(module, cfg.ckpt_path)
    module.to(cfg.device)
    torch.manual_seed(int(cfg.seed))  # the conditioning augmentation's draws of text models
    ckpt = Path(str(cfg.ckpt_path)).expanduser().resolve()
    out = Path(cfg.output_dir) if cfg.get("output_dir") else default_output_dir(ckpt)
    _, kind = which_generator(module, cfg.use_ema)
    num_classes = getattr(module, "num_classes", None)
    prompts = prompts_of(cfg, module)
    mode = cfg.get("interpolate", "latent")
    if mode == "caption" and not is_text_model(module):
        raise GanLabError("interpolate=caption needs a text -> image checkpoint (task=text_to_image)")
    if mode == "class" and not num_classes:
        class_interpolation(module, 1, 2, 0, cfg.use_ema)  # raises the error that says why
    out.mkdir(parents=True, exist_ok=True)

    if run_cfg.dataset.get("kind") == "points":
        from gan_lab.callbacks.sample_previews import SamplePreviews

        points, _ = generate_samples(module, int(cfg.num_points), 1000, cfg.seed, cfg.use_ema)
        with open(out / "points.csv", "w") as f:
            f.write("x,y\n" + "".join(f"{x:.6f},{y:.6f}\n" for x, y in points.tolist()))
        SamplePreviews._scatter(points, None, out / "scatter.png", int(module.generator_steps))
        print(f"{len(points)} points ({kind} generator) written to {out}/points.csv and scatter.png")
        return out

    # grid
    if prompts:
        nrow = int(cfg.per_class)
        grid_imgs = text_grid(module, prompts, nrow, int(cfg.seed), cfg.use_ema)
    elif num_classes:
        nrow = int(cfg.per_class)
        labels = torch.arange(int(num_classes)).repeat_interleave(nrow)
        grid_imgs, _ = generate_samples(module, len(labels), 256, cfg.seed, cfg.use_ema, labels=labels)
    else:
        grid_imgs, _ = generate_samples(module, int(cfg.grid_size), 256, cfg.seed, cfg.use_ema)
        nrow = int(math.sqrt(int(cfg.grid_size))) or 1
    save_png(_grid(to_uint8(grid_imgs), nrow), out / "grid.png")
    if cfg.get("grid", "plain") != "plain":  # style-based generators (model=stylegan2)
        save_style_grid(module, cfg, out)
    n = write_single_images(module, cfg, out, prompts)

    # interpolation strip
    rows, steps = int(cfg.interpolation_rows), int(cfg.interpolation_steps)
    written = ""
    if mode != "none" and rows > 0:
        if is_text_model(module):
            strip = text_interpolation(cfg, module, prompts, rows, steps)
        elif mode == "class":
            strip = class_interpolation(module, rows, steps, int(cfg.seed), cfg.use_ema)
        else:
            z = interpolation_latents(module, rows, steps, int(cfg.seed), cfg.interpolation_space)
            labels = (torch.arange(rows) % int(num_classes)).repeat_interleave(steps) if num_classes else None
            strip = _run_latents(module, z, labels, cfg.use_ema)
        save_png(_grid(to_uint8(strip), steps), out / "interpolation.png")
        written = f", interpolation.png ({mode})"
    print(f"{kind} generator, {int(module.generator_steps)} G steps: grid.png, {n} images in images/{written} -> {out}")
    return out


def save_style_grid(module: Any, cfg: DictConfig, out: Path) -> None:
    """``grid=truncation``: one row per latent, one column per ψ; ``grid=style_mixing``: the StyleGAN
    style-mixing figure (gan_lab/sampling/stylegan_grids.py)."""
    from gan_lab.sampling import style_mixing_grid, truncation_grid

    if cfg.grid not in ("truncation", "style_mixing"):
        raise GanLabError(f"grid={cfg.grid!r}: choose plain, truncation or style_mixing")
    net, _ = which_generator(module, cfg.use_ema)
    if not hasattr(getattr(net, "module", net), "mapping"):
        raise GanLabError(f"grid={cfg.grid} needs a style-based generator (model=stylegan2); this checkpoint has none")
    if cfg.grid == "truncation":
        images, cols = truncation_grid(net, num_rows=8, seed=int(cfg.seed))
    else:
        images, cols = style_mixing_grid(net, seed=int(cfg.seed), truncation_psi=float(cfg.get("truncation_psi", 1.0)))
    save_png(_grid(to_uint8(images), cols), out / f"{cfg.grid}.png")


@check_command_line("sample")
@hydra.main(version_base="1.3", config_path=config_dir(), config_name="sample")
@report_user_errors
def main(cfg: DictConfig) -> None:
    sample(cfg)


if __name__ == "__main__":
    main()

"""Apply a paired image-to-image checkpoint to every image of a folder.

    python -m gan_lab.translate ckpt_path=outputs/train/runs/<run>/checkpoints/last.ckpt input=photos/ output=out/

Images are converted to the generator's input channels (grey or RGB, as ``image_folder`` does)
and fed at their own size: the generators are fully convolutional, so a super-resolution
checkpoint returns ``scale x`` the input size, and a U-Net refuses sizes its depth cannot take.
Outputs are written as ``<output>/<input stem>.png`` with the metrics' conversion
(``round((x + 1) * 127.5)``), plus ``comparison.png``: one row per image, input (resized to the
output size) | output. Inpainting checkpoints get a mask: ``mask=center`` (the centre half box)
or ``mask=<png>`` (white = hole); the hole of the input is blanked before translation.
"""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
import torch
from omegaconf import DictConfig
from torch import Tensor

import gan_lab  # noqa: F401  (registers the config resolvers)
from gan_lab.cli import check_command_line, report_user_errors
from gan_lab.config_path import config_dir
from gan_lab.errors import GanLabError, IncompatibleConfigError
from gan_lab.metrics.paired.folders import IMAGE_SUFFIXES, read_uint8
from gan_lab.metrics.sampling import to_rgb, to_uint8
from gan_lab.sample import save_png

log = logging.getLogger("gan_lab.translate")

PIL_MODES = {1: "L", 3: "RGB"}
DIRECTIONS = ("AtoB", "BtoA")


def input_images(folder: str | Path) -> list[Path]:
    """The image files directly in ``folder``, sorted by name."""
    root = Path(str(folder)).expanduser()
    if not root.is_dir():
        raise GanLabError(f"input folder not found: {root}")
    files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise GanLabError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {root}")
    stems = [p.stem for p in files]
    clashes = sorted({s for s in stems if stems.count(s) > 1})
    if clashes:
        raise GanLabError(f"{root}: several images share the name(s) {clashes}; outputs are named by stem")
    return files


def center_mask(height: int, width: int) -> Tensor:
    """``[1, H, W]``: 1 on the centre box of half the height and width (the context encoder's hole), else 0."""
    mask = torch.zeros(1, height, width)
    mask[:, height // 4 : height // 4 + height // 2, width // 4 : width // 4 + width // 2] = 1.0
    return mask


def load_mask(setting: str, height: int, width: int) -> Tensor:
    """``[1, H, W]`` hole mask from ``mask=center`` or a PNG (white = hole; resized with nearest neighbours)."""
    if str(setting) == "center":
        return center_mask(height, width)
    path = Path(str(setting)).expanduser()
    if not path.is_file():
        raise GanLabError(f"mask={setting}: use center or the path of a PNG mask (white = hole)")
    image = read_uint8(path, "L").float().unsqueeze(0)
    if image.shape[-2:] != (height, width):
        image = torch.nn.functional.interpolate(image, size=(height, width), mode="nearest")
    return (image[0] > 127).float()


def load_translator(cfg: DictConfig):  # noqa: ANN201
    """The checkpoint's module, checked to be an image-to-image one that can run ``cfg.direction``."""
    from gan_lab.checkpointing.loading import load_checkpoint

    module, _, _ = load_checkpoint(cfg.ckpt_path)
    family = getattr(module, "task_family", "noise_to_image")
    if not callable(getattr(module, "translate", None)):
        raise IncompatibleConfigError(
            f"{cfg.ckpt_path} holds a task={family} model, which has no input image to translate; "
            "use python -m gan_lab.sample for noise -> image checkpoints"
        )
    direction = str(cfg.get("direction", "AtoB"))
    if direction not in DIRECTIONS:
        raise GanLabError(f"direction={direction}: choose from {list(DIRECTIONS)}")
    module.direction_channels(direction)  # refuses a direction the model did not learn
    return module


def read_input(path: Path, channels: int) -> Tensor:
    """``[C, H, W]`` float in [-1, 1] of an image converted to ``channels``."""
    if channels not in PIL_MODES:
        raise IncompatibleConfigError(
            f"the generator takes {channels}-channel images; translate converts image files to 1 (grey) or 3 (RGB)"
        )
    return read_uint8(path, PIL_MODES[channels]).float() / 127.5 - 1.0


def input_side(cfg: DictConfig) -> int | None:
    """``resize``: the side every input is resized to before translation, or None (as they are)."""
    side = cfg.get("resize")
    if side is None:
        return None
    if isinstance(side, bool) or not isinstance(side, int) or side < 1:
        raise GanLabError(f"resize={side!r}: give a side in pixels (a whole number >= 1), or null to keep sizes")
    return side


def same_size_batches(images: list[Tensor], batch_size: int) -> list[list[int]]:
    """Indices grouped by image size (first-seen order), at most ``batch_size`` per batch."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, image in enumerate(images):
        groups.setdefault(tuple(image.shape), []).append(i)
    return [idx[k : k + batch_size] for idx in groups.values() for k in range(0, len(idx), batch_size)]


@torch.no_grad()
def translate_folder(cfg: DictConfig, module) -> Path:  # noqa: ANN001
    files = input_images(cfg.input)
    device = torch.device(str(cfg.device))
    module.to(device)
    module.eval()
    direction = str(cfg.get("direction", "AtoB"))
    channels = int(module.direction_channels(direction)[0])
    out_dir = Path(str(cfg.output)).expanduser() if cfg.get("output") else default_output(cfg)
    images = [read_input(p, channels) for p in files]
    side = input_side(cfg)
    if side is not None:
        from torchvision.transforms.functional import InterpolationMode, resize

        images = [resize(i, [side, side], InterpolationMode.BICUBIC, antialias=True).clamp(-1, 1) for i in images]
    needs_mask = bool(getattr(module, "needs_mask", False))
    check_size = getattr(module.direction_generator(direction), "check_size", None)
    shown: dict[int, tuple[Tensor, Tensor]] = {}  # the first comparison_max images by name: (input, output)
    for batch in same_size_batches(images, max(1, int(cfg.batch_size))):
        source = torch.stack([images[i] for i in batch])
        h, w = source.shape[-2:]
        names = ", ".join(files[i].name for i in batch[:3])
        try:
            if callable(check_size):
                try:
                    check_size(h, w)
                except GanLabError as err:
                    raise type(err)(f"{err} (resize=N resizes every input to N x N first)") from None
            mask = None
            if needs_mask:
                mask = load_mask(cfg.mask, h, w).expand(len(batch), 1, h, w).contiguous()
                source = source * (1.0 - mask)  # the known pixels only, as the model was trained
            output = module.translate(
                source.to(device),
                mask=None if mask is None else mask.to(device),
                use_ema=bool(cfg.use_ema),
                direction=direction,
            )
        except GanLabError as err:
            raise type(err)(f"{names} ({h}x{w}): {err}") from None
        output = to_uint8(output.float().cpu())
        out_dir.mkdir(parents=True, exist_ok=True)  # only once a batch has passed every check
        for j, i in enumerate(batch):
            save_png(output[j], out_dir / f"{files[i].stem}.png")
            if i < int(cfg.comparison_max):
                shown[i] = (to_uint8(source[j : j + 1]), output[j : j + 1])
    if shown:
        rows = [shown[i] for i in sorted(shown)]
        save_png(comparison_grid([r[0] for r in rows], [r[1] for r in rows]), out_dir / "comparison.png")
    print(f"{len(files)} images translated ({type(module).__name__}) -> {out_dir}")
    return out_dir


def comparison_grid(inputs: list[Tensor], outputs: list[Tensor]) -> Tensor:
    """uint8 grid with one row per image: input (resized to its output's size, bicubic) | output.
    Pairs of another size than the first output are resized to it, so every cell has one size."""
    from torchvision.transforms.functional import InterpolationMode, resize
    from torchvision.utils import make_grid

    size = list(outputs[0].shape[-2:])
    cells: list[Tensor] = []
    rgb = any(t.shape[1] == 3 for t in (*inputs, *outputs))
    for source, output in zip(inputs, outputs, strict=True):
        for image in (source, output):
            if list(image.shape[-2:]) != size:
                image = resize(image, size, InterpolationMode.BICUBIC, antialias=True)
            cells.append(to_rgb(image) if rgb else image)
    return make_grid(torch.cat(cells), nrow=2, padding=2, pad_value=0)


def default_output(cfg: DictConfig) -> Path:
    ckpt = Path(str(cfg.ckpt_path)).expanduser().resolve()
    return ckpt.parent / f"translate_{Path(str(cfg.input)).expanduser().resolve().name}"


def translate(cfg: DictConfig) -> Path:
    if not cfg.get("input"):
        raise GanLabError("set input=FOLDER (the images to translate)")
    input_images(cfg.input)  # refuse an empty or missing folder, or a bad resize, before loading the checkpoint
    input_side(cfg)
    return translate_folder(cfg, load_translator(cfg))


@check_command_line("translate")
@hydra.main(version_base="1.3", config_path=config_dir(), config_name="translate")
@report_user_errors
def main(cfg: DictConfig) -> None:
    translate(cfg)


if __name__ == "__main__":
    main()

"""Pairs made on the fly from any image dataset: the target is the image, the source is derived from it."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as TF

from gan_lab.datasets.paired.joint_transforms import check_divisible, crop_window
from gan_lab.datasets.resumable_sampler import item_generator
from gan_lab.errors import EmptyDatasetError, IncompatibleConfigError

DERIVATIONS = ("edges", "grayscale", "downsample", "mask")
SPLITS = ("train", "test", "all")

# ITU-R BT.601 luma weights (R, G, B), as PIL's convert("L") and BasicSR's Y channel use.
LUMA_601 = (0.299, 0.587, 0.114)


def luminance(image: torch.Tensor) -> torch.Tensor:
    """``[3, H, W]`` -> ``[1, H, W]``: the BT.601 weighted sum (works in any value range, the weights sum to 1)."""
    weights = torch.tensor(LUMA_601, dtype=image.dtype, device=image.device).view(3, 1, 1)
    return (image * weights).sum(0, keepdim=True)


def sobel_edges(image: torch.Tensor, threshold: float = 0.25) -> torch.Tensor:
    """Binary edge map ``[1, H, W]`` in {-1, 1} (1 = edge) of an image ``[C, H, W]`` in [-1, 1].

    Hand-written because the package does not depend on scikit-image or OpenCV:
    Sobel gradients of the luminance in [0, 1] (replicate padding), magnitude
    divided by 4 so that a sharp 0 -> 1 step scores 1, then ``> threshold``.
    A step edge marks the pixel on each side of it.
    """
    gray = luminance(image) if image.shape[0] == 3 else image[:1]
    gray = (gray + 1.0) / 2.0
    gx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=gray.dtype)
    kernels = torch.stack([gx, gx.T]).unsqueeze(1)  # [2, 1, 3, 3]: d/dx, d/dy
    padded = F.pad(gray.unsqueeze(0), (1, 1, 1, 1), mode="replicate")
    gradients = F.conv2d(padded, kernels)[0]
    magnitude = gradients.pow(2).sum(0, keepdim=True).sqrt() / 4.0
    return torch.where(magnitude > threshold, 1.0, -1.0)


def bicubic_downsample(image: torch.Tensor, scale: int) -> torch.Tensor:
    """``[C, H, W]`` -> ``[C, H/scale, W/scale]``, bicubic with antialiasing (the usual SR degradation), clamped."""
    h, w = image.shape[-2:]
    low = F.interpolate(
        image.unsqueeze(0), size=(h // scale, w // scale), mode="bicubic", antialias=True, align_corners=False
    )
    return low[0].clamp_(-1.0, 1.0)


class DerivedPairs(Dataset):
    """Wrap an ``(image, label)`` dataset and derive each item's source from its image.

    ``derivation``:
      - ``edges``: Sobel edge map of the target, 1 channel (edges2shoes-style, edges -> image);
      - ``grayscale``: BT.601 luminance, 1 channel; the target stays in colour (colorisation);
      - ``downsample``: bicubic, antialiased, ``scale`` times smaller (super-resolution);
      - ``mask``: ``target * (1 - m)`` with ``m`` from the ``mask`` generator, and a ``"mask"`` key (inpainting).

    Splits: ``train`` is the first ``1 - holdout_fraction`` of the base indices,
    ``test`` the rest, ``all`` everything (``split_seed`` shuffles the indices first,
    for base datasets sorted by class). ``image_size`` crops the base image (random
    crop on train, centre otherwise; ``flip`` adds a random horizontal flip on
    train); ``channels`` converts it (1 -> 3 repeats, 3 -> 1 luminance).

    Randomness: on train each item draws its crop, flip and mask from its own
    ``torch.Generator``, seeded by the training sampler from (seed, epoch, index)
    (:func:`gan_lab.datasets.resumable_sampler.item_generator`), so a resumed run
    and worker processes draw exactly what an uninterrupted run draws; used on its
    own, the dataset seeds it with one draw from the global RNG. Masks are
    fixed per base index (seed ``mask_seed + index``) when ``fixed_masks`` is true,
    which by default it is on every split but train, so evaluation sees the same holes.
    Items: ``{"source", "target", "label"}`` (+ ``"mask"`` ``[1, H, W]``), float32 in [-1, 1].
    """

    provides: tuple[str, ...] = ("source", "target", "label")
    data_kind = "paired"

    def __init__(
        self,
        base: Dataset,
        derivation: str,
        split: str = "train",
        holdout_fraction: float = 0.1,
        scale: int = 4,
        mask=None,
        image_size: int | None = None,
        channels: int | None = None,
        mask_seed: int = 0,
        fixed_masks: bool | None = None,
        flip: bool = False,
        edge_threshold: float = 0.25,
        split_seed: int | None = None,
    ):
        if derivation not in DERIVATIONS:
            raise IncompatibleConfigError(f"derivation must be one of {', '.join(DERIVATIONS)}, got {derivation!r}")
        if split not in SPLITS:
            raise IncompatibleConfigError(f"split must be one of {', '.join(SPLITS)} for derived pairs, got {split!r}")
        if not 0.0 <= float(holdout_fraction) < 1.0:
            raise IncompatibleConfigError(f"holdout_fraction must be in [0, 1), got {holdout_fraction}")
        if derivation == "mask" and not callable(mask):
            raise IncompatibleConfigError(
                "derivation=mask needs a mask generator, e.g. mask: {_target_: gan_lab.datasets.paired.CenterBoxMask}"
            )
        self.base, self.derivation, self.split = base, derivation, split
        self.mask_generator = mask if derivation == "mask" else None
        self.mask_seed, self.flip, self.edge_threshold = int(mask_seed), bool(flip), float(edge_threshold)
        self.random = split == "train"
        self.fixed_masks = (not self.random) if fixed_masks is None else bool(fixed_masks)
        self.indices = self._split_indices(len(base), float(holdout_fraction), split, split_seed)

        sample = self._base_image(self.indices[0]) if len(self.indices) else None
        if not isinstance(sample, torch.Tensor) or sample.dim() != 3:
            raise IncompatibleConfigError(
                f"DerivedPairs needs an image dataset whose items are (tensor [C, H, W], label); "
                f"{type(base).__name__} gives {type(sample).__name__}"
            )
        base_channels, base_h, base_w = sample.shape
        self.target_channels = int(base_channels if channels is None else channels)
        if self.target_channels not in (1, 3) or base_channels not in (1, 3):
            raise IncompatibleConfigError(f"channels must be 1 or 3, got {self.target_channels} (base {base_channels})")
        self.image_size = None if image_size is None else int(image_size)
        if self.image_size is not None and (self.image_size > base_h or self.image_size > base_w):
            raise IncompatibleConfigError(
                f"image_size={self.image_size} is larger than the base images ({base_h}x{base_w}); crops cannot "
                f"be larger than the image: lower image_size or load the base images larger"
            )
        height, width = (self.image_size, self.image_size) if self.image_size else (base_h, base_w)
        self.scale = int(scale) if derivation == "downsample" else 1
        if derivation == "downsample":
            check_divisible(height, self.scale, "image_size")
            check_divisible(width, self.scale, "image_width")
        if derivation == "grayscale" and self.target_channels != 3:
            raise IncompatibleConfigError("derivation=grayscale needs a colour target: set channels=3")
        self.source_channels = 1 if derivation in ("edges", "grayscale") else self.target_channels
        if derivation == "mask":
            self.provides = ("source", "target", "mask", "label")

    @staticmethod
    def _split_indices(n: int, holdout: float, split: str, seed: int | None) -> list[int]:
        order = (
            torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
            if seed is not None
            else list(range(n))
        )
        n_test = min(n, round(n * holdout)) if holdout > 0 else 0
        if holdout > 0 and n_test == 0 and n > 1:
            n_test = 1
        chosen = {"train": order[: n - n_test], "test": order[n - n_test :], "all": order}[split]
        if not chosen:
            raise EmptyDatasetError(
                f"split {split!r} of the derived pairs is empty ({n} base images, holdout_fraction={holdout}); "
                + ("set holdout_fraction > 0 to hold out test images" if split == "test" else "lower holdout_fraction")
            )
        return chosen

    def _base_image(self, index: int):
        return self.base[index][0]

    def __len__(self) -> int:
        return len(self.indices)

    def _target(self, image: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        image = image.float()
        if image.shape[0] != self.target_channels:
            image = image.expand(3, -1, -1).clone() if self.target_channels == 3 else luminance(image)
        if self.image_size is not None:
            top, left = crop_window(tuple(image.shape[-2:]), self.image_size, 1, self.random, generator)
            image = TF.crop(image, top, left, self.image_size, self.image_size)
        if self.random and self.flip and bool(torch.rand((), generator=generator) < 0.5):
            image = TF.horizontal_flip(image)
        return image.contiguous()

    def __getitem__(self, position: int) -> dict:
        index = self.indices[position]
        image, label = self.base[index]
        generator = item_generator(position) if self.random else None
        target = self._target(image, generator)
        item = {"target": target, "label": int(label)}
        if self.derivation == "edges":
            item["source"] = sobel_edges(target, self.edge_threshold)
        elif self.derivation == "grayscale":
            item["source"] = luminance(target)
        elif self.derivation == "downsample":
            item["source"] = bicubic_downsample(target, self.scale)
        else:
            mask_rng = torch.Generator().manual_seed(self.mask_seed + index) if self.fixed_masks else generator
            mask = self.mask_generator(target.shape[-2], target.shape[-1], generator=mask_rng).to(target.dtype)
            item["source"], item["mask"] = target * (1.0 - mask), mask
        return {key: item[key] for key in self.provides}

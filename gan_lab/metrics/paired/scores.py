"""Per-image paired metrics accumulated batch by batch (or pair by pair for folders of mixed
sizes), averaged at the end: the mean over images, as SR and inpainting papers report them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor

from gan_lab.errors import GanLabError
from gan_lab.metrics.paired import hole, similarity
from gan_lab.metrics.paired.convention import ImageConvention
from gan_lab.metrics.paired.lpips import LPIPS
from gan_lab.metrics.protocol import Protocol

CONVENTION_METRICS = ("psnr", "ssim", "ms_ssim")  # scored on the convention's channel and crop
HOLE_METRICS = ("hole_l1", "hole_psnr")
IMAGE_METRICS = (*CONVENTION_METRICS, "lpips", *HOLE_METRICS)


class PairedScores:
    """``names``: a subset of :data:`IMAGE_METRICS`; ``lpips``: the LPIPS scorer when ``"lpips"`` is asked."""

    def __init__(self, names: Iterable[str], convention: ImageConvention, lpips: LPIPS | None = None) -> None:
        self.names = [n for n in names if n in IMAGE_METRICS]
        if "lpips" in self.names and lpips is None:
            raise ValueError("lpips requested without an LPIPS scorer")
        self.convention = convention
        self.lpips = lpips
        self.per_image: dict[str, list[Tensor]] = {n: [] for n in self.names}
        self.channels: int | None = None

    def update(self, outputs: Tensor, targets: Tensor, masks: Tensor | None = None) -> None:
        """uint8 ``[N, C, H, W]`` outputs and targets; ``masks`` ``[N, 1, H, W]`` (1 = hole)."""
        if outputs.shape != targets.shape:
            raise GanLabError(f"output and target sizes differ: {list(outputs.shape)} vs {list(targets.shape)}")
        self.channels = int(outputs.shape[1])
        if any(n in CONVENTION_METRICS for n in self.names):
            out, tgt = self.convention.prepare(outputs), self.convention.prepare(targets)
            for name in CONVENTION_METRICS:
                if name in self.names:
                    self.per_image[name].append(getattr(similarity, name)(out, tgt).reshape(-1).cpu())
        if "lpips" in self.names:
            self.per_image["lpips"].append(self.lpips(outputs, targets))
        for name in HOLE_METRICS:
            if name in self.names:
                if masks is None:
                    raise GanLabError(f"{name} needs masks (an inpainting dataset)")
                self.per_image[name].append(getattr(hole, name)(outputs, targets, masks).cpu())

    def values(self) -> dict[str, float]:
        """Mean over the scored images (images without a hole are left out of the hole metrics)."""
        out = {}
        for name, chunks in self.per_image.items():
            if not chunks:
                raise GanLabError(f"no images were scored for {name}")
            out[name] = float(torch.cat(chunks).double().nanmean())
        return out

    def count(self, name: str) -> int:
        """Images that entered ``name``'s mean."""
        return int(sum((~torch.isnan(c)).sum() for c in self.per_image[name]))

    def options(self, name: str) -> dict[str, Any]:
        """What the protocol record of ``name`` says about how the images were scored."""
        channels = self.channels or 3
        if name in CONVENTION_METRICS:
            opts: dict[str, Any] = self.convention.options(channels)
            if name != "psnr":
                opts.update({k: v for k, v in similarity.SSIM_OPTIONS.items()})
            if name == "ms_ssim":
                opts["betas"] = list(similarity.MS_SSIM_BETAS)
        elif name == "lpips":
            opts = {"data_range": 255.0, "crop_border": 0, "channel": "RGB", "lpips_net": self.lpips.net}
        else:
            opts = {"data_range": 255.0, "crop_border": 0, "channel": "RGB" if channels == 3 else "grey"}
            opts["l1_unit"] = "fraction of the data range" if name == "hole_l1" else None
        opts["aggregate"] = "mean over images"
        return {k: v for k, v in opts.items() if v is not None}

    def protocol(self, name: str, **fields: Any) -> Protocol:
        """The protocol of ``name``'s value; ``fields``: further Protocol fields, ``options`` merged."""
        lpips = self.lpips if name == "lpips" else None
        options = {**self.options(name), **fields.pop("options", {})}
        return Protocol(
            name,
            feature_extractor=lpips.name if lpips else None,
            weights=str(lpips.weights) if lpips else None,
            weights_sha256=lpips.weights_sha256 if lpips else None,
            n_real=self.count(name),
            n_fake=self.count(name),
            options=options,
            **fields,
        )

"""Adaptive discriminator augmentation, ADA (Karras et al., 2020, "Training Generative
Adversarial Networks with Limited Data").

Hand-written in plain tensor ops (no maintained library has a differentiable,
per-sample, probability-p pipeline): every image D sees, real or fake, in D's and
in G's steps, goes through the same pipeline, so G's gradients pass through it.
Each operation is applied to each sample independently with probability ``p``:

* ``xflip``: horizontal flip;
* ``rotate90``: rotation by a uniform multiple of 90 degrees (square images);
* ``translate``: integer shift by up to 1/8 of the size per axis, reflect padding;
* ``brightness``: add N(0, 0.2²);
* ``contrast``: multiply by lognormal(0, (0.5 ln 2)²), around mid-grey (0);
* ``saturation``: scale the deviation from the channel mean by lognormal(0, (ln 2)²);
* ``cutout``: zero a square of half the image size at a random centre.

The magnitudes are the ``bgc`` pipe's defaults of stylegan2-ada-pytorch
(``training/augment.py``); its geometric ops with interpolation (isotropic and
anisotropic scaling, arbitrary rotation, fractional translation) and hue/luma flip
are left out. Images are ``[N, C, H, W]`` in [-1, 1].

``p`` is tuned by the overfitting heuristic r_t = E[sign(D(real))]: every
``interval`` D steps, p += sign(r_t - target) · (images seen in the interval) /
``ramp_images`` (500k in the paper: p can go from 0 to 1 in 500k images), clamped
to [0, 1]. ``p``, r_t and the running sums are buffers: saved in checkpoints,
restored on resume. ``fixed_p`` freezes p (r_t is still measured and logged).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.regularizers.diffaugment import cutout

OPERATIONS = ("xflip", "rotate90", "translate", "brightness", "contrast", "saturation", "cutout")


def _chosen(x: Tensor, p: float | Tensor, generator: torch.Generator | None = None) -> Tensor:
    """A per-sample bool mask ``[N, 1, 1, 1]``, True with probability ``p``."""
    draw = torch.rand(x.shape[0], 1, 1, 1, generator=generator, device=x.device)
    return draw < p


def xflip(x: Tensor, p: float | Tensor, generator: torch.Generator | None = None) -> Tensor:
    return torch.where(_chosen(x, p, generator), x.flip(3), x)


def rotate90(x: Tensor, p: float | Tensor, generator: torch.Generator | None = None) -> Tensor:
    turns = torch.randint(0, 4, (x.shape[0], 1, 1, 1), generator=generator, device=x.device)
    turns = torch.where(_chosen(x, p, generator), turns, torch.zeros_like(turns))
    out = x
    for k in (1, 2, 3):
        out = torch.where(turns == k, torch.rot90(x, k, dims=(2, 3)), out)
    return out


def translate(x: Tensor, p: float | Tensor, ratio: float = 0.125, generator: torch.Generator | None = None) -> Tensor:
    """out[i, :, y, x] = in[i, :, y - dy_i, x - dx_i] with reflect padding, |d| <= ratio · size."""
    n, _, h, w = x.shape
    pad_y, pad_x = max(1, round(h * ratio)), max(1, round(w * ratio))
    chosen = _chosen(x, p, generator).view(n, 1, 1)
    dy = torch.randint(-pad_y, pad_y + 1, (n, 1, 1), generator=generator, device=x.device) * chosen
    dx = torch.randint(-pad_x, pad_x + 1, (n, 1, 1), generator=generator, device=x.device) * chosen
    padded = F.pad(x, [pad_x, pad_x, pad_y, pad_y], mode="reflect")
    rows = torch.arange(h, device=x.device).view(1, h, 1) - dy + pad_y  # [N, H, 1]
    cols = torch.arange(w, device=x.device).view(1, 1, w) - dx + pad_x  # [N, 1, W]
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    return padded[batch, :, rows, cols].permute(0, 3, 1, 2)  # advanced indices first: [N, H, W, C]


def _per_sample(
    x: Tensor, p: float | Tensor, values: Tensor, neutral: float, generator: torch.Generator | None
) -> Tensor:
    return torch.where(_chosen(x, p, generator), values, torch.full_like(values, neutral))


def brightness(x: Tensor, p: float | Tensor, std: float = 0.2, generator: torch.Generator | None = None) -> Tensor:
    b = torch.randn(x.shape[0], 1, 1, 1, generator=generator, device=x.device, dtype=x.dtype) * std
    return x + _per_sample(x, p, b, 0.0, generator)


def contrast(x: Tensor, p: float | Tensor, std: float = 0.5, generator: torch.Generator | None = None) -> Tensor:
    c = torch.exp2(torch.randn(x.shape[0], 1, 1, 1, generator=generator, device=x.device, dtype=x.dtype) * std)
    return x * _per_sample(x, p, c, 1.0, generator)


def saturation(x: Tensor, p: float | Tensor, std: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    s = torch.exp2(torch.randn(x.shape[0], 1, 1, 1, generator=generator, device=x.device, dtype=x.dtype) * std)
    mean = x.mean(dim=1, keepdim=True)  # the grey axis; a single channel is unchanged
    return x + (x - mean) * (_per_sample(x, p, s, 1.0, generator) - 1.0)  # exactly x where not chosen


def random_cutout(x: Tensor, p: float | Tensor, generator: torch.Generator | None = None) -> Tensor:
    return torch.where(_chosen(x, p, generator), cutout(x, 0.5, generator), x)


PIPELINE = {
    "xflip": xflip,
    "rotate90": rotate90,
    "translate": translate,
    "brightness": brightness,
    "contrast": contrast,
    "saturation": saturation,
    "cutout": random_cutout,
}


def adjusted_p(p: float, rt: float, target: float, images: int, ramp_images: float) -> float:
    """The ADA update: ``clamp(p + sign(rt - target) * images / ramp_images, 0, 1)``."""
    step = math.copysign(1.0, rt - target) if rt != target else 0.0
    return min(max(p + step * images / ramp_images, 0.0), 1.0)


class AdaptiveAugment(nn.Module):
    """D's input augmentation with an adaptive probability (the loop's ``augment`` slot).

    Args:
        target: the r_t the controller aims at (0.6).
        interval: D steps between two updates of p (4).
        ramp_images: images over which p could go from 0 to 1 (500k).
        initial_p: p at the start (0).
        fixed_p: a constant p (no adaptation) when not None.
        operations: the pipeline, in order (default: all of :data:`OPERATIONS`).
    """

    def __init__(
        self,
        target: float = 0.6,
        interval: int = 4,
        ramp_images: float = 500_000,
        initial_p: float = 0.0,
        fixed_p: float | None = None,
        operations: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        super().__init__()
        if interval < 1 or ramp_images <= 0:
            raise ValueError(f"ADA needs interval >= 1 and ramp_images > 0, got {interval}, {ramp_images}")
        start = initial_p if fixed_p is None else fixed_p
        if not 0.0 <= start <= 1.0:
            raise ValueError(f"ADA p must lie in [0, 1], got {start}")
        names = tuple(operations) if operations else OPERATIONS
        unknown = [n for n in names if n not in PIPELINE]
        if unknown:
            raise ValueError(f"unknown ADA operation(s) {unknown}; choose from {list(OPERATIONS)}")
        self.operations = names
        self.target, self.interval, self.ramp_images = float(target), int(interval), float(ramp_images)
        self.adaptive = fixed_p is None
        self.register_buffer("p", torch.tensor(float(start)))
        self.register_buffer("rt", torch.tensor(0.0))  # r_t of the last finished interval
        self.register_buffer("sign_sum", torch.tensor(0.0))  # sum of sign(D(real)) in the current interval
        self.register_buffer("count", torch.tensor(0.0))  # real outputs seen in the current interval
        self.register_buffer("observations", torch.zeros((), dtype=torch.long))  # D steps in the interval

    def __bool__(self) -> bool:  # the loop tests `if augment`
        return True

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        if x.dim() != 4:
            raise ValueError(f"ADA works on image batches [N, C, H, W], got shape {list(x.shape)}")
        p = self.p.to(x.dtype)
        if not bool(p > 0):
            return x
        for name in self.operations:
            x = PIPELINE[name](x, p, generator=generator)
        return x.contiguous()

    @torch.no_grad()
    def observe_real_outputs(self, real_out: Tensor) -> dict[str, Tensor]:
        """Called by the loop with D's outputs on real images once per D step; updates p every
        ``interval`` calls and returns the values to log (``train/ada_p``, ``train/ada_rt``)."""
        self.sign_sum += real_out.detach().sign().sum().to(self.sign_sum.dtype)
        self.count += real_out.numel()
        self.observations += 1
        if int(self.observations) >= self.interval:
            sums = torch.stack([self.sign_sum, self.count])
            if torch.distributed.is_available() and torch.distributed.is_initialized():
                torch.distributed.all_reduce(sums)  # every rank sees the same r_t and keeps the same p
            self.rt.copy_(sums[0] / sums[1].clamp(min=1.0))
            if self.adaptive:
                new_p = adjusted_p(float(self.p), float(self.rt), self.target, int(sums[1]), self.ramp_images)
                self.p.fill_(new_p)
            self.sign_sum.zero_()
            self.count.zero_()
            self.observations.zero_()
        return {"train/ada_p": self.p.detach().clone(), "train/ada_rt": self.rt.detach().clone()}

    def extra_repr(self) -> str:
        mode = (
            f"target={self.target}, interval={self.interval}, ramp_images={self.ramp_images:g}"
            if self.adaptive
            else "fixed"
        )
        return f"p={float(self.p):.4f}, {mode}, operations={','.join(self.operations)}"

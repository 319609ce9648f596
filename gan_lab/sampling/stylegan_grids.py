"""Truncation and style-mixing grids of a style-based generator (StyleGAN2, Karras et al., 2020,
figures 8-style truncation rows and the style-mixing figure of StyleGAN, Karras et al., 2019).

The generator must expose ``latent_dim``, ``num_ws``, ``mapping(z, truncation_psi=...)`` and
``synthesis(ws, noise_mode=...)`` (:class:`gan_lab.models.stylegan2.StyleGAN2Generator`; an EMA
copy, ``AveragedModel``, is unwrapped). Both functions return ``(images [N, C, H, W], nrow)``
for ``torchvision.utils.make_grid``; images are in the generator's range ([-1, 1] for
training images), the noise inputs fixed (``noise_mode="const"``) so that rows differ only by
the quantity shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from gan_lab.utils.eval_mode import inference_mode

DEFAULT_PSIS = (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)


def style_generator(generator: nn.Module) -> nn.Module:
    """The style-based network inside ``generator`` (unwraps an EMA ``AveragedModel``)."""
    net = getattr(generator, "module", generator)
    for method in ("mapping", "synthesis"):
        if not callable(getattr(net, method, None)):
            raise TypeError(f"{type(net).__name__} is not a style-based generator (it has no {method}())")
    return net


def _latents(net: nn.Module, n: int, seed: int, device: torch.device) -> Tensor:
    return torch.randn(n, int(net.latent_dim), generator=torch.Generator().manual_seed(seed)).to(device)


@torch.no_grad()
def truncation_grid(
    generator: nn.Module, num_rows: int = 6, psis: Sequence[float] = DEFAULT_PSIS, seed: int = 0
) -> tuple[Tensor, int]:
    """One row per latent (``num_rows`` latents drawn with ``seed``), one column per ψ in ``psis``:
    w' = w_avg + ψ (w - w_avg); ψ = 0 shows the average image."""
    net = style_generator(generator)
    device = next(net.parameters()).device
    z = _latents(net, num_rows, seed, device)
    with inference_mode(net):
        columns = [net.synthesis(net.mapping(z, truncation_psi=float(psi)), noise_mode="const") for psi in psis]
    return torch.stack(columns, dim=1).flatten(0, 1).cpu(), len(psis)  # row-major: latent i, then each psi


@torch.no_grad()
def style_mixing_grid(
    generator: nn.Module,
    num_sources: int = 5,
    num_destinations: int = 4,
    cutoff: int | None = None,
    seed: int = 0,
    truncation_psi: float = 1.0,
) -> tuple[Tensor, int]:
    """The StyleGAN style-mixing figure: the first row shows the source images A (after a blank
    corner), the first column the destination images B; cell (b, a) is B's styles with those of A
    from layer ``cutoff`` on (default: half the style inputs, so A's fine styles - texture, colour -
    on B's coarse ones - layout)."""
    net = style_generator(generator)
    device = next(net.parameters()).device
    num_ws = int(net.num_ws)
    cut = num_ws // 2 if cutoff is None else int(cutoff)
    if not 0 <= cut <= num_ws:
        raise ValueError(f"cutoff must lie in [0, {num_ws}], got {cutoff}")
    with inference_mode(net):
        ws_a = net.mapping(_latents(net, num_sources, seed, device), truncation_psi=truncation_psi)
        ws_b = net.mapping(_latents(net, num_destinations, seed + 1, device), truncation_psi=truncation_psi)
        top = net.synthesis(ws_a, noise_mode="const")
        left = net.synthesis(ws_b, noise_mode="const")
        rows = [torch.cat([torch.zeros_like(top[:1]), top])]
        for b in range(num_destinations):
            mixed = ws_b[b : b + 1].repeat(num_sources, 1, 1)
            mixed[:, cut:] = ws_a[:, cut:]
            rows.append(torch.cat([left[b : b + 1], net.synthesis(mixed, noise_mode="const")]))
    return torch.cat(rows).cpu(), num_sources + 1

"""Drawing samples from a trained module for evaluation, and turning them into uint8 images.

Metrics and the ``sample`` command share :func:`to_uint8`, so a folder of saved
PNGs scores exactly like the tensors it was written from.
"""

from __future__ import annotations

import torch
from torch import Tensor

from gan_lab.utils.eval_mode import inference_mode


def to_uint8(images: Tensor) -> Tensor:
    """``[N, C, H, W]`` floats in [-1, 1] -> uint8 ``[N, C, H, W]``: ``round((x + 1) * 127.5)``, clamped."""
    return ((images.detach().float() + 1.0) * 127.5).round_().clamp_(0, 255).to(torch.uint8)


def to_rgb(images: Tensor) -> Tensor:
    """Repeat a single channel three times (as PIL's ``convert("RGB")`` does for grey PNGs)."""
    return images.expand(-1, 3, -1, -1).contiguous() if images.shape[1] == 1 else images


def which_generator(module, use_ema: bool = True) -> tuple[torch.nn.Module, str]:
    """``(network, "ema" | "raw")``: the EMA generator when the module has one and ``use_ema``."""
    ema = getattr(module, "ema_generator", None)
    if use_ema and ema is not None:
        return ema, "ema"
    return module.generator, "raw"


def conditional_labels(module, n: int) -> Tensor | None:
    """Balanced labels ``0, 1, ..., K-1, 0, 1, ...`` for a conditional module, else ``None``."""
    k = getattr(module, "num_classes", None)
    return torch.arange(n) % int(k) if k else None


def draw_noise(module, n: int, seed: int) -> Tensor:
    """The ``n`` latent vectors that ``seed`` gives (a local generator: the global RNG is untouched)."""
    rng = torch.Generator().manual_seed(int(seed))
    shape = (n, int(module.latent_dim))
    if getattr(module, "prior", "normal") == "uniform":
        return torch.rand(shape, generator=rng) * 2.0 - 1.0
    return torch.randn(shape, generator=rng)


@torch.no_grad()
def generate_samples(
    module,
    n: int,
    batch_size: int = 256,
    seed: int = 0,
    use_ema: bool = True,
    labels: Tensor | None = None,
    captions: list[str] | None = None,
) -> tuple[Tensor, str]:
    """``n`` samples (on CPU, float) from fixed-seed noise, in eval mode; and which generator made them.
    A text -> image module draws them for ``captions`` (:func:`evaluation_captions`).

    The same checkpoint and seed always give the same samples.
    """
    if labels is None:
        labels = conditional_labels(module, n)
    eps = condition_noise(module, n, seed, use_ema) if captions is not None else None
    return generate_from_noise(module, draw_noise(module, n, seed), labels, batch_size, use_ema, captions, eps)


def evaluation_captions(dataset, n: int) -> list[str]:
    """The captions of ``n`` evaluation samples of a text -> image model: the first caption of ``n``
    items spread evenly over ``dataset`` (cycling when ``n`` exceeds its size), as text-to-image
    papers draw their samples for the captions of a dataset."""
    size = len(dataset)
    indices = [(i * size) // n for i in range(n)] if n <= size else [i % size for i in range(n)]
    return [dataset.caption_texts(i)[0] for i in indices]


def condition_noise(module, n: int, seed: int, use_ema: bool = True) -> Tensor:
    """Seeded ``eps`` of a text model's conditioning augmentation for ``n`` samples (training draws
    it from the global RNG; an evaluation must repeat exactly)."""
    dim = module.generator_network(use_ema).augmentation.condition_dim
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(int(seed) + 1))


@torch.no_grad()
def generate_from_noise(
    module,
    z: Tensor,
    labels: Tensor | None,
    batch_size: int = 256,
    use_ema: bool = True,
    captions: list[str] | None = None,
    condition_noise: Tensor | None = None,
) -> tuple[Tensor, str]:
    """G's outputs (CPU, float) for the latent vectors ``z`` in eval mode, batch by batch; a text model's
    for ``captions`` with the conditioning augmentation's ``condition_noise``."""
    net, kind = which_generator(module, use_ema)
    n = len(z)
    device = next(net.parameters()).device
    out = []
    with inference_mode(net):
        for start in range(0, n, batch_size):
            zb = z[start : start + batch_size].to(device)
            if captions is not None:
                eps = None if condition_noise is None else condition_noise[start : start + batch_size]
                batch = captions[start : start + batch_size]
                out.append(module.generate_from_text(batch, zb, use_ema, condition_noise=eps).float().cpu())
            elif labels is not None:
                out.append(net(zb, labels[start : start + batch_size].to(device)).float().cpu())
            else:
                out.append(net(zb).float().cpu())
    return torch.cat(out), kind

"""The latent search of semantic inpainting (Yeh et al., 2017).

For each image, ``candidates`` latents are drawn from the prior and optimised together on

    context_loss(G(z), y, W) + prior_weight * prior_loss(z),

the weighted L1 distance to the known pixels (:mod:`gan_lab.latent_inpainting.context_loss`)
plus the paper's perceptual (prior) loss, D's non-saturating generator loss on the sample,
``softplus(-D(G(z)))`` = ``-log sigmoid(D(G(z)))`` (the official code's ``g_loss``: the DCGAN's
generator loss; the paper writes ``log(1 - D(G(z)))``). ``prior_weight`` = 0.003 as in the paper
(the official code's default is 0.1). Every candidate's loss is independent of the others, so
one optimizer step on their sum is a step for each.

The optimizer is ``torch.optim.SGD`` with Nesterov momentum 0.9 and lr 0.01: the official code's
update (``v' = m v - lr g; z += -m v + (1 + m) v'``) is Nesterov's accelerated gradient in the
Sutskever form, which ``SGD(nesterov=True)`` implements up to the scaling of its velocity by lr.
After every step the latents are put back inside the prior's support: clamped to [-1, 1] for the
uniform prior (as the official code does); for the normal prior, whose support is all of R^d,
each coordinate is clamped to ``[-normal_bound, normal_bound]`` (3 by default, so the latents stay
where G saw training noise: 99.7 % of a standard normal's mass per coordinate).

The best candidate of each image is the one with the lowest final objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_lab.latent_inpainting.context_loss import context_loss, context_weights

PRIORS = ("normal", "uniform")


def prior_loss(discriminator: nn.Module, generated: Tensor) -> Tensor:
    """``[N]``: D's non-saturating generator loss on each sample, ``softplus(-D(x))``."""
    return F.softplus(-discriminator(generated).reshape(generated.shape[0], -1).mean(1))


def latent_bound(prior: str, normal_bound: float = 3.0) -> float:
    if prior not in PRIORS:
        raise ValueError(f"prior must be one of {PRIORS}, got {prior!r}")
    return 1.0 if prior == "uniform" else float(normal_bound)


def draw_latents(n: int, latent_dim: int, prior: str, bound: float, generator: torch.Generator | None) -> Tensor:
    if prior == "uniform":
        return torch.rand(n, latent_dim, generator=generator) * 2.0 - 1.0
    return torch.randn(n, latent_dim, generator=generator).clamp(-bound, bound)


@dataclass
class LatentInpainting:
    """The result for a batch of ``B`` images."""

    latents: Tensor  # [B, latent_dim]: the best candidate of each image
    generated: Tensor  # [B, C, H, W]: G of those latents
    context_history: Tensor  # [iterations + 1, B, candidates]: context loss of every candidate per iteration
    objective_history: Tensor  # [iterations + 1, B, candidates]: context + prior_weight * prior


def inpaint_latents(
    generator: nn.Module,
    discriminator: nn.Module,
    image: Tensor,
    hole: Tensor,
    latent_dim: int,
    prior: str = "normal",
    candidates: int = 16,
    iterations: int = 1000,
    lr: float = 0.01,
    momentum: float = 0.9,
    prior_weight: float = 0.003,
    window: int = 7,
    normal_bound: float = 3.0,
    seed: int = 0,
) -> LatentInpainting:
    """Optimise ``candidates`` latents per image of ``image`` (``[B, C, H, W]`` in [-1, 1]) with holes
    ``hole`` (``[B, 1, H, W]``, 1 = missing). G and D are used as they are (put them in eval mode
    first); their parameters get no gradients."""
    bound = latent_bound(prior, normal_bound)
    batch, device = image.shape[0], image.device
    rng = torch.Generator().manual_seed(int(seed))
    z = draw_latents(batch * candidates, latent_dim, prior, bound, rng).to(device).requires_grad_(True)
    target = image.repeat_interleave(candidates, 0)
    weights = context_weights(hole, window).repeat_interleave(candidates, 0)
    optimizer = torch.optim.SGD([z], lr=lr, momentum=momentum, nesterov=momentum > 0)
    contexts, objectives = [], []

    def objective() -> tuple[Tensor, Tensor]:
        generated = generator(z)
        context = context_loss(generated, target, weights)
        return context, context + prior_weight * prior_loss(discriminator, generated)

    for _ in range(int(iterations)):
        context, total = objective()
        contexts.append(context.detach().view(batch, candidates))
        objectives.append(total.detach().view(batch, candidates))
        (z.grad,) = torch.autograd.grad(total.sum(), z)
        optimizer.step()
        with torch.no_grad():
            z.clamp_(-bound, bound)
    with torch.no_grad():
        context, total = objective()
    contexts.append(context.view(batch, candidates))
    objectives.append(total.view(batch, candidates))
    best = objectives[-1].argmin(1) + torch.arange(batch, device=device) * candidates
    with torch.no_grad():
        generated = generator(z[best])
    return LatentInpainting(z[best].detach(), generated, torch.stack(contexts), torch.stack(objectives))

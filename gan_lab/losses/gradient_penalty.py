"""The two-sided gradient penalty of WGAN-GP (Gulrajani et al., 2017).

Hand-written: no maintained library provides it. It differentiates D's output
with respect to its *input* (``torch.autograd.grad`` with ``create_graph=True``),
so the caller adds the returned value to the critic loss and backpropagates
the sum once.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def interpolate(real: Tensor, fake: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Points on straight lines between paired real and fake samples, one random t per sample."""
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    t = torch.rand(shape, device=real.device, dtype=real.dtype, generator=generator)
    return (t * real + (1.0 - t) * fake).detach()


def input_gradients(
    outputs: Tensor, inputs: Tensor, grad_scale: float | Tensor = 1.0, allow_unused: bool = False
) -> Tensor | None:
    """∇_x of ``outputs.sum()`` with the graph kept (for a penalty that is backpropagated).

    Under fp16 mixed precision the gradient is taken of the outputs multiplied by
    the GradScaler's scale, so small fp16 gradients do not underflow, and then
    divided by it in float32 (PyTorch's AMP recipe for gradient penalties). The
    scale may be a 0-d tensor on the device, so that reading it needs no host sync.
    """
    (grads,) = torch.autograd.grad(
        outputs=outputs.sum() * grad_scale, inputs=inputs, create_graph=True, allow_unused=allow_unused
    )
    if grads is None or (not isinstance(grad_scale, Tensor) and grad_scale == 1.0):
        return grads
    return grads.float() / grad_scale


def gradient_penalty(
    discriminator: nn.Module, inputs: Tensor, target_norm: float = 1.0, grad_scale: float | Tensor = 1.0
) -> Tensor:
    """Mean of (||∇_x D(x)||₂ - target_norm)² over the batch ``inputs``."""
    inputs = inputs.detach().requires_grad_(True)
    grads = input_gradients(discriminator(inputs), inputs, grad_scale)
    norms = grads.flatten(start_dim=1).norm(2, dim=1)
    return ((norms - target_norm) ** 2).mean()

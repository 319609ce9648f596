"""R1 gradient penalty (Mescheder et al., 2018) with lazy regularization (Karras et al., 2020).

Hand-written: no maintained library provides it. R1 = γ/2 · E_x[ ||∇_x D(x)||² ]
on real inputs. The gradient is taken with ``torch.autograd.grad(create_graph=True)``
so the penalty is added to the D loss and the sum is backpropagated once.
"""

from __future__ import annotations

from torch import Tensor

from gan_lab.losses.gradient_penalty import input_gradients


def r1_penalty(real_out: Tensor, real_in: Tensor, grad_scale: float | Tensor = 1.0) -> Tensor:
    """E[ ||∇_x D(x)||² ] over the batch: ``real_out = D(real_in)``, ``real_in`` requiring grad.

    A D whose output does not depend on its input (or has no parameters at all)
    has zero input gradient, so the penalty is 0.
    """
    if not real_out.requires_grad:
        return real_out.new_zeros(())
    grad = input_gradients(real_out, real_in, grad_scale, allow_unused=True)
    if grad is None:  # the output does not depend on the input
        return real_out.sum() * 0.0  # keeps the graph connected, value 0
    return grad.pow(2).flatten(start_dim=1).sum(dim=1).mean()


class R1Penalty:
    """γ/2 · E[||∇D(x_real)||²], computed every ``lazy_interval``-th D step and then
    multiplied by ``lazy_interval`` so its average strength does not change.

    Args:
        gamma: the weight γ (10 in Mescheder et al. for CelebA/LSUN; StyleGAN2 uses
            dataset-dependent values).
        lazy_interval: compute the penalty only on D steps ``0, k, 2k, ...``.
    """

    def __init__(self, gamma: float, lazy_interval: int = 1) -> None:
        if gamma < 0:
            raise ValueError(f"R1 gamma must be >= 0, got {gamma}")
        if lazy_interval < 1:
            raise ValueError(f"R1 lazy_interval must be >= 1, got {lazy_interval}")
        self.gamma = float(gamma)
        self.lazy_interval = int(lazy_interval)

    def due(self, d_step: int) -> bool:
        return d_step % self.lazy_interval == 0

    def __call__(self, real_out: Tensor, real_in: Tensor, grad_scale: float | Tensor = 1.0) -> Tensor:
        return 0.5 * self.gamma * self.lazy_interval * r1_penalty(real_out, real_in, grad_scale)

    def __repr__(self) -> str:
        return f"R1Penalty(gamma={self.gamma}, lazy_interval={self.lazy_interval})"

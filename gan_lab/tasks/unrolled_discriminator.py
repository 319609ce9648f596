"""Unrolled GAN (Metz et al., 2017): G is scored by D as it will be after k more D updates.

G's loss is evaluated against ``D_k``, the discriminator after ``steps`` look-ahead updates of
D's own optimizer on D's own loss, starting from D's current parameters and optimizer state:

- ``order="second"``: the paper's surrogate loss. The look-ahead updates are autograd functions
  (``torch.func.functional_call`` with the parameters as tensors, gradients taken with
  ``create_graph=True``, and the differentiable optimizer steps of
  :mod:`gan_lab.utils.differentiable_optimizers`), so G's gradient also flows through how D would
  react to G's samples: the term that discourages G from chasing D's current weak spot.
- ``order="first"``: the parameters of ``D_k`` are constants; G only sees where D will be,
  not how its own samples moved it there (the cheaper variant of the PyTorch ports).

Nothing of D is changed: the look-ahead works on copies of D's parameters, its buffers
(BatchNorm running statistics, spectral-norm vectors) are cloned before the look-ahead forwards,
and the optimizer's state is read, never written. So D itself takes only its one normal step,
and ``steps=0`` gives D as it is.

The look-ahead updates use the configured loss's ``discriminator_loss`` on the batch the caller
passes (the family passes the current real batch and the current fakes, reused for every
look-ahead step rather than drawing fresh batches). The loop's extras of a normal D step are
not part of the look-ahead: gradient penalties (WGAN-GP), R1, gradient clipping and weight
clipping. Metz et al. let G minimise the negative of the whole value function at ``D_k``,
including the real-data term, whose gradient reaches G only through the unrolled updates; here
G minimises the configured loss's generator loss at ``D_k`` (the fake term), as every family does.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

from gan_lab.errors import IncompatibleConfigError
from gan_lab.utils.differentiable_optimizers import OptimizerSnapshot, functional_step, optimizer_kind, snapshot

ORDERS = ("second", "first")
Discriminate = Callable[..., Tensor]


class UnrolledDiscriminator:
    """Look-ahead copies of a discriminator. Args:

    steps: look-ahead D updates (Metz et al.: 5 on the 2D mixtures; 0 gives D as it is).
    order: ``"second"`` (differentiate through the updates) or ``"first"`` (constants).
    """

    def __init__(self, steps: int, order: str = "second") -> None:
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise IncompatibleConfigError(f"unroll_steps={steps!r} must be a whole number >= 0 (0: off)")
        if order not in ORDERS:
            raise IncompatibleConfigError(f"unroll_order={order!r}: choose from {list(ORDERS)}")
        self.steps = steps
        self.order = order

    @staticmethod
    def check_optimizer(optimizer: torch.optim.Optimizer) -> None:
        """Raises :class:`~gan_lab.utils.differentiable_optimizers.UnsupportedOptimizerError` unless
        the look-ahead can replay ``optimizer``'s step (Adam, AdamW, SGD)."""
        optimizer_kind(optimizer)

    def unroll(
        self,
        discriminator: nn.Module,
        optimizer: torch.optim.Optimizer,
        d_loss: Callable[[Discriminate], Tensor],
    ) -> Discriminate:
        """``discriminate(*inputs)``: ``discriminator``'s forward with the parameters of ``D_k``.

        ``d_loss(discriminate)`` must return D's loss on a batch when D is run through the
        ``discriminate`` it is given; it is called once per look-ahead step.
        """
        snap = snapshot(optimizer, discriminator.named_parameters())
        # Cloned once: look-ahead forwards in training mode update these copies, not D's buffers.
        buffers = {name: b.clone() for name, b in discriminator.named_buffers()}
        params = {name: p.detach() for name, p in discriminator.named_parameters()}
        second = self.order == "second"

        def run_with(current: dict[str, Tensor]) -> Discriminate:
            return lambda *inputs: functional_call(discriminator, {**current, **buffers}, inputs)

        with torch.enable_grad():  # the look-ahead needs D's gradients even when called under no_grad
            for _ in range(self.steps):
                if not second or not any(p.requires_grad for p in params.values()):
                    params = {name: p.detach().requires_grad_(True) for name, p in params.items()}
                params = self._step(params, d_loss(run_with(params)), snap, second)
        if not second:
            params = {name: p.detach() for name, p in params.items()}
        return run_with(params)

    @staticmethod
    def _step(params: dict[str, Tensor], loss: Tensor, snap: OptimizerSnapshot, second: bool) -> dict[str, Tensor]:
        """One look-ahead update of ``params`` on ``loss`` (kept in the graph when ``second``)."""
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=second, allow_unused=True)
        grads = {name: torch.zeros_like(p) if g is None else g for (name, p), g in zip(params.items(), grads)}
        if second:
            return functional_step(params, grads, snap)
        with torch.no_grad():
            return functional_step(params, grads, snap)
